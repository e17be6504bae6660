import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileText, layerAs, net } from '../helpers.js';

describe('projections pass', () => {
  it('inserts a plain dense layer before a highway dense block that changes size, and says so', () => {
    const r = compileText(net('dense 50 relu\nhighway dense 71 tanh gate_bias=-1', '784'));
    expect(r.ok).toBe(true);
    const kinds = r.ir!.layers.map((l) => [l.kind, l.inserted, l.outShape]);
    expect(kinds).toEqual([
      ['input', false, [784]],
      ['dense', false, [50]],
      ['dense', true, [71]],
      ['highway_dense', false, [71]],
    ]);
    const p = layerAs(r.ir!.layers[2], 'dense');
    expect(p.activation).toBe('tanh');
    expect(p.params).toBe(50 * 71 + 71);
    const info = r.diagnostics.find((d) => d.code === 'HWY3006')!;
    expect(info.severity).toBe('info');
    expect(info.message).toContain('50 -> 71');
    expect(r.ir!.stats!.insertedLayers).toBe(1);
  });
  it('inserts a plain conv (same kernel, same padding) before a highway conv that changes maps', () => {
    const r = compileText(net('highway conv 32 3x3 relu', '16x16x8'));
    const p = layerAs(r.ir!.layers[1], 'conv');
    expect([p.kind, p.inserted, p.filters, p.kernel, p.padding, p.outShape]).toEqual(['conv', true, 32, [3, 3], 'same', [16, 16, 32]]);
    expect(r.ir!.layers[2].inShape).toEqual([16, 16, 32]);
  });
  it('inserts nothing when sizes agree, and for residual blocks too when they differ', () => {
    expect(compileText(net('highway dense 10', '10')).ir!.layers.some((l) => l.inserted)).toBe(false);
    const r = compileText(net('residual dense 12', '10'));
    expect(r.ir!.layers.filter((l) => l.inserted).length).toBe(1);
  });
  it('property: after the pass every gated block sees its own size, and shapes chain', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 64 }), (sizes, input) => {
        const body = sizes.map((s) => `highway dense ${s} gate_bias=-1`).join('\n');
        const r = compileText(net(body, String(input)));
        expect(r.ok).toBe(true);
        const layers = r.ir!.layers;
        for (let i = 1; i < layers.length; i++) expect(layers[i].inShape).toEqual(layers[i - 1].outShape);
        for (const l of layers.filter((x) => x.kind === 'highway_dense')) expect(l.inShape).toEqual(l.outShape);
        let expected = 0;
        let cur = input;
        for (const s of sizes) {
          if (s !== cur) expected++;
          cur = s;
        }
        expect(layers.filter((l) => l.inserted).length).toBe(expected);
      }),
    );
  });
});
