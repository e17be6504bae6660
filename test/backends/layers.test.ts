import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HighwayConv2D, HighwayDense, ResidualDense, gatedInitializers, pooling2d, registerLayers, tfInitializer, withProbe } from '../../src/backends/tfjs/layers.js';
import { checkpointFiles, loadModel } from '../../src/backends/tfjs/checkpoint.js';
import { lowerToModel } from '../../src/backends/tfjs/lower.js';
import { compile } from '../../src/core/compile.js';
import { checkedIr } from '../helpers.js';

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const relu = (v: number) => Math.max(0, v);

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerLayers();
});

function denseLayer(n: number, carry: 'coupled' | 'free' = 'coupled', gateBias = -2) {
  const layer = new HighwayDense({ activation: 'relu', gateBias, carry, ...gatedInitializers('glorot_uniform', 'glorot_uniform', 0, 1) });
  layer.apply(tfl.input({ shape: [n] }));
  return layer;
}

describe('highway dense layer', () => {
  it('gives H and T their own weights, and initialises the gate bias as asked', () => {
    const l = denseLayer(4, 'coupled', -3);
    expect(l.weights.map((w) => w.originalName.split('/').pop())).toEqual(['kernel_h', 'bias_h', 'kernel_t', 'bias_t']);
    const [kh, bh, kt, bt] = l.getWeights();
    expect(kh.shape).toEqual([4, 4]);
    expect(Array.from(bh.dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(bt.dataSync())).toEqual([-3, -3, -3, -3]);
    expect(Array.from(l.gateBiases().dataSync())).toEqual([-3, -3, -3, -3]);
    expect(Array.from(kt.dataSync())).not.toEqual(Array.from(kh.dataSync()));
  });
  it('computes y = H·T + x·(1 − T) (the paper’s equation 3) exactly', () => {
    const n = 3;
    const l = denseLayer(n);
    const W = [0.5, -0.2, 0.1, 0.3, 0.2, -0.4, -0.1, 0.7, 0.05, 0.6, -0.3, 0.2, 0.4, 0.1, -0.5, 0.3, 0.2, 0.1]; // H | T, [3, 6]
    const b = [0.1, -0.1, 0.2, -1, -2, -0.5];
    const part = (off: number) => tf.tensor2d([0, 1, 2].flatMap((i) => W.slice(i * 2 * n + off, i * 2 * n + off + n)), [n, n]);
    l.setWeights([part(0), tf.tensor1d(b.slice(0, n)), part(n), tf.tensor1d(b.slice(n))]);
    const x = [0.3, -0.7, 1.2];
    const y = (l.apply(tf.tensor2d([x])) as tf.Tensor).dataSync();
    for (let j = 0; j < n; j++) {
      let zh = b[j];
      let zt = b[n + j];
      for (let i = 0; i < n; i++) {
        zh += x[i] * W[i * 2 * n + j];
        zt += x[i] * W[i * 2 * n + n + j];
      }
      const H = relu(zh);
      const T = sig(zt);
      expect(y[j]).toBeCloseTo(H * T + x[j] * (1 - T), 6);
    }
  });
  it('free carry: y = H·T + x·C with its own gate, which starts open', () => {
    const l = denseLayer(2, 'free', -2);
    expect(l.getWeights().length).toBe(6);
    expect(l.getWeights().filter((_, i) => i % 2 === 1).map((b) => Array.from(b.dataSync()))).toEqual([[0, 0], [-2, -2], [2, 2]]);
    const Z = () => tf.zeros([2, 2]);
    l.setWeights([Z(), tf.tensor1d([1, 1]), Z(), tf.tensor1d([0, 0]), Z(), tf.tensor1d([0, 0])]);
    const y = (l.apply(tf.tensor2d([[2, -1]])) as tf.Tensor).dataSync();
    // H = relu(1) = 1, T = C = 0.5: y = 0.5 + 0.5·x
    expect(Array.from(y)).toEqual([1.5, 0]);
  });
  for (const backend of ['cpu', 'wasm']) it(`gradients match finite differences (${backend}: ${backend === 'wasm' ? 'our hand-written gradient' : 'the stock gradient'})`, async () => {
    await tf.setBackend(backend);
    const l = denseLayer(3);
    const x = tf.tensor2d([[0.4, -0.3, 0.8], [0.1, 0.9, -0.5]]);
    const f = () => tf.sum(tf.square(l.apply(x) as tf.Tensor)) as tf.Scalar;
    const { grads } = tf.variableGrads(f, l.trainableWeights.map((w) => w.read() as tf.Variable));
    const eps = 1e-2;
    for (const w of l.trainableWeights) {
      const v = w.read() as tf.Variable;
      const g = grads[v.name].dataSync();
      const base = v.dataSync().slice();
      for (const i of [0, 1, base.length - 1]) {
        const plus = base.slice();
        plus[i] += eps;
        v.assign(tf.tensor(plus, v.shape));
        const fp = f().dataSync()[0];
        const minus = base.slice();
        minus[i] -= eps;
        v.assign(tf.tensor(minus, v.shape));
        const fm = f().dataSync()[0];
        v.assign(tf.tensor(base, v.shape));
        expect(g[i]).toBeCloseTo((fp - fm) / (2 * eps), 2);
      }
    }
    await tf.setBackend('cpu');
  });
  it('lesioning closes the gate: the layer copies its input', () => {
    const l = denseLayer(3);
    const x = tf.tensor2d([[0.4, -0.3, 0.8]]);
    const y = withProbe({ closed: new Set([l.name]) }, () => (l.apply(x) as tf.Tensor).dataSync());
    expect(Array.from(y)).toEqual(Array.from(x.dataSync()));
  });
});

describe('highway conv layer', () => {
  it('equals H and T computed as two separate zero-padded convolutions', () => {
    const c = 2;
    const layer = new HighwayConv2D({ activation: 'relu', gateBias: -1, carry: 'coupled', ...gatedInitializers('glorot_uniform', 'glorot_uniform', 0, 2), kernelSize: [3, 3] });
    layer.apply(tfl.input({ shape: [5, 5, c] }));
    const [kh, bh, kt, bt] = layer.getWeights() as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor];
    const x = tf.randomNormal([1, 5, 5, c], 0, 1, 'float32', 7) as tf.Tensor4D;
    const H = tf.relu(tf.add(tf.conv2d(x, kh, 1, 'same'), bh));
    const T = tf.sigmoid(tf.add(tf.conv2d(x, kt, 1, 'same'), bt));
    const expected = tf.add(tf.mul(H, T), tf.mul(x, tf.sub(1, T)));
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 5, 5, c]);
    const d = tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0];
    expect(d).toBeLessThan(1e-5);
  });
});

