import { describe, expect, it } from 'vitest';
import { EMITTERS, emitterNamed } from '../../src/backends/emitters.js';
import { checkedIr, compileText, hwy, net } from '../helpers.js';

describe('compile targets (src/backends/emitters.ts)', () => {
  it('names are unique and each target writes text ending in a newline', () => {
    expect(new Set(EMITTERS.map((e) => e.name)).size).toBe(EMITTERS.length);
    const ir = checkedIr(compileText(net('highway dense\ndense 3 softmax', '4')));
    for (const e of EMITTERS) {
      const text = e.needsSpec ? e.emit(ir) : e.emit();
      expect(text.length, e.name).toBeGreaterThan(0);
      expect(text.endsWith('\n'), e.name).toBe(true);
      expect(e.extension).toMatch(/^\.[a-z]+$/);
    }
    expect(emitterNamed('ir')!.needsSpec && JSON.parse(emitterNamed('ir')!.emit(ir)).layers).toHaveLength(3);
    expect(emitterNamed('onnx')).toBeUndefined();
  });

  it("the PyTorch module's comments say where the last softmax is applied: forward returns logits", () => {
    const py = emitterNamed('pytorch')!.emit(checkedIr(compileText(net('highway dense\ndense 3 softmax', '4'))));
    expect(py).toContain('dense softmax (applied by probs and log_probs: forward returns logits)');
    expect(py).not.toMatch(/applied in forward/);
    expect(py).toContain('"""Logits: what CrossEntropyLoss takes."""');
  });

  it('hwy compile --help lists every registered target; --emit refuses others, naming them', () => {
    const help = hwy(['compile', '--help']).stdout;
    for (const e of EMITTERS) expect(help).toMatch(new RegExp(`^  ${e.name} +${e.description.replace(/[()]/g, '\\$&')} \\(\\${e.extension}\\)$`, 'm'));
    const r = hwy(['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'onnx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--emit must be one of ${EMITTERS.map((e) => e.name).join(', ')}, not 'onnx'`);
  });

  it('a target that needs no spec refuses one rather than ignore it; one that needs a spec asks for it', () => {
    const r = hwy(['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'schema']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--emit schema takes no spec file');
    const s = hwy(['compile', '--emit', 'summary']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--emit summary needs a spec file');
  });
});
