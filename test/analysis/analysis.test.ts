import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/core/compile.js';
import { checkedIr } from '../helpers.js';
import { lowerToModel } from '../../src/backends/tfjs/lower.js';
import { selectBackend } from '../../src/backends/tfjs/runtime.js';
import { conditionNumbers, gateStats, lesionErrors, openGateSummary } from '../../src/analysis/probes.js';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { StreamingR, conditionNumber, float32ConditionLimit, isSingular } from '../../src/analysis/linalg.js';
import { analyze } from '../../src/analysis/analyze.js';
import { sweep } from '../../src/analysis/sweep.js';
import { runTraining } from '../../src/run/session.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, rng as rngOf, subset, type Dataset, type Splits } from '../../src/data/dataset.js';

let data: Splits;
let small: Dataset;
beforeAll(async () => {
  await selectBackend('wasm');
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 3);
  data = { train: subset(trainval, p.subarray(0, 600), 'train'), validation: subset(trainval, p.subarray(600, 700), 'validation'), test: subset(test, Array.from({ length: 100 }, (_, i) => i)), source: 'subset' };
  small = subset(data.train, Array.from({ length: 120 }, (_, i) => i));
});

const MLP = 'network m {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  repeat 3 {\n    highway dense relu gate_bias=-2\n  }\n  dense 10 softmax\n}\n';
const model = (spec = MLP) => {
  const ir = checkedIr(compile(spec, 'm.hwy'));
  return { ir, m: lowerToModel(ir, { seed: 1 }) };
};
const setGate = (m: tfl.LayersModel, layer: string, kernel: number | null, bias: number) => {
  const l = m.getLayer(layer);
  const w = l.getWeights();
  // weights: kernel_h, bias_h, kernel_t, bias_t
  if (kernel !== null) w[2] = tf.fill(w[2].shape, kernel);
  w[3] = tf.fill(w[3].shape, bias);
  l.setWeights(w);
};

describe('gate analysis', () => {
  it('the gate-bias heat map equals the weights', async () => {
    const { ir, m } = model();
    setGate(m, 'highway_dense_2', null, -3.5);
    const g = (await gateStats(m, ir, small, 0))!;
    expect(g.layers).toEqual(['highway_dense_1', 'highway_dense_2', 'highway_dense_3']);
    expect(g.biases[1]).toEqual(new Array(8).fill(-3.5));
    expect(g.biases[0]).toEqual(new Array(8).fill(-2));
  });
  it('mean and per-class gate outputs are exact when the gate ignores its input', async () => {
    const { ir, m } = model();
    setGate(m, 'highway_dense_1', 0, 0.7);
    const g = (await gateStats(m, ir, small, 5))!;
    const t = 1 / (1 + Math.exp(-0.7));
    for (const v of g.meanGate[0]) expect(v).toBeCloseTo(t, 5);
    for (const c of [0, 1, 2]) for (const v of g.classMeanGate[c][0]) expect(v).toBeCloseTo(t, 5);
    expect(g.sample.label).toBe(small.labels[5]);
    expect(g.sample.gate[0]).toHaveLength(8);
    expect(g.sample.output).toHaveLength(3);
  });
  it('open gates per example: counted over every example, exact when the gates ignore their input', async () => {
    const { ir, m } = model();
    setGate(m, 'highway_dense_1', 0, 0.7); // T ≈ 0.67: open
    setGate(m, 'highway_dense_2', 0, -0.7); // shut
    setGate(m, 'highway_dense_3', 0, 3); // open
    const g = (await gateStats(m, ir, small, 7, 50))!; // batches of 50: the counts cross batch boundaries
    expect(g.openGates).toEqual({ threshold: 0.5, gates: 24, mean: 16, median: 16, p10: 16, p90: 16, min: 16, max: 16, sample: 16 });
  });
  it('the open-gate distribution: nearest-rank quantiles and the sample\'s own count', () => {
    const o = openGateSummary([5, 1, 4, 2, 3, 0, 9, 8, 7, 6], 20, 6);
    expect(o).toEqual({ threshold: 0.5, gates: 20, mean: 4.5, median: 4, p10: 0, p90: 8, min: 0, max: 9, sample: 9 });
  });
  it('lesioning a layer whose gates are already shut changes nothing; lesioning an open one does', async () => {
    const { ir, m } = model();
    setGate(m, 'highway_dense_2', 0, -60); // T = sigmoid(-60) ≈ 0
    setGate(m, 'highway_dense_3', 0, 60); // T ≈ 1: the layer transforms fully
    const r = await lesionErrors(m, ir, small);
    const byName = Object.fromEntries(r.lesioned.map((l) => [l.layer, l.error]));
    expect(byName.highway_dense_2).toBe(r.intact);
    expect(r.lesioned).toHaveLength(3);
  });
  it('works per channel for convolutional highway layers', async () => {
    const spec = 'network c {\n  input 28x28x1\n  conv 3 5x5 relu\n  highway conv 3x3 relu gate_bias=-1\n  maxpool 2\n  flatten\n  dense 10 softmax\n}\n';
    const { ir, m } = model(spec);
    const g = (await gateStats(m, ir, small, 1))!;
    expect(g.biases).toEqual([[-1, -1, -1]]);
    expect(g.meanGate[0]).toHaveLength(3);
    const les = await lesionErrors(m, ir, small);
    expect(les.lesioned.map((l) => l.layer)).toEqual(['highway_conv_1']);
  });
  it('a network without highway layers has no gate statistics', async () => {
    const { ir, m } = model('network p {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  dense 10 softmax\n}\n');
    expect(await gateStats(m, ir, small, 0)).toBeNull();
  });
});