describe('residual block', () => {
  it('computes y = H(x) + x', () => {
    const l = new ResidualDense({ activation: 'relu', kernelInitializer: tfInitializer('glorot_uniform', 1) });
    l.apply(tfl.input({ shape: [2] }));
    l.setWeights([tf.tensor2d([1, 0, 0, -1], [2, 2]), tf.tensor1d([0.5, 0])]);
    expect(Array.from((l.apply(tf.tensor2d([[1, 2]])) as tf.Tensor).dataSync())).toEqual([1 + 1.5, 2 + 0]);
  });
});

describe('pooling with Caffe ceil rounding', () => {
  let x: tf.Tensor4D;
  beforeAll(() => {
    x = tf.tensor4d(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);
  });
  it('max: 5x5 with 2x2/2 gives 3x3 and the partial windows see only real cells', () => {
    const p = pooling2d({ mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid', round: 'ceil' });
    const y = p.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expect(Array.from(y.dataSync())).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
  });
  it('avg: partial windows average the real cells only (as Caffe with pad 0)', () => {
    const p = pooling2d({ mode: 'avg', poolSize: [2, 2], strides: [2, 2], padding: 'valid', round: 'ceil' });
    const y = Array.from((p.apply(x) as tf.Tensor).dataSync());
    expect(y[0]).toBeCloseTo((0 + 1 + 5 + 6) / 4, 5);
    expect(y[2]).toBeCloseTo((4 + 9) / 2, 5);
    expect(y[8]).toBeCloseTo(24, 5);
  });
  it('floor rounding is the plain tfjs pooling', () => {
    const p = pooling2d({ mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid', round: 'floor' });
    expect(Array.from((p.apply(x) as tf.Tensor).dataSync())).toEqual([6, 8, 16, 18]);
  });
  it('gradients flow through the padding to real cells only', () => {
    const p = pooling2d({ mode: 'avg', poolSize: [3, 3], strides: [2, 2], padding: 'valid', round: 'ceil' });
    const g = tf.grad((t: tf.Tensor) => tf.sum(p.apply(t) as tf.Tensor))(tf.ones([1, 4, 4, 1]));
    const total = tf.sum(g).dataSync()[0];
    expect(total).toBeCloseTo(4, 4); // each of the 2x2 outputs spreads 1 over its real cells
  });
});

describe('lowering and saving', () => {
  const spec = 'network t {\n  input 8x8x1\n  conv 4 3x3 relu\n  highway conv 3x3 relu gate_bias=-1\n  maxpool 3x3 stride=2 round=ceil\n  flatten\n  highway dense 12 tanh carry=free gate_bias=-2\n  residual dense\n  dropout 0.5\n  dense 3 softmax\n}\n';
  it('builds a model whose parameter count equals the IR’s', () => {
    const ir = checkedIr(compile(spec, 't.hwy'));
    expect(lowerToModel(ir, { seed: 1 }).countParams()).toBe(ir.stats!.totalParams);
  });
  it('the same seed gives the same initial weights', () => {
    const ir = checkedIr(compile(spec, 't.hwy'));
    const a = lowerToModel(ir, { seed: 4 }).getWeights().map((w) => Array.from(w.dataSync()));
    const b = lowerToModel(ir, { seed: 4 }).getWeights().map((w) => Array.from(w.dataSync()));
    expect(a).toEqual(b);
  });
  it('a saved model reloads with plain tfl.loadLayersModel and predicts bit-identically', async () => {
    const ir = checkedIr(compile(spec, 't.hwy'));
    const m = lowerToModel(ir, { seed: 5 });
    const opt = tf.train.momentum(0.1, 0.9);
    const files = await checkpointFiles(m, opt, { epoch: 0, step: 0, partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 }, status: 'running', savedAt: '' });
    const dir = mkdtempSync(join(tmpdir(), 'hwy-save-'));
    writeFileSync(join(dir, 'model.json'), files.modelJson);
    writeFileSync(join(dir, 'weights.bin'), files.weights);
    const back = await loadModel(dir);
    const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 9);
    const a = (m.predict(x) as tf.Tensor).dataSync();
    const b = (back.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    // the file is the stock tfjs layout: loadable without our loader
    const plain = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: JSON.parse(files.modelJson).modelTopology, weightSpecs: JSON.parse(files.modelJson).weightsManifest[0].weights, weightData: files.weights.buffer.slice(0) as ArrayBuffer }));
    expect(Array.from((plain.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(a));
  });
});
