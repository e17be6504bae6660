import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { irFromJson, irToJson, validateIr } from '../../src/ir/serialize.js';
import { compile } from '../../src/core/compile.js';
import { ROOT, checkedIr, specFiles } from '../helpers.js';

describe('IR schema', () => {
  for (const f of specFiles()) {
    it(`round-trips ${f} through JSON and the schema unchanged`, () => {
      const r = compile(readFileSync(join(ROOT, f), 'utf8'), f);
      const json = irToJson(checkedIr(r));
      const back = irFromJson(json);
      expect(back.ok, back.ok ? '' : back.errors.join('; ')).toBe(true);
      if (back.ok) expect(back.ir).toEqual(r.ir);
    });
  }
  it('each optimizer validates with exactly its own fields; cosine and warm-up fields are checked', () => {
    for (const opt of ['sgd nesterov=true', 'adam', 'adamw weight_decay=0.1', 'rmsprop momentum=0.5']) {
      const ir = JSON.parse(irToJson(checkedIr(compile(`network n {\n  input 4\n  dense 3\n}\ntrain {\n  optimizer ${opt}\n  lr 0.1 schedule=cosine min_lr=0.01 warmup=2\n}\n`, 'n.hwy'))));
      expect(validateIr(ir).ok, opt).toBe(true);
      // a field of another optimizer is refused
      const foreign = structuredClone(ir);
      foreign.train.optimizer[opt.startsWith('sgd') ? 'beta1' : 'nesterov'] = opt.startsWith('sgd') ? 0.9 : true;
      expect(validateIr(foreign).ok, opt).toBe(false);
    }
    const ir = JSON.parse(irToJson(checkedIr(compile('network n {\n  input 4\n  dense 3\n}\ntrain {\n  optimizer adam\n}\n', 'n.hwy'))));
    const bad = structuredClone(ir);
    bad.train.lr.warmup = -1;
    expect(validateIr(bad).ok).toBe(false);
    const noEps = structuredClone(ir);
    delete noEps.train.optimizer.epsilon;
    expect(validateIr(noEps).ok).toBe(false);
  });
  it('rejects IR that is not JSON, of another version, or with bad layers, saying where', () => {
    expect(irFromJson('{').ok).toBe(false);
    const r = compile('network n {\n  input 4\n  dense 3\n}\n', 'n.hwy');
    const good = JSON.parse(irToJson(checkedIr(r)));
    const other = validateIr({ ...good, irVersion: 99, layers: [{ kind: 'lstm' }] });
    expect(other.ok ? [] : other.errors).toEqual(['it is IR version 99, this hwy reads version 1: compile the spec again with this hwy']);
    const bad = structuredClone(good);
    bad.layers[1].kind = 'lstm';
    const res = validateIr(bad);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.join('\n')).toContain('/layers/1/kind');
    const neg = structuredClone(good);
    neg.layers[1].units = -3;
    expect(validateIr(neg).ok).toBe(false);
  });
  it('checks each layer against its own kind: its required fields, and no field of another kind', () => {
    const good = JSON.parse(irToJson(checkedIr(compile('network n {\n  input 4x4x1\n  maxpool 2\n  flatten\n  dense 3\n}\n', 'n.hwy'))));
    expect(validateIr(good).ok).toBe(true);
    const unknown = structuredClone(good);
    unknown.layers[1].kind = 'lstm';
    const u = validateIr(unknown);
    expect(u.ok ? [] : u.errors).toEqual([expect.stringMatching(/^\/layers\/1\/kind must be one of input, flatten, dense, .*activation$/)]);
    const missing = structuredClone(good);
    delete missing.layers[3].units;
    const m = validateIr(missing);
    expect(m.ok ? '' : m.errors.join('\n')).toContain("/layers/3 must have required property 'units'");
    const foreign = structuredClone(good);
    foreign.layers[1].gateBias = -2; // a pooling layer has no gate
    const f = validateIr(foreign);
    expect(f.ok ? '' : f.errors.join('\n')).toContain('/layers/1 must NOT have additional properties');
    const gated = JSON.parse(irToJson(checkedIr(compile('network n {\n  input 4\n  highway dense\n}\n', 'n.hwy'))));
    delete gated.layers[1].gateBias; // checked IR always resolves it
    expect(validateIr(gated).ok).toBe(false);
    expect(validateIr({ ...good, stats: null }).ok).toBe(false);
  });
});
