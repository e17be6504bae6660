import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileText, net } from '../helpers.js';

describe('count pass', () => {
  it('counts parameters of each weighted kind', () => {
    const p = (body: string, input: string) => compileText(net(body, input)).ir!.layers.at(-1)!.params;
    expect(p('dense 7', '5')).toBe(5 * 7 + 7);
    expect(p('conv 8 3x5', '10x10x3')).toBe(3 * 5 * 3 * 8 + 8);
    expect(p('highway dense', '50')).toBe(2 * (50 * 50 + 50));
    expect(p('highway dense carry=free', '50')).toBe(3 * (50 * 50 + 50));
    expect(p('highway conv 3x3', '8x8x16')).toBe(2 * (9 * 16 * 16 + 16));
    expect(p('residual dense', '50')).toBe(50 * 50 + 50);
    expect(p('residual conv 3x3', '8x8x16')).toBe(9 * 16 * 16 + 16);
    expect(p('maxpool 2', '8x8x16')).toBe(0);
  });
  it('counts FLOPs (a multiply-add is 2) and totals', () => {
    const r = compileText(net('dense 7\ndense 3', '5'));
    expect(r.ir!.layers.map((l) => l.flops)).toEqual([0, 70, 42]);
    expect(r.ir!.stats).toMatchObject({ totalParams: 42 + 24, totalFlops: 112, weightedLayers: 2 });
  });
  it('property: the total is the sum of the layers, for random highway MLPs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), (depth, width, input) => {
        const r = compileText(net(`dense ${width}\nrepeat ${depth} {\n  highway dense gate_bias=-1\n}\ndense 10`, String(input)));
        const expected = input * width + width + depth * 2 * (width * width + width) + width * 10 + 10;
        expect(r.ir!.stats!.totalParams).toBe(expected);
      }),
    );
  });
});