describe('condition numbers', () => {
  /** m x n rows of U·diag(σ)·Vᵀ, σ log-spaced from 1 down to 1/κ, U and V random orthogonal. */
  const withCondition = (m: number, n: number, kappa: number, seed: number): Float64Array => {
    const r = rngOf(seed);
    const gauss = (rows: number, cols: number) => Matrix.from1DArray(rows, cols, Array.from({ length: rows * cols }, () => r() - 0.5));
    const u = new QrDecomposition(gauss(m, n)).orthogonalMatrix.subMatrix(0, m - 1, 0, n - 1);
    const v = new QrDecomposition(gauss(n, n)).orthogonalMatrix;
    const s = Matrix.diag(Array.from({ length: n }, (_, i) => kappa ** (-i / (n - 1))));
    return Float64Array.from(u.mmul(s).mmul(v.transpose()).to1DArray());
  };
  it('condition numbers of matrices of known κ, 1e2 to 1e12, streamed in blocks: within 1%', () => {
    for (const kappa of [1e2, 1e4, 1e6, 1e9, 1e12]) {
      const m = 600;
      const n = 12;
      const x = withCondition(m, n, kappa, 7);
      const r = new StreamingR(n);
      for (let start = 0; start < m; start += 250) r.add(x.subarray(start * n, Math.min(m, start + 250) * n), Math.min(250, m - start));
      const k = conditionNumber(r.singularValues(), n);
      expect(Math.abs(k / kappa - 1), `κ = ${kappa}: got ${k}`).toBeLessThan(0.01);
    }
  });
  it('singular: infinite, NaN or past the float32 limit', () => {
    expect(isSingular(Infinity)).toBe(true);
    expect(isSingular(NaN)).toBe(true);
    expect(isSingular(50, 1e6)).toBe(false);
    expect(isSingular(2e6, 1e6)).toBe(true);
    expect(isSingular(1e6, 1e6)).toBe(false);
  });
  it('a zero column or too few rows is singular; the float32 limit shrinks with the width', () => {
    const r = new StreamingR(3);
    r.add([1, 0, 2, 3, 0, 1, 5, 0, 7, 1, 0, 1], 4);
    expect(conditionNumber(r.singularValues(), 3)).toBe(Infinity);
    const few = new StreamingR(3);
    few.add([1, 2, 3, 4, 5, 6], 2);
    expect(conditionNumber(few.singularValues(), 3)).toBe(Infinity);
    const diag = new StreamingR(2);
    diag.add([4, 0, 0, 1], 2);
    expect(conditionNumber(diag.singularValues(), 2)).toBeCloseTo(4, 10);
    expect(float32ConditionLimit(1)).toBe(2 ** 24);
    expect(float32ConditionLimit(100)).toBeCloseTo(2 ** 24 / 10, 6);
  });
  it('one number per hidden weighted layer; a layer of dead units is singular', async () => {
    const { ir, m } = model();
    const l = m.getLayer('dense_1');
    l.setWeights(l.getWeights().map((w) => tf.zerosLike(w)));
    const c = await conditionNumbers(m, ir, small);
    expect(c.map((x) => x.layer)).toEqual(['dense_1', 'highway_dense_1', 'highway_dense_2', 'highway_dense_3']);
    expect(c[0].condition).toBe(Infinity);
  });
});

