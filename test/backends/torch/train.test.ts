import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval, runTraining, type TrainRequest } from '../../../src/run/session.js';
import { readMetrics, readRunRecord } from '../../../src/run/run-dir.js';
import { loadBundledMnist } from '../../../src/data/mnist-bundled.js';
import { augmentBatch, permutation, rng, subset, type Splits } from '../../../src/data/dataset.js';
import { npyBytes } from '../../../src/backends/torch/arrays.js';
import { pythonDir } from '../../../src/backends/torch/engine.js';
import { EngineUnavailable } from '../../../src/backends/engine.js';
import { pythonOrReason, relErr, torchTitle } from './cases.js';

const { python, reason } = pythonOrReason();
const title = torchTitle(python, reason);

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 1);
  // 1,010 training examples: the last batch of 50 is short (10), which the workers must split too
  data = { train: subset(trainval, p.subarray(0, 1010), 'train'), validation: subset(trainval, p.subarray(1010, 1310), 'validation'), test: subset(test, permutation(test.count, 2).subarray(0, 100), 'test'), source: 'test subset' };
});

const spec = (body: string, train: string) => `network n {\n  input 28x28x1\n${body}\n}\ntrain {\n${train}\n}\n`;
const MLP_BODY = '  flatten\n  dense 24 relu\n  highway dense relu gate_bias=-1\n  highway dense tanh gate_bias=-1 carry=free\n  dropout 0.2\n  dense 10 softmax';
const MLP = spec(MLP_BODY, '  optimizer sgd momentum=0.9\n  lr 0.05 schedule=exponential gamma=0.9\n  batch 50\n  epochs 2\n  seed 3');

const tmp = () => join(mkdtempSync(join(tmpdir(), 'hwy-torch-run-')), 'run');
const req = (over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'n.hwy', specText: MLP, engine: 'torch', device: 'cpu', data, out: tmp(), ...over });

async function trained(r: TrainRequest) {
  const out = await runTraining(r);
  if (out.kind !== 'trained') throw new Error('spec errors');
  return out;
}

