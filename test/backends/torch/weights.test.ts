import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { lowerToModel } from '../../../src/backends/tfjs/lower.js';
import { registerLayers } from '../../../src/backends/tfjs/layers.js';
import { checkpointFiles } from '../../../src/backends/tfjs/checkpoint.js';
import { makeOptimizer } from '../../../src/backends/tfjs/train.js';
import { torchWeightMap } from '../../../src/backends/torch/weights.js';
import { emitModelPy, outputKind } from '../../../src/backends/torch/emit-model.js';
import type { LayerKind, TrainConfig } from '../../../src/ir/types.js';
import { CASES, caseIR } from './cases.js';

const CONFIG: TrainConfig = {
  data: { name: 'mnist', normalize: 'scale', augment: [], validation: 0.1 },
  optimizer: { name: 'sgd', momentum: 0, nesterov: false },
  lr: { value: 0.1, schedule: 'constant', gamma: 1, steps: [], minLr: 0, warmup: 0, warmupSteps: 0 },
  weightDecay: 0,
  batch: 1,
  epochs: 1,
  seed: 1,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerLayers();
});

async function manifest(ir: ReturnType<typeof caseIR>): Promise<{ name: string; shape: number[] }[]> {
  const model = lowerToModel(ir, { seed: 1 });
  const files = await checkpointFiles(model, makeOptimizer(CONFIG), { epoch: 0, step: 0, partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 }, status: 'running', savedAt: '' });
  return (JSON.parse(files.modelJson).weightsManifest as { weights: { name: string; shape: number[] }[] }[]).flatMap((g) => g.weights.map((w) => ({ name: w.name, shape: w.shape })));
}

