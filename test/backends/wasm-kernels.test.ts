import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/backends/tfjs/wasm-kernels.js';

/** dW of conv2d(x, W) for a given dy, computed with the gradient machinery of a backend. */
async function filterGrad(backend: string, x: number[], xShape: number[], fShape: [number, number, number, number], strides: number | [number, number], pad: 'same' | 'valid', dy: number[]) {
  await tf.setBackend(backend);
  const xt = tf.tensor4d(x, xShape as [number, number, number, number]);
  const w = tf.zeros(fShape);
  const f = (wv: tf.Tensor4D) => tf.conv2d(xt, wv, strides, pad);
  const outShape = f(w as tf.Tensor4D).shape;
  const dyt = tf.tensor(dy.slice(0, outShape.reduce((a, b) => a * b, 1)), outShape);
  const g = tf.grad((wv: tf.Tensor) => f(wv as tf.Tensor4D))(w, dyt as tf.Tensor4D);
  return { values: Array.from(await g.data()), shape: g.shape };
}

/** dx of conv2d(x, W) for a given dy. */
async function inputGrad(backend: string, xShape: [number, number, number, number], f: number[], fShape: [number, number, number, number], strides: number | [number, number], pad: 'same' | 'valid', dy: number[]) {
  await tf.setBackend(backend);
  const w = tf.tensor4d(f, fShape);
  const x0 = tf.zeros(xShape);
  const outShape = tf.conv2d(x0 as tf.Tensor4D, w, strides, pad).shape;
  const dyt = tf.tensor(dy.slice(0, outShape.reduce((a, b) => a * b, 1)), outShape);
  const g = tf.grad((x: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w, strides, pad))(x0, dyt as tf.Tensor4D);
  return { values: Array.from(await g.data()), shape: g.shape };
}

describe('wasm Conv2DBackpropInput (stride 1 as a forward convolution)', () => {
  beforeAll(() => registerWasmTrainingKernels());
  const cases: { x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 7, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { x: [2, 7, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
    { x: [1, 6, 6, 2], f: [2, 4, 2, 3], s: 1, pad: 'same' },
    { x: [1, 9, 9, 1], f: [5, 5, 1, 2], s: 1, pad: 'valid' },
    { x: [2, 7, 8, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
    { x: [2, 9, 6, 2], f: [2, 4, 2, 3], s: [2, 1], pad: 'valid' },
  ];
  for (const c of cases) {
    it(`matches the cpu backend: x ${c.x.join('x')}, filter ${c.f.join('x')}, stride ${JSON.stringify(c.s)}, ${c.pad}`, async () => {
      const f = Array.from({ length: c.f.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.7));
      const dy = Array.from({ length: 2000 }, (_, i) => Math.cos(i * 0.13));
      const cpu = await inputGrad('cpu', c.x, f, c.f, c.s, c.pad, dy);
      const wasm = await inputGrad('wasm', c.x, f, c.f, c.s, c.pad, dy);
      expect(wasm.shape).toEqual(cpu.shape);
      for (let i = 0; i < cpu.values.length; i++) expect(wasm.values[i]).toBeCloseTo(cpu.values[i], 3);
    });
  }
});

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });
  const cases: { x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: 'same' | 'valid' }[] = [];
  for (const pad of ['same', 'valid'] as const) for (const s of [1, 2, 3, [2, 3]] as const) cases.push({ x: [2, 7, 8, 3], f: [3, 3, 3, 4], s: s as number, pad });
  cases.push({ x: [1, 5, 5, 2], f: [5, 5, 2, 1], s: 1, pad: 'valid' }, { x: [3, 6, 6, 1], f: [1, 1, 1, 2], s: 2, pad: 'same' }, { x: [2, 9, 6, 2], f: [2, 4, 2, 3], s: [2, 1], pad: 'same' });
  for (const c of cases) {
    it(`matches the cpu backend: x ${c.x.join('x')}, filter ${c.f.join('x')}, stride ${JSON.stringify(c.s)}, ${c.pad}`, async () => {
      const n = c.x.reduce((a, b) => a * b, 1);
      const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1 * (i % 5));
      const dy = Array.from({ length: 2000 }, (_, i) => Math.cos(i * 0.11));
      const cpu = await filterGrad('cpu', x, c.x, c.f, c.s, c.pad, dy);
      const wasm = await filterGrad('wasm', x, c.x, c.f, c.s, c.pad, dy);
      expect(wasm.shape).toEqual(cpu.shape);
      for (let i = 0; i < cpu.values.length; i++) expect(wasm.values[i]).toBeCloseTo(cpu.values[i], 3);
    });
  }
  it('does not leak tensors or memory', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        tf.grad((w: tf.Tensor) => tf.conv2d(tf.ones([2, 6, 6, 2]) as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'))(tf.ones([3, 3, 2, 2]));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
