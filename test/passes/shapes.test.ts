import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileText, errors, net } from '../helpers.js';
import { windowOut } from '../../src/language/shape.js';

const shapeAfter = (body: string, input = '28x28x1') => {
  const r = compileText(net(body, input));
  return { r, shape: r.ir!.layers[r.ir!.layers.length - 1].outShape };
};

describe('shape rule of each block kind', () => {
  it('input: the declared shape; two dimensions are ambiguous', () => {
    expect(shapeAfter('', '32x32x3').shape).toEqual([32, 32, 3]);
    expect(shapeAfter('', '784').shape).toEqual([784]);
    expect(errors(compileText(net('', '28x28')))).toEqual(['HWY2003']);
  });
  it('flatten: product of the dimensions', () => {
    expect(shapeAfter('flatten', '7x5x3').shape).toEqual([105]);
  });
  it('dense: units; needs a vector', () => {
    expect(shapeAfter('dense 33', '100').shape).toEqual([33]);
    expect(errors(compileText(net('dense 10')))).toEqual(['HWY3002']);
  });
  it('conv valid: floor((n - k) / s) + 1 per side', () => {
    expect(shapeAfter('conv 8 5x5').shape).toEqual([24, 24, 8]);
    expect(shapeAfter('conv 8 3x5 stride=2x3').shape).toEqual([13, 8, 8]);
  });
  it('conv same: ceil(n / s)', () => {
    expect(shapeAfter('conv 8 3x3 padding=same stride=2', '27x27x1').shape).toEqual([14, 14, 8]);
  });
  it('conv after flatten cannot be reconciled', () => {
    const r = compileText(net('flatten\nconv 8 3x3'));
    expect(errors(r)).toEqual(['HWY3002']);
    expect(r.diagnostics[0].message).toContain('vector of 784');
  });
  it('a window larger than its input is an error', () => {
    expect(errors(compileText(net('conv 4 29x29')))).toEqual(['HWY3003']);
    expect(errors(compileText(net('maxpool 30')))).toEqual(['HWY3003']);
  });
  it('highway dense keeps its size; highway conv keeps its maps', () => {
    expect(shapeAfter('highway dense', '50').shape).toEqual([50]);
    expect(shapeAfter('highway conv 3x3', '12x12x16').shape).toEqual([12, 12, 16]);
  });
  it('highway conv needs stride 1 and same padding', () => {
    expect(errors(compileText(net('highway conv 3x3 stride=2', '8x8x4')))).toEqual(['HWY3005']);
    expect(errors(compileText(net('highway conv 3x3 padding=valid', '8x8x4')))).toEqual(['HWY3005']);
  });
  it('residual blocks keep their size', () => {
    expect(shapeAfter('residual dense', '20').shape).toEqual([20]);
    expect(shapeAfter('residual conv 3x3', '8x8x4').shape).toEqual([8, 8, 4]);
  });
  it('maxpool / avgpool: floor by default, ceil (Caffe) on request', () => {
    expect(shapeAfter('maxpool 3x3 stride=2', '24x24x1').shape).toEqual([11, 11, 1]);
    expect(shapeAfter('maxpool 3x3 stride=2 round=ceil', '24x24x1').shape).toEqual([12, 12, 1]);
    expect(shapeAfter('avgpool 2', '7x7x2').shape).toEqual([3, 3, 2]);
    expect(shapeAfter('avgpool 2 round=ceil', '7x7x2').shape).toEqual([4, 4, 2]);
  });
  it('the paper\'s MNIST net: 28 -> 24 -> 12 -> 6 -> 3 with ceil', () => {
    const r = compileText(net('defaults round=ceil\nconv 16 5x5\nmaxpool 3x3 stride=2\nexpect 12x12x16\nmaxpool 3x3 stride=2\nexpect 6x6x16\nmaxpool 2x2 stride=2\nexpect 3x3x16'));
    expect(r.ok).toBe(true);
  });
  it('globalavgpool: HxWxC -> C', () => {
    expect(shapeAfter('globalavgpool', '8x8x10').shape).toEqual([10]);
    expect(errors(compileText(net('globalavgpool', '10')))).toEqual(['HWY3002']);
  });
  it('dropout and activations keep the shape', () => {
    expect(shapeAfter('dropout 0.5\nrelu\ntanh\nsigmoid\nsoftmax\nlinear', '5x5x2').shape).toEqual([5, 5, 2]);
  });
  it('expect checks the shape and points at where it came from', () => {
    const r = compileText(net('conv 8 3x3\nexpect 27x27x8'));
    expect(errors(r)).toEqual(['HWY3004']);
    expect(r.diagnostics[0].message).toBe('expected 27x27x8 here, but the shape is 26x26x8');
    expect(r.diagnostics[0].related![0].span.start.line).toBe(3);
  });
  it('one mistake gives one error, not a cascade', () => {
    const r = compileText(net('dense 10\nconv 3 3x3\nmaxpool 2\ndense 5'));
    expect(errors(r)).toEqual(['HWY3002']);
  });
  it('errors inside a repeat name the repetition, and are reported once', () => {
    const r = compileText(net('flatten\nrepeat 3 {\n  conv 4 3x3\n}'));
    expect(errors(r)).toEqual(['HWY3002']);
    expect(r.diagnostics[0].message).toContain('(in repetition 1 of 3)');
  });
  it('property: ceil never gives less than floor, and both match a sliding window count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 5 }), (n, k, s) => {
        fc.pre(k <= n);
        const f = windowOut(n, k, s, 'valid', 'floor');
        const c = windowOut(n, k, s, 'valid', 'ceil');
        // floor = number of windows that fit entirely
        let windows = 0;
        for (let start = 0; start + k <= n; start += s) windows++;
        expect(f).toBe(windows);
        expect(c).toBeGreaterThanOrEqual(f);
        expect(c - f).toBeLessThanOrEqual(1);
        // every ceil window starts inside the input
        expect((c - 1) * s).toBeLessThan(n);
      }),
    );
  });
});