describe('the weight map', () => {
  it('covers every layer kind in the test networks', () => {
    const kinds = new Set(CASES.flatMap((c) => caseIR(c).layers.map((l) => l.kind)));
    const all: LayerKind[] = ['input', 'flatten', 'dense', 'conv', 'highway_dense', 'highway_conv', 'residual_dense', 'residual_conv', 'maxpool', 'avgpool', 'globalavgpool', 'dropout', 'activation'];
    expect([...kinds].sort()).toEqual([...all].sort());
    expect(CASES.some((c) => caseIR(c).layers.some((l) => l.inserted && l.kind === 'dense'))).toBe(true);
    expect(CASES.some((c) => caseIR(c).layers.some((l) => l.inserted && l.kind === 'conv'))).toBe(true);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('names and orders the weights as the tfjs manifest does: %s', async (_n, c) => {
    const ir = caseIR(c);
    const map = torchWeightMap(ir);
    expect(map.map((e) => ({ name: e.tfjs, shape: e.shape }))).toEqual(await manifest(ir));
  });

  it('gives torch keys and layouts: transposed dense kernels, [out, in, kh, kw] conv kernels, H/T/C per gated block', () => {
    const ir = caseIR({ input: '5x5x2', body: 'highway conv 3 3x3 relu carry=free\nresidual conv 3x3 relu\nflatten\nhighway dense relu\ndense 3 softmax' });
    const byTfjs = Object.fromEntries(torchWeightMap(ir).map((e) => [e.tfjs, e]));
    expect(byTfjs['projection_1/kernel']).toEqual({ tfjs: 'projection_1/kernel', shape: [3, 3, 2, 3], torch: 'projection_1.weight', perm: [2, 3, 1, 0] });
    expect(byTfjs['highway_conv_1/kernel_c']).toEqual({ tfjs: 'highway_conv_1/kernel_c', shape: [3, 3, 3, 3], torch: 'highway_conv_1.gates.weight', perm: [2, 3, 1, 0], rows: [6, 9] });
    expect(byTfjs['highway_conv_1/bias_t']).toEqual({ tfjs: 'highway_conv_1/bias_t', shape: [3], torch: 'highway_conv_1.gates.bias', perm: null, rows: [3, 6] });
    expect(byTfjs['residual_conv_1/kernel'].torch).toBe('residual_conv_1.h.weight');
    expect(byTfjs['highway_dense_1/kernel_h']).toEqual({ tfjs: 'highway_dense_1/kernel_h', shape: [75, 75], torch: 'highway_dense_1.gates.weight', perm: [1, 0], rows: [0, 75] });
    expect(byTfjs['dense_1/kernel']).toEqual({ tfjs: 'dense_1/kernel', shape: [75, 3], torch: 'dense_1.weight', perm: [1, 0] });
    // the parameter count the IR states
    const params = torchWeightMap(ir).reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
    expect(params).toBe(ir.stats!.totalParams);
  });
});

describe('the generated PyTorch module', () => {
  const ir = caseIR({ input: '8x8x2', body: 'conv 4 3x3 relu\nhighway conv 3x3 relu gate_bias=-2\nmaxpool 3x3 stride=2 round=ceil\nflatten\ndense 5 relu\ndense 3 softmax' });
  const code = emitModelPy(ir);

  it('imports only torch and math', () => {
    const imports = code.split('\n').filter((l) => /^\s*(import|from)\s/.test(l));
    expect(imports).toEqual(['import math', 'import torch', 'import torch.nn.functional as F']);
  });

  it('has one attribute per IR layer, named as the IR names it, with its kind and output shape in a comment', () => {
    for (const l of ir.layers.filter((l) => l.kind !== 'input')) {
      expect(code).toContain(`        self.${l.name} = `);
      expect(code).toMatch(new RegExp(`# ${l.name}: .* -> ${l.outShape!.join('x')}\\n`));
      expect(code).toContain(`        x = self.${l.name}(x)`);
    }
    expect(code).toMatch(/^class Net\(torch\.nn\.Module\):/m);
    expect(code).toMatch(/^ {4}def __init__\(self\):/m);
  });

  it("lowers H and T as the two halves of one layer, each with its initialiser and bias (T's the IR's gate bias), and ceil pooling", () => {
    // (wrapped: the generated lines stay within 100 columns)
    expect(code).toContain("Highway(\n            Conv(4, 8, (3, 3), pad=(1, 1, 1, 1), act='linear', init='glorot_uniform', bias=0.0), 4,\n            act='relu', parts=[('glorot_uniform', 0.0), ('glorot_uniform', -2.0)],\n        )");
    expect(Math.max(...code.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(code).toContain("self.maxpool_1 = Pool('max', (3, 3), (2, 2), ceil=True)");
  });

  it('leaves the last softmax to forward and log_probs; a non-softmax output is read as logits', () => {
    expect(outputKind(ir)).toBe('softmax');
    expect(code).toContain("self.dense_2 = Dense(5, 3, act='linear'");
    expect(code).toContain('return torch.log_softmax(self.body(x), dim=1)');
    const logits = caseIR({ input: '4', body: 'dense 3 linear' });
    expect(outputKind(logits)).toBe('logits');
    expect(emitModelPy(logits)).toContain('return torch.log_softmax(self.body(x), dim=1)');
    const gated = caseIR({ input: '4', body: 'dense 3 relu\nhighway dense softmax' });
    expect(outputKind(gated)).toBe('probabilities');
    expect(emitModelPy(gated)).toContain('torch.log(torch.clamp(self.body(x), 1e-7, 1.0 - 1e-7))');
  });

  it('refuses layer names that cannot be distinct PyTorch attributes', () => {
    const bad = structuredClone(ir);
    bad.layers[1].name = 'forward';
    expect(() => emitModelPy(bad)).toThrow(/'forward' cannot be a PyTorch attribute name/);
    const twice = structuredClone(ir);
    twice.layers[2].name = twice.layers[1].name;
    expect(() => emitModelPy(twice)).toThrow(/'conv_1' appears twice/);
  });
});
