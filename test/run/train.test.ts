import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval, runTraining, type TrainRequest } from '../../src/run/session.js';
import { readMetrics } from '../../src/run/run-dir.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 1);
  data = { train: subset(trainval, p.subarray(0, 1500), 'train'), validation: subset(trainval, p.subarray(1500, 1800), 'validation'), test: subset(test, permutation(test.count, 2).subarray(0, 200), 'test'), source: 'test subset' };
});

const MLP = `let depth = 4
network mlp {
  input 28x28x1
  flatten
  dense 32 relu
  repeat depth - 1 {
    highway dense relu gate_bias=-1
  }
  dropout 0.1
  dense 10 softmax
}
train {
  optimizer sgd momentum=0.9
  lr 0.05 schedule=exponential gamma=0.9
  batch 50
  epochs 2
  seed 3
}
`;

const tmp = () => join(mkdtempSync(join(tmpdir(), 'hwy-run-')), 'run');
const req = (over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'mlp.hwy', specText: MLP, backend: 'wasm', data, out: tmp(), ...over });

describe('training (small real runs on the bundled digits)', () => {
  it('trains well above chance, writes metrics.jsonl and a checkpoint, and eval reproduces the final validation accuracy', async () => {
    const r = await runTraining(req());
    if (r.kind !== 'trained') throw new Error('spec errors');
    expect(r.engine).toMatchObject({ engine: 'tfjs', device: 'wasm' });
    expect(r.outcome.status).toBe('done');
    const m = readMetrics(r.runDir);
    expect(m.map((x) => x.epoch)).toEqual([1, 2]);
    for (const k of ['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'seconds', 'samplesPerSec']) expect(m[0]).toHaveProperty(k);
    expect(m[1].lr).toBeCloseTo(0.045);
    expect(m[1].valAccuracy!).toBeGreaterThan(0.6);
    expect(m[1].loss).toBeLessThan(m[0].loss);
    for (const f of ['spec.hwy', 'ir.json', 'run.json', 'model/model.json', 'model/weights.bin', 'model/optimizer.bin', 'model/state.json']) expect(existsSync(join(r.runDir, f)), f).toBe(true);
    const e = await runEval({ runDir: r.runDir, preloaded: data, backend: 'wasm' });
    expect(e.accuracy).toBeCloseTo(m[1].valAccuracy!, 10);
    expect(e.loss).toBeCloseTo(m[1].valLoss!, 5);
    expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('leaks no tensors: the live tensor count is the same after every epoch', async () => {
    const counts: number[] = [];
    const r = await runTraining(req({ overrides: { epochs: 3 }, hooks: { onEpochEnd: () => counts.push(tf.memory().numTensors) } }));
    expect(r.kind).toBe('trained');
    expect(counts.length).toBe(3);
    expect(new Set(counts).size).toBe(1);
  });

  it('the same seed on the same backend gives the same run', async () => {
    const a = await runTraining(req({ overrides: { epochs: 1 } }));
    const b = await runTraining(req({ overrides: { epochs: 1 } }));
    if (a.kind !== 'trained' || b.kind !== 'trained') throw new Error();
    expect(readMetrics(b.runDir)[0].loss).toBe(readMetrics(a.runDir)[0].loss);
    expect(readFileSync(join(b.runDir, 'model/weights.bin'))).toEqual(readFileSync(join(a.runDir, 'model/weights.bin')));
  });

  it('a run stopped at the end of an epoch says so in its checkpoint (interrupted, not running), and resumes from it', async () => {
    // the stop is asked for once the epoch's last step is reported: the engine finishes the epoch, checkpoints and stops
    let lastStep = false;
    const stopped = await runTraining(req({ hooks: { onProgress: (p) => (lastStep ||= p.step === p.steps), shouldStop: () => lastStep } }));
    if (stopped.kind !== 'trained') throw new Error();
    expect(stopped.outcome.status).toBe('interrupted');
    const state = JSON.parse(readFileSync(join(stopped.runDir, 'model/state.json'), 'utf8'));
    expect({ epoch: state.epoch, step: state.step, status: state.status }).toEqual({ epoch: 1, step: 0, status: 'interrupted' });
    const resumed = await runTraining({ resume: stopped.runDir, backend: 'wasm', data });
    if (resumed.kind !== 'trained') throw new Error();
    expect(resumed.outcome.status).toBe('done');
    expect(readMetrics(resumed.runDir).map((m) => m.epoch)).toEqual([1, 2]);
    expect(JSON.parse(readFileSync(join(resumed.runDir, 'model/state.json'), 'utf8')).status).toBe('done');
  });

  it('an interrupted run checkpoints mid-epoch and resumes to exactly the uninterrupted result', async () => {
    const straight = await runTraining(req());
    if (straight.kind !== 'trained') throw new Error();
    let progress = 0;
    const stopped = await runTraining(req({ hooks: { onProgress: () => progress++, shouldStop: () => progress >= 2 } }));
    if (stopped.kind !== 'trained') throw new Error();
    expect(stopped.outcome.status).toBe('interrupted');
    expect(stopped.outcome.state.epoch).toBe(0);
    expect(stopped.outcome.state.step).toBeGreaterThan(0);
    const resumed = await runTraining({ resume: stopped.runDir, backend: 'wasm', data });
    if (resumed.kind !== 'trained') throw new Error();
    expect(resumed.outcome.status).toBe('done');
    const a = readMetrics(straight.runDir);
    const b = readMetrics(resumed.runDir);
    expect(b.map((m) => m.epoch)).toEqual([1, 2]);
    for (let i = 0; i < 2; i++) {
      expect(b[i].loss).toBeCloseTo(a[i].loss, 6);
      expect(b[i].valAccuracy).toBe(a[i].valAccuracy);
    }
    expect(readFileSync(join(resumed.runDir, 'model/weights.bin'))).toEqual(readFileSync(join(straight.runDir, 'model/weights.bin')));
  });

  it.each([
    ['optimizer adamw weight_decay=0.05', 'lr 0.003 schedule=cosine warmup_steps=40'],
    ['optimizer rmsprop momentum=0.5', 'lr 0.002 schedule=exponential gamma=0.9 warmup=1'],
  ])('%s, %s: interrupted mid-epoch and resumed, the weights of the uninterrupted run, bit for bit', async (optimizer, lr) => {
    const text = MLP.replace('optimizer sgd momentum=0.9', optimizer).replace('lr 0.05 schedule=exponential gamma=0.9', lr).replace('dropout 0.1\n', '');
    const straight = await runTraining(req({ specText: text }));
    if (straight.kind !== 'trained') throw new Error('spec errors');
    let progress = 0;
    const stopped = await runTraining(req({ specText: text, hooks: { onProgress: () => progress++, shouldStop: () => progress >= 2 } }));
    if (stopped.kind !== 'trained') throw new Error();
    expect(stopped.outcome.state.step).toBeGreaterThan(0);
    const resumed = await runTraining({ resume: stopped.runDir, backend: 'wasm', data });
    if (resumed.kind !== 'trained') throw new Error();
    expect(readMetrics(resumed.runDir).map((m) => m.lr)).toEqual(readMetrics(straight.runDir).map((m) => m.lr));
    expect(readFileSync(join(resumed.runDir, 'model/weights.bin'))).toEqual(readFileSync(join(straight.runDir, 'model/weights.bin')));
  });

  it('a run recorded before cosine schedules and warm-up (run.json and ir.json without their fields) resumes, with its own schedule', async () => {
    const r = await runTraining(req({ overrides: { epochs: 1 } }));
    if (r.kind !== 'trained') throw new Error();
    const path = join(r.runDir, 'run.json');
    const rec = JSON.parse(readFileSync(path, 'utf8'));
    for (const k of ['minLr', 'warmup', 'warmupSteps']) delete rec.config.lr[k];
    writeFileSync(path, JSON.stringify(rec, null, 2));
    // ir.json of such a run lacks them too
    const irPath = join(r.runDir, 'ir.json');
    const ir = JSON.parse(readFileSync(irPath, 'utf8'));
    for (const k of ['minLr', 'warmup', 'warmupSteps']) delete ir.train.lr[k];
    writeFileSync(irPath, JSON.stringify(ir, null, 2));
    const more = await runTraining({ resume: r.runDir, backend: 'wasm', data, overrides: { epochs: 2 } });
    if (more.kind !== 'trained') throw new Error();
    expect(more.outcome.status).toBe('done');
    expect(readMetrics(r.runDir).map((m) => m.lr)).toEqual([0.05, 0.05 * 0.9]);
  });

  it('resume repairs a checkpoint swap cut short, and --epochs extends a finished run', async () => {
    const r = await runTraining(req({ overrides: { epochs: 1 } }));
    if (r.kind !== 'trained') throw new Error();
    const { renameSync } = await import('node:fs');
    renameSync(join(r.runDir, 'model'), join(r.runDir, '.checkpoint-new')); // as if killed between the two renames
    const more = await runTraining({ resume: r.runDir, backend: 'wasm', data, overrides: { epochs: 2 } });
    if (more.kind !== 'trained') throw new Error();
    expect(readMetrics(r.runDir).map((m) => m.epoch)).toEqual([1, 2]);
  });

  it('a diverging run stops with a clear message and no NaN in the metrics', async () => {
    const logits = 'network n {\n  input 28x28x1\n  flatten\n  dense 64\n  dense 10\n}\ntrain {\n  epochs 2\n}\n';
    const r = await runTraining(req({ specText: logits, overrides: { lr: 1e30 } }));
    if (r.kind !== 'trained') throw new Error();
    expect(r.outcome.status).toBe('diverged');
    if (r.outcome.status === 'diverged') expect(r.outcome.message).toMatch(/diverged in epoch 1, step \d+: the loss is (NaN|Infinity)/);
    for (const m of readMetrics(r.runDir)) expect(Number.isFinite(m.loss)).toBe(true);
  });

  it('a convolutional highway net trains on the wasm backend (our Conv2DBackpropFilter)', async () => {
    const spec = 'network c {\n  input 28x28x1\n  conv 4 5x5 relu\n  highway conv 3x3 relu gate_bias=-1\n  maxpool 3x3 stride=2 round=ceil\n  dropout 0.2\n  flatten\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 50\n  epochs 1\n}\n';
    const small: Splits = { ...data, train: subset(data.train, Array.from({ length: 400 }, (_, i) => i)), validation: subset(data.validation, Array.from({ length: 100 }, (_, i) => i)) };
    const r = await runTraining({ specFile: 'c.hwy', specText: spec, backend: 'wasm', data: small, out: tmp() });
    if (r.kind !== 'trained') throw new Error();
    expect(r.outcome.status).toBe('done');
    const [m] = readMetrics(r.runDir);
    expect(Number.isFinite(m.loss)).toBe(true);
    expect(m.valAccuracy).toBeGreaterThan(0.2);
  });

  it('a spec with errors trains nothing; data that does not fit the network is refused', async () => {
    const bad = await runTraining(req({ specText: 'network n {\n  input 28x28x1\n  dense 10\n}\n' }));
    expect(bad.kind).toBe('spec-errors');
    await expect(runTraining(req({ specText: 'network n {\n  input 32x32x3\n  flatten\n  dense 10 softmax\n}\n' }))).rejects.toThrow(/input is 32x32x3, but .* 28x28x1/);
    await expect(runTraining(req({ specText: 'network n {\n  input 28x28x1\n  flatten\n  dense 7 softmax\n}\n' }))).rejects.toThrow(/7 outputs, but the data set has 10 classes/);
  });

  it('never overwrites a run directory unasked', async () => {
    const out = tmp();
    await runTraining(req({ out, overrides: { epochs: 1 } }));
    await expect(runTraining(req({ out, overrides: { epochs: 1 } }))).rejects.toThrow(/already exists: use --force/);
    const again = await runTraining(req({ out, force: true, overrides: { epochs: 1 } }));
    expect(again.kind).toBe('trained');
  });

  it('eval on broken run directories: clear errors', async () => {
    await expect(runEval({ runDir: '/nonexistent/run' })).rejects.toThrow(/not a run directory/);
    const r = await runTraining(req({ overrides: { epochs: 1 } }));
    if (r.kind !== 'trained') throw new Error();
    writeFileSync(join(r.runDir, 'model', 'weights.bin'), Buffer.alloc(10));
    await expect(runEval({ runDir: r.runDir, preloaded: data, backend: 'wasm' })).rejects.toThrow(/weights.bin does not match the checksum/);
    writeFileSync(join(r.runDir, 'ir.json'), '{"irVersion": 1}');
    await expect(runEval({ runDir: r.runDir, preloaded: data, backend: 'wasm' })).rejects.toThrow(/ir.json is not valid hwy IR/);
  });
});
