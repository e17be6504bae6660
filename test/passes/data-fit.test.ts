import { describe, expect, it } from 'vitest';
import { compileText, errors } from '../helpers.js';
import { DATASET_INFO } from '../../src/language/vocabulary.js';
import { loadData } from '../../src/data/index.js';
import { analyse } from '../../src/lsp/features.js';

const spec = (input: string, body: string, train: string) => `network t {\n  input ${input}\n${body}\n}\ntrain {\n${train}\n}\n`;

describe('the network against the data set its train section names', () => {
  it('an output of the wrong class count is an error at the output layer, noting the data line', () => {
    const r = compileText(spec('28x28x1', '  flatten\n  dense 7 softmax', '  data mnist'));
    expect(errors(r)).toEqual(['HWY3008']);
    const d = r.diagnostics.find((x) => x.code === 'HWY3008')!;
    expect(d.span.start.line).toBe(4);
    expect(d.message).toContain('7 outputs');
    expect(d.message).toContain('10 classes');
    expect(d.hint).toContain('dense 10 softmax');
    expect(d.related?.[0].span.start.line).toBe(7);
  });

  it('an input of another shape is an error at the input layer', () => {
    const r = compileText(spec('32x32x3', '  flatten\n  dense 10 softmax', '  data mnist'));
    expect(errors(r)).toEqual(['HWY3007']);
    const d = r.diagnostics.find((x) => x.code === 'HWY3007')!;
    expect(d.span.start.line).toBe(2);
    expect(d.message).toContain('28x28x1');
    expect(d.related?.[0].span.start.line).toBe(7);
  });

  it('every data set by its table: shape and classes', () => {
    for (const name of Object.keys(DATASET_INFO) as (keyof typeof DATASET_INFO)[]) {
      const { shape, classes } = DATASET_INFO[name];
      const [h, w, c] = shape;
      expect(errors(compileText(spec(`${h}x${w}x${c}`, `  flatten\n  dense ${classes} softmax`, `  data ${name}`))), name).toEqual([]);
      // a vector input of the example's size is what the engines feed
      expect(errors(compileText(spec(`${h * w * c}`, `  dense ${classes} softmax`, `  data ${name}`))), name).toEqual([]);
      expect(errors(compileText(spec(`${h}x${w}x${c}`, `  flatten\n  dense ${classes + 1} softmax`, `  data ${name}`))), name).toEqual(['HWY3008']);
      expect(errors(compileText(spec(`${h + 1}x${w}x${c}`, `  flatten\n  dense ${classes} softmax`, `  data ${name}`))), name).toEqual(['HWY3007']);
    }
    expect(errors(compileText(spec('32x32x3', '  flatten\n  dense 10 softmax', '  data cifar100')))).toEqual(['HWY3008']);
    expect(errors(compileText(spec('32x32x3', '  globalavgpool', '  data cifar10')))).toEqual(['HWY3008']);
  });

  it('the language server analyses with the same check', () => {
    const a = analyse(spec('28x28x1', '  flatten\n  dense 7 softmax', '  data mnist'), 'x.hwy', { interactive: true });
    expect(a.result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['HWY3008']);
  });

  it('a spec without a data line is not held to the default data set', () => {
    expect(errors(compileText(spec('32x32x3', '  flatten\n  dense 100 softmax', '  epochs 3')))).toEqual([]);
    expect(errors(compileText('network t {\n  input 32x32x3\n  flatten\n  dense 100 softmax\n}\n'))).toEqual([]);
  });

  it('the bundled loader builds its arrays from the same table', async () => {
    const d = await loadData({
      name: 'mnist',
      normalize: 'scale',
      augment: [],
      validation: 0.1,
    });
    expect(d.train.shape).toEqual([...DATASET_INFO.mnist.shape]);
    expect(d.train.classes).toBe(DATASET_INFO.mnist.classes);
  });
});

describe("the data line's normalize setting", () => {
  const load = (normalize: 'scale' | 'none' | 'gcn') => loadData({ name: 'mnist', normalize, augment: [], validation: 0.1 });
  it("'none' leaves the raw 0-255 pixel values, 'scale' divides them by 255", async () => {
    const [raw, scaled] = await Promise.all([load('none'), load('scale')]);
    const max = (x: Float32Array) => x.reduce((a, b) => Math.max(a, b), -Infinity);
    expect(max(raw.train.x)).toBe(255);
    expect(max(scaled.train.x)).toBeLessThanOrEqual(1);
    expect(max(scaled.train.x)).toBeGreaterThan(0.99);
    for (const split of ['train', 'validation', 'test'] as const) {
      const r = raw[split].x;
      const s = scaled[split].x;
      expect(r.length).toBe(s.length);
      for (let i = 0; i < r.length; i += 97) {
        expect(Number.isInteger(r[i])).toBe(true);
        expect(r[i] / 255).toBeCloseTo(s[i], 2);
      }
    }
  });
});
