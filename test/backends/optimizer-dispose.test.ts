// Optimizers leave no tensor behind once disposed: tfjs's Momentum forgets its learning-rate
// tensor in dispose(), which disposeOptimizer covers (the playground creates optimizers again
// and again, after a lost context or a diverged run).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { disposeOptimizer, makeOptimizer, setLr } from '../../src/backends/tfjs/loop.js';
import type { TrainConfig } from '../../src/ir/types.js';

const config = (optimizer: TrainConfig['optimizer']): TrainConfig => ({
  data: { name: 'mnist', normalize: 'scale', augment: [], validation: 0.1 },
  optimizer,
  lr: { value: 0.1, schedule: 'constant', gamma: 1, steps: [], minLr: 0, warmup: 0, warmupSteps: 0 },
  weightDecay: 0,
  batch: 4,
  epochs: 1,
  seed: 1,
});

describe('disposeOptimizer', () => {
  const cases: TrainConfig['optimizer'][] = [
    { name: 'sgd', momentum: 0, nesterov: false },
    { name: 'sgd', momentum: 0.9, nesterov: true },
    { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    { name: 'rmsprop', rho: 0.9, momentum: 0.5, epsilon: 1e-7 },
  ] as TrainConfig['optimizer'][];
  for (const o of cases) {
    it(`${o.name}${'momentum' in o ? ` momentum=${o.momentum}` : ''}: after some steps and a new rate, disposing leaves the tensor count where it was`, async () => {
      await tf.setBackend('cpu');
      const w = tf.variable(tf.ones([3]));
      const before = tf.memory().numTensors;
      const opt = makeOptimizer(config(o));
      for (let i = 0; i < 3; i++) {
        setLr(opt, 0.1 / (i + 1));
        tf.dispose(opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, true, [w])!);
      }
      disposeOptimizer(opt);
      expect(tf.memory().numTensors).toBe(before);
      w.dispose();
    });
  }
});
