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
  it('rejects IR that is not JSON, of another version, or with bad layers, saying where', () => {
    expect(irFromJson('{').ok).toBe(false);
    const r = compile('network n {\n  input 4\n  dense 3\n}\n', 'n.hwy');
    const good = JSON.parse(irToJson(checkedIr(r)));
    expect(validateIr({ ...good, irVersion: 99 }).ok).toBe(false);
    const bad = structuredClone(good);
    bad.layers[1].kind = 'lstm';
    const res = validateIr(bad);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.join('\n')).toContain('/layers/1/kind');
    const neg = structuredClone(good);
    neg.layers[1].units = -3;
    expect(validateIr(neg).ok).toBe(false);
  });
});
