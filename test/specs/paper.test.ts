import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/core/compile.js';
import { summaryText } from '../../src/backends/text/summary.js';
import { ROOT, checkedIr, golden, specFiles } from '../helpers.js';

const load = (f: string, overrides?: Record<string, number>) => compile(readFileSync(join(ROOT, f), 'utf8'), f, { overrides });

describe('every spec in specs/ checks clean', () => {
  for (const f of specFiles()) {
    it(f, () => {
      const r = load(f);
      expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
      expect(r.ok).toBe(true);
    });
  }
});

/** The paper's tables: parameters and depth. `exact` where the authors' configuration is given. */
const TABLE: { file: string; set?: Record<string, number>; params: number; layers: number; tolerance: number }[] = [
  { file: 'specs/paper/mnist-conv-highway.hwy', params: 39_000, layers: 10, tolerance: 0.01 },
  { file: 'specs/paper/mnist-conv-highway.hwy', set: { width: 32 }, params: 151_000, layers: 10, tolerance: 0.01 },
  { file: 'specs/paper/cifar10-highway-a.hwy', params: 236_000, layers: 11, tolerance: 0.05 },
  { file: 'specs/paper/cifar10-highway-b.hwy', params: 2_300_000, layers: 19, tolerance: 0.05 },
  { file: 'specs/paper/cifar10-highway-c.hwy', params: 1_250_000, layers: 32, tolerance: 0.05 },
];

describe("parameter counts match the paper's tables", () => {
  for (const row of TABLE) {
    it(`${row.file} ${JSON.stringify(row.set ?? {})}: ~${row.params.toLocaleString('en-US')} parameters, ${row.layers} layers`, () => {
      const r = load(row.file, row.set);
      const s = r.ir!.stats!;
      expect(s.weightedLayers).toBe(row.layers);
      expect(Math.abs(s.totalParams - row.params) / row.params).toBeLessThanOrEqual(row.tolerance);
    });
  }
  it('MNIST conv highway, exact counts from the layer formulas: 38,986 and 151,690', () => {
    expect(load('specs/paper/mnist-conv-highway.hwy').ir!.stats!.totalParams).toBe(416 + 8 * 2 * (9 * 16 * 16 + 16) + 144 * 10 + 10);
    expect(load('specs/paper/mnist-conv-highway.hwy', { width: 32 }).ir!.stats!.totalParams).toBe(832 + 8 * 2 * (9 * 32 * 32 + 32) + 288 * 10 + 10);
  });
  it('experiment 1: the highway gate bias follows the depth guideline', () => {
    const bias = (d: number) => load('specs/paper/mlp-highway.hwy', { depth: d }).ir!.layers.find((l) => l.kind === 'highway_dense')!.gateBias;
    expect([10, 20, 50, 100].map(bias)).toEqual([-1, -2, -5, -10]);
  });
  it('experiment 1: depth d = plain first layer + d - 1 layers; ~5,000 parameters a hidden layer in both', () => {
    for (const d of [10, 20, 50, 100]) {
      const hw = load('specs/paper/mlp-highway.hwy', { depth: d }).ir!;
      const pl = load('specs/paper/mlp-plain.hwy', { depth: d }).ir!;
      expect(hw.stats!.weightedLayers).toBe(d + 1); // + softmax output, not counted in d
      expect(hw.stats!.highwayLayers).toBe(d - 1);
      expect(pl.stats!.weightedLayers).toBe(d + 1);
      const hidden = (ir: typeof hw) => ir.layers.filter((l) => l.params && l.inShape?.[0] === l.outShape?.[0]).map((l) => l.params!);
      for (const p of [...hidden(hw), ...hidden(pl)]) expect(Math.abs(p - 5000) / 5000).toBeLessThan(0.03);
    }
  });
  it('the residual baseline of the condition-number comparison: the highway network of figure 1 with residual layers, same depth and width', () => {
    for (const d of [10, 50, 100]) {
      const rs = load('specs/paper/mlp-residual.hwy', { depth: d }).ir!;
      const hw = load('specs/paper/mlp-highway.hwy', { depth: d }).ir!;
      expect(rs.stats!.weightedLayers).toBe(hw.stats!.weightedLayers);
      const res = rs.layers.filter((l) => l.kind === 'residual_dense');
      expect(res.length).toBe(d - 1);
      expect(new Set(res.map((l) => l.outShape![0]))).toEqual(new Set([50]));
    }
  });
  it('analysis networks: 50 layers, 49 highway of 50 blocks, gate bias -4', () => {
    for (const [f, bias] of [
      ['specs/paper/analysis-mnist.hwy', -4],
      ['specs/paper/analysis-cifar100.hwy', -4],
    ] as const) {
      const ir = load(f).ir!;
      const hw = ir.layers.filter((l) => l.kind === 'highway_dense');
      expect(hw.length).toBe(49);
      expect(new Set(hw.map((l) => l.gateBias))).toEqual(new Set([bias]));
      expect(new Set(hw.map((l) => l.outShape![0]))).toEqual(new Set([50]));
    }
  });
});

describe('summaries (golden files)', () => {
  for (const f of specFiles()) {
    it(f, () => golden(`summary/${f.replace(/\//g, '__')}.txt`, summaryText(checkedIr(load(f))) + '\n'));
  }
});

describe("the README's opening example", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  it('is the network of specs/paper/mlp-highway.hwy, the spec its commands train', () => {
    const example = /```\n(let depth[^]*?)```/.exec(readme)![1];
    const layers = (text: string, f: string) => checkedIr(compile(text, f)).layers.map((l) => [l.kind, l.outShape, 'gateBias' in l ? l.gateBias : null, l.params]);
    const spec = readFileSync(join(ROOT, 'specs/paper/mlp-highway.hwy'), 'utf8');
    expect(layers(example, 'README.md')).toEqual(layers(spec.slice(0, spec.indexOf('train {')), 'specs/paper/mlp-highway.hwy'));
    expect(readme).toContain('npx hwy train specs/paper/mlp-highway.hwy');
  });
  it('describes run directories once', () => {
    expect(readme.match(/\*\*Run directories\.\*\*/g)).toHaveLength(1);
  });
});