describe('hwy analyze and hwy sweep (small real runs)', () => {
  it('analyze writes figures 2-4 and condition numbers as SVG, PNG and JSON; a plain run gets condition numbers and a note', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hwy-an-'));
    const hw = await runTraining({ specFile: 'h.hwy', specText: MLP + 'train {\n  epochs 1\n  batch 60\n}\n', backend: 'wasm', data, out: join(tmp, 'h') });
    const pl = await runTraining({ specFile: 'p.hwy', specText: 'network p {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  dense 8 relu\n  dense 10 softmax\n}\ntrain {\n  epochs 1\n}\n', backend: 'wasm', data, out: join(tmp, 'p') });
    expect(hw.kind === 'trained' && pl.kind === 'trained').toBe(true);
    const r = await analyze({ runDirs: [join(tmp, 'h'), join(tmp, 'p')], data, backend: 'wasm', samples: 200 });
    expect(r.figures).toEqual(['figure2-gates', 'figure3-routing', 'figure4-lesioning', 'condition-numbers']);
    for (const f of r.figures) for (const ext of ['svg', 'png', 'json']) expect(existsSync(join(r.out, `${f}.${ext}`)), `${f}.${ext}`).toBe(true);
    expect(readFileSync(join(r.out, 'figure2-gates.svg'), 'utf8')).toContain('Transform gate biases');
    const cond = JSON.parse(readFileSync(join(r.out, 'condition-numbers.json'), 'utf8'));
    // the legend names each run by its network and directory name, not by its (temporary) path
    expect([...new Set(cond.map((c: { run: string }) => c.run))]).toEqual(['m (h)', 'p (p)']);
    // the data says which layers the figure marks singular; JSON has no Infinity, so an infinite number is null
    for (const c of cond) expect(c.singular).toBe(c.condition === null || c.condition > c.limit);
    expect(r.conditions.map((c) => c.singular)).toEqual(r.conditions.map((c) => !Number.isFinite(c.condition) || c.condition > c.limit));
    const plain = await analyze({ runDirs: [join(tmp, 'p')], data, backend: 'wasm', samples: 100 });
    expect(plain.figures).toEqual(['condition-numbers']);
    expect(plain.notes[0]).toContain('no highway layers');
    await expect(analyze({ runDirs: [join(tmp, 'missing')], data })).rejects.toThrow(/not a run directory/);
    // a class the data does not have is refused before any work, not skipped
    await expect(analyze({ runDirs: [join(tmp, 'h')], data, backend: 'wasm', classes: [0, 11], out: join(tmp, 'bad') })).rejects.toThrow(/--classes 11: .* has classes 0-9 only/);
    expect(existsSync(join(tmp, 'bad', 'figure2-gates.png'))).toBe(false);
  });
  it('sweep: runs every network, summarises, and started again skips what is done', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sw-')), 'sweep');
    const lines: string[] = [];
    const r = await sweep({ depths: [3, 4], kinds: ['plain', 'highway'], epochs: 1, trials: 1, out, preloaded: data, backend: 'wasm', log: (s) => lines.push(s) });
    expect(r.best.map((b) => b.network)).toEqual(['plain-3', 'highway-3', 'plain-4', 'highway-4']);
    expect(r.ratio?.depth).toBe(4);
    for (const f of ['sweep.json', 'sweep.md', 'figure1-depth.svg', 'figure1-depth.png']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toContain('plain-4 / highway-4');
    const again: string[] = [];
    await sweep({ depths: [3, 4], kinds: ['plain', 'highway'], epochs: 1, trials: 1, out, preloaded: data, backend: 'wasm', log: (s) => again.push(s) });
    expect(again.filter((l) => l.startsWith('run ')).every((l) => l.endsWith('(done before)'))).toBe(true);
  });
  it('random search varies the settings the paper searched, gate bias in [-10, -1]', async () => {
    const { sampleTrial, trialSpec } = await import('../../src/analysis/sweep.js');
    const ts = Array.from({ length: 50 }, (_, i) => sampleTrial(i, 'highway'));
    for (const t of ts) {
      expect(t.lr).toBeGreaterThanOrEqual(1e-3);
      expect(t.lr).toBeLessThanOrEqual(1e-1);
      expect(t.gateBias).toBeGreaterThanOrEqual(-10);
      expect(t.gateBias).toBeLessThanOrEqual(-1);
    }
    expect(new Set(ts.map((t) => t.activation)).size).toBe(2);
    const spec = trialSpec(readFileSync(join(__dirname, '../../specs/paper/mlp-highway.hwy'), 'utf8'), { lr: 0.01, momentum: 0.9, gamma: 0.9, activation: 'tanh', gateBias: -7 });
    const ir = checkedIr(compile(spec, 's.hwy', { overrides: { depth: 5 } }));
    expect(ir.layers.filter((l) => l.kind === 'highway_dense').every((l) => l.gateBias === -7 && l.activation === 'tanh')).toBe(true);
  });
});
