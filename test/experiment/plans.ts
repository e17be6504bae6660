// Hand-written experiment plans, as the language side's compileExperiment makes them from a
// sweep section: figure 1 of the paper, and a tiny one that trains in seconds.
import { join } from 'node:path';
import type { ExperimentPlan } from '../../src/ir/experiment.js';
import { ROOT } from '../helpers.js';

/** Figure 1 as a sweep: the paper's two networks, depth on a grid, the paper's random-search space in its order. */
export function figure1Plan(over: Partial<ExperimentPlan> = {}): ExperimentPlan {
  const spec = (kind: string) => join(ROOT, 'specs', 'paper', `mlp-${kind}.hwy`);
  return {
    name: 'figure1',
    file: join(ROOT, 'specs', 'paper', 'figure1.hwy'),
    networks: [
      { label: 'plain', specFile: spec('plain'), network: 'mlp_plain' },
      { label: 'highway', specFile: spec('highway'), network: 'mlp_highway' },
    ],
    grid: [{ name: 'depth', target: 'constant', values: [10, 20, 50, 100] }],
    space: [
      { name: 'train.lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 1e-1 } },
      { name: 'train.momentum', target: 'setting', dist: { type: 'uniform', low: 0.5, high: 0.99 } },
      { name: 'train.lr.gamma', target: 'setting', dist: { type: 'uniform', low: 0.8, high: 1 } },
      { name: 'activation', target: 'constant', dist: { type: 'choice', choices: ['relu', 'tanh'] } },
      { name: 'gate_bias', target: 'constant', dist: { type: 'choice', choices: [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10] } },
    ],
    trials: 10,
    seeds: [1],
    objective: { metric: 'loss', direction: 'minimize', reduce: 'final' },
    stop: { maxEpochs: 300, targetLoss: 1e-4, patience: 5, minImprovement: 0.01 },
    pruner: 'none',
    sampler: 'random',
    seed: 1,
    ...over,
  };
}

/** A tiny MLP whose width, depth and activation are constants, with a train section of its own. */
export const TINY_SPEC = `let depth = 2
let width = 8

network tiny {
  input 28x28x1
  flatten
  dense width relu
  repeat depth - 1 {
    highway dense relu
  }
  dense 10 softmax
}

train {
  data mnist
  optimizer sgd momentum=0.9
  lr 0.05
  batch 64
  epochs 2
}
`;

export function tinyPlan(specFile: string, over: Partial<ExperimentPlan> = {}): ExperimentPlan {
  return {
    name: 'tiny',
    file: specFile,
    networks: [{ label: 'tiny', specFile, network: 'tiny' }],
    grid: [{ name: 'width', target: 'constant', values: [4, 8] }],
    space: [{ name: 'train.lr', target: 'setting', dist: { type: 'loguniform', low: 1e-2, high: 1e-1 } }],
    trials: 2,
    seeds: [1, 2],
    objective: { metric: 'val_loss', direction: 'minimize', reduce: 'final' },
    stop: { maxEpochs: 2, patience: 0 },
    pruner: 'none',
    sampler: 'random',
    seed: 3,
    ...over,
  };
}