/** Runs Python code with hwy_train.py importable; returns its stdout as JSON. */
function py(code: string): unknown {
  const r = spawnSync(python!.path, ['-c', `import sys, json; sys.path.insert(0, ${JSON.stringify(pythonDir())}); import hwy_train as t\n${code}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.skipIf(!python)(title('the torch engine'), () => {
  it("Python's mulberry32, permutation and augmentation draw exactly what the tfjs engine's do", () => {
    const seeds = [0, 1, 3 * 100003 + 2, 4294967295, 2 ** 40 + 17];
    const got = py(`print(json.dumps({'rng': [(lambda r: [r() for _ in range(5)])(t.rng(s)) for s in ${JSON.stringify(seeds)}], 'perm': [t.permutation(n, s).tolist() for n, s in [(1, 5), (10, 7), (1010, 300011)]]}))`) as { rng: number[][]; perm: number[][] };
    expect(got.rng).toEqual(seeds.map((s) => Array.from({ length: 5 }, rng(s))));
    expect(got.perm).toEqual([[1, 5], [10, 7], [1010, 300011]].map(([n, s]) => Array.from(permutation(n, s))));

    // augmentation: shift and mirror a small batch of random 6x5x2 images both ways
    const d = { name: 'x', x: Float32Array.from({ length: 4 * 60 }, (_, i) => (i * 7919) % 101), labels: new Uint8Array(4), count: 4, shape: [6, 5, 2] as [number, number, number], classes: 2 };
    const out = new Float32Array(3 * 60);
    augmentBatch(d, [3, 0, 2], out, { translate: 2, mirror: true }, rng(42));
    const dir = mkdtempSync(join(tmpdir(), 'hwy-aug-'));
    writeFileSync(join(dir, 'x.npy'), npyBytes(d.x, [4, 6, 5, 2]));
    const aug = py(`import numpy as np\nx = np.load(${JSON.stringify(join(dir, 'x.npy'))}, mmap_mode='r')\nprint(json.dumps(t.augment_batch(x, [3, 0, 2], 2, True, t.rng(42)).reshape(-1).tolist()))`) as number[];
    expect(aug).toEqual(Array.from(out));
  });

  it('trains, writes the run directory as tfjs does (plus torch.pt), and hwy eval (tfjs) reproduces the validation accuracy torch measured', async () => {
    const r = await trained(req());
    expect(r.outcome.status).toBe('done');
    expect(r.engine).toMatchObject({ engine: 'torch', device: 'cpu' });
    expect(r.engine.reason).toContain(`torch ${python!.torch}`);
    const m = readMetrics(r.runDir);
    expect(m.map((x) => x.epoch)).toEqual([1, 2]);
    expect(m[1].lr).toBeCloseTo(0.045);
    expect(m[1].valAccuracy!).toBeGreaterThan(0.6);
    expect(m[1].loss).toBeLessThan(m[0].loss);
    for (const f of ['spec.hwy', 'ir.json', 'run.json', 'metrics.jsonl', 'model/model.json', 'model/weights.bin', 'model/torch.pt', 'model/state.json']) expect(existsSync(join(r.runDir, f)), f).toBe(true);
    const rec = readRunRecord(r.runDir);
    expect(rec).toMatchObject({ engine: 'torch', device: 'cpu', engineDetails: { torch: python!.torch, python: python!.path } });
    const e = await runEval({ runDir: r.runDir, preloaded: data, backend: 'cpu' });
    expect(Math.abs(e.accuracy - m[1].valAccuracy!)).toBeLessThanOrEqual(1e-4);
    expect(e.loss).toBeCloseTo(m[1].valLoss!, 3);
  });

  it('the same train { } semantics as the tfjs engine: same start, batches, augmentation, Nesterov, schedule and weight decay give the same losses', async () => {
    // no dropout (its masks come from each engine's own generator); everything else is shared
    const text = spec('  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax', '  data mnist augment=[translate, mirror]\n  optimizer sgd momentum=0.9 nesterov=true\n  lr 0.05 schedule=multistep gamma=0.5 steps=[1]\n  weight_decay 0.001\n  batch 50\n  epochs 2\n  seed 5');
    const small: Splits = { ...data, train: subset(data.train, Array.from({ length: 400 }, (_, i) => i)) };
    const t = readMetrics((await trained(req({ specText: text, data: small }))).runDir);
    const j = readMetrics((await trained(req({ specText: text, data: small, engine: 'tfjs', device: 'cpu' }))).runDir);
    for (let i = 0; i < 2; i++) {
      expect(t[i].lr).toBe(j[i].lr);
      expect(Math.abs(t[i].loss - j[i].loss) / j[i].loss).toBeLessThan(2e-3);
      expect(Math.abs(t[i].valLoss! - j[i].valLoss!) / j[i].valLoss!).toBeLessThan(2e-3);
    }
    expect(t[1].lr).toBe(0.025);
  });

  it.each([
    ['adamw weight_decay=0.05', 'lr 0.004 schedule=cosine min_lr=0.0004 warmup=1'],
    ['rmsprop rho=0.8 momentum=0.5', 'lr 0.002 schedule=exponential gamma=0.5 warmup_steps=5'],
    ['adam beta1=0.8 beta2=0.99 epsilon=1e-6', 'lr 0.003 schedule=multistep gamma=0.2 steps=[1] warmup_steps=3'],
  ])('optimizer %s, %s: the same rates and losses as the tfjs engine', async (optimizer, lr) => {
    const text = spec('  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax', `  optimizer ${optimizer}\n  ${lr}\n  weight_decay 0.001\n  batch 50\n  epochs 3\n  seed 5`);
    const small: Splits = { ...data, train: subset(data.train, Array.from({ length: 400 }, (_, i) => i)) };
    const t = readMetrics((await trained(req({ specText: text, data: small }))).runDir);
    const j = readMetrics((await trained(req({ specText: text, data: small, engine: 'tfjs', device: 'cpu' }))).runDir);
    expect(t.map((m) => m.epoch)).toEqual([1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      expect(t[i].lr).toBeCloseTo(j[i].lr, 12);
      expect(Math.abs(t[i].loss - j[i].loss) / j[i].loss).toBeLessThan(2e-3);
      expect(Math.abs(t[i].valLoss! - j[i].valLoss!) / j[i].valLoss!).toBeLessThan(2e-3);
    }
    // and they trained: the loss fell
    expect(t[2].loss).toBeLessThan(t[0].loss);
  });

  it('stopped at the end of an epoch, its checkpoint says interrupted (not running)', async () => {
    // one step an epoch (a batch as large as the training set): a stop asked for from the start is seen at the epoch's end
    const stopped = await trained(req({ overrides: { batch: 2048 }, hooks: { shouldStop: () => true } }));
    expect(stopped.outcome.status).toBe('interrupted');
    const state = JSON.parse(readFileSync(join(stopped.runDir, 'model/state.json'), 'utf8'));
    expect({ epoch: state.epoch, step: state.step, status: state.status }).toEqual({ epoch: 1, step: 0, status: 'interrupted' });
    expect(readMetrics(stopped.runDir).map((m) => m.epoch)).toEqual([1]);
  });

  it('stopped mid-epoch through the hook, then resumed: the same weights, bit for bit, as an uninterrupted run (dropout included)', async () => {
    const straight = await trained(req());
    // asked to stop from the start: the request waits in Python's stdin while torch loads, so
    // the run stops at the first step boundary, mid-epoch, where the dropout generator's state matters
    const stopped = await trained(req({ hooks: { shouldStop: () => true } }));
    expect(stopped.outcome.status).toBe('interrupted');
    const st = stopped.outcome.state;
    expect(st.epoch).toBe(0);
    expect(st.step).toBeGreaterThan(0);
    expect(readMetrics(stopped.runDir)).toEqual([]);
    const resumed = await trained({ resume: stopped.runDir, data });
    expect(resumed.outcome.status).toBe('done');
    expect(resumed.engine.engine).toBe('torch');
    const a = readMetrics(straight.runDir);
    const b = readMetrics(resumed.runDir);
    expect(b.map((m) => m.epoch)).toEqual([1, 2]);
    for (let i = 0; i < 2; i++) {
      expect(b[i].loss).toBeCloseTo(a[i].loss, 9);
      expect(b[i].valAccuracy).toBe(a[i].valAccuracy);
    }
    expect(readFileSync(join(resumed.runDir, 'model/weights.bin'))).toEqual(readFileSync(join(straight.runDir, 'model/weights.bin')));
    // a torch run continues with torch; asking for another engine is refused
    await expect(runTraining({ resume: resumed.runDir, data, engine: 'tfjs', overrides: { epochs: 3 } })).rejects.toThrow(/--engine tfjs: the run was trained with the torch engine/);
  });

  it('Adam with a warm-up and cosine schedule, stopped mid-epoch and resumed: the weights of an uninterrupted run, bit for bit', async () => {
    const text = MLP.replace('optimizer sgd momentum=0.9', 'optimizer adamw weight_decay=0.05').replace('lr 0.05 schedule=exponential gamma=0.9', 'lr 0.003 schedule=cosine min_lr=0.0003 warmup_steps=30');
    const straight = await trained(req({ specText: text }));
    const stopped = await trained(req({ specText: text, hooks: { shouldStop: () => true } }));
    expect(stopped.outcome.status).toBe('interrupted');
    expect(stopped.outcome.state.step).toBeGreaterThan(0);
    const resumed = await trained({ resume: stopped.runDir, data });
    expect(readMetrics(resumed.runDir).map((m) => m.lr)).toEqual(readMetrics(straight.runDir).map((m) => m.lr));
    expect(readFileSync(join(resumed.runDir, 'model/weights.bin'))).toEqual(readFileSync(join(straight.runDir, 'model/weights.bin')));
  });

  it('a hook that throws ends the Python side and surfaces as the error of the run, with no hang', async () => {
    const t0 = Date.now();
    await expect(runTraining(req({ hooks: { onEpochEnd: () => { throw new Error('disk full (simulated)'); } } }))).rejects.toThrow('disk full (simulated)');
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('--nproc 2: two workers with half the batch each end with the weights of one worker with the whole batch', async () => {
    const text = spec('  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax', '  data mnist augment=[translate]\n  optimizer sgd momentum=0.9\n  lr 0.05\n  weight_decay 0.0005\n  batch 50\n  epochs 1\n  seed 7');
    const one = await trained(req({ specText: text }));
    const two = await trained(req({ specText: text, nproc: 2 }));
    expect(two.engine.reason).toContain('2 worker processes (DistributedDataParallel, gloo)');
    const w1 = new Float32Array(readFileSync(join(one.runDir, 'model/weights.bin')).buffer.slice(0));
    const w2 = new Float32Array(readFileSync(join(two.runDir, 'model/weights.bin')).buffer.slice(0));
    expect(relErr(w2, w1)).toBeLessThan(1e-4);
    // and they did train: the weights moved from the shared start
    const [m1] = readMetrics(one.runDir);
    const [m2] = readMetrics(two.runDir);
    expect(m2.loss).toBeCloseTo(m1.loss, 4);
    expect(m2.valAccuracy).toBeCloseTo(m1.valAccuracy!, 2);
  });

  it('--nproc 2 stopped mid-epoch and resumed with 2 workers: the weights of the uninterrupted 2-worker run, bit for bit (dropout included)', async () => {
    const straight = await trained(req({ nproc: 2, overrides: { epochs: 1 } }));
    const stopped = await trained(req({ nproc: 2, overrides: { epochs: 1 }, hooks: { shouldStop: () => true } }));
    expect(stopped.outcome.status).toBe('interrupted');
    expect(stopped.outcome.state).toMatchObject({ epoch: 0 });
    expect(stopped.outcome.state.step).toBeGreaterThan(0);
    const resumed = await trained({ resume: stopped.runDir, data, nproc: 2 });
    expect(resumed.outcome.status).toBe('done');
    expect(readFileSync(join(resumed.runDir, 'model/weights.bin'))).toEqual(readFileSync(join(straight.runDir, 'model/weights.bin')));
  });

  it('a diverging run stops with the tfjs engine\'s message; a Python without torch is one line', async () => {
    const logits = spec('  flatten\n  dense 16\n  dense 10', '  epochs 2');
    const r = await trained(req({ specText: logits, overrides: { lr: 1e30 } }));
    expect(r.outcome.status).toBe('diverged');
    if (r.outcome.status === 'diverged') expect(r.outcome.message).toMatch(/diverged in epoch 1, step \d+: the loss is (NaN|Infinity)/);

    const dir = mkdtempSync(join(tmpdir(), 'hwy-notorch-'));
    const bare = join(dir, 'python-without-torch');
    // the same interpreter without its site-packages: a real Python that has no torch
    writeFileSync(bare, `#!/bin/sh\nexec ${python!.path} -S "$@"\n`);
    chmodSync(bare, 0o755);
    const old = process.env.HWY_PYTHON;
    process.env.HWY_PYTHON = bare;
    try {
      const e = await runTraining(req()).catch((x) => x);
      expect(e).toBeInstanceOf(EngineUnavailable);
      expect(e.message.split('\n')).toHaveLength(1);
      expect(e.message).toContain(`HWY_PYTHON=${bare}`);
      expect(e.message).toMatch(/has no (torch|numpy) module/);
    } finally {
      if (old === undefined) delete process.env.HWY_PYTHON;
      else process.env.HWY_PYTHON = old;
    }
  });
});
