// hwy does what the spec says or refuses: tiny real runs on both engines.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointLabel, runEval, runTraining, type TrainRequest } from '../../src/run/session.js';
import { readMetrics, readState } from '../../src/run/run-dir.js';
import { estimateTrainingMemory, MEMORY_LIMIT_ENV, NotEnoughMemory, parseMemoryLimit } from '../../src/run/memory.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { DataError, permutation, subset, type Splits } from '../../src/data/dataset.js';
import { compile } from '../../src/core/compile.js';
import { checkedIr, hwy } from '../helpers.js';
import { pythonOrReason } from '../backends/torch/cases.js';

const { python } = pythonOrReason();

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 11);
  data = { train: subset(trainval, p.subarray(0, 200), 'train'), validation: subset(trainval, p.subarray(200, 300), 'validation'), test: subset(test, permutation(test.count, 12).subarray(0, 100), 'test'), source: 'test subset' };
});

const spec = (train: string, body = '  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax') => `network tiny {\n  input 28x28x1\n${body}\n}\ntrain {\n  batch 50\n  seed 4\n${train}\n}\n`;
const out = () => join(mkdtempSync(join(tmpdir(), 'hwy-silent-')), 'run');
const req = (over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'tiny.hwy', specText: spec('  lr 0.05\n  epochs 1'), backend: 'wasm', data, out: out(), ...over });
async function trained(over: Partial<TrainRequest> = {}) {
  const r = await runTraining(req(over));
  if (r.kind !== 'trained') throw new Error(r.compiled.diagnostics.map((d) => d.message).join('; '));
  return r;
}

const engines = [{ name: 'tfjs', over: {} as Partial<TrainRequest> }, ...(python ? [{ name: 'torch', over: { engine: 'torch', device: 'cpu' } as Partial<TrainRequest> }] : [])];

describe('memory: a network that cannot fit is refused before anything is allocated', () => {
  const saved = process.env[MEMORY_LIMIT_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[MEMORY_LIMIT_ENV];
    else process.env[MEMORY_LIMIT_ENV] = saved;
  });
  // 2e9 parameters: 24 GB of weights, gradients and momentum
  const HUGE = 'network huge {\n  input 28x28x1\n  flatten\n  dense 44721\n  dense 44721\n  dense 10 softmax\n}\ntrain {\n  data mnist_full\n}\n';

  it('the estimate counts weights, gradients and momentum, and every layer output of a batch twice', () => {
    const ir = checkedIr(compile(spec('  epochs 1'), 't.hwy'));
    const e = estimateTrainingMemory(ir, { batch: 50, optimizer: { name: 'sgd', momentum: 0.9, nesterov: false } });
    expect(e.paramBytes).toBe(ir.stats.totalParams * 4 * 3);
    expect(estimateTrainingMemory(ir, { batch: 50, optimizer: { name: 'sgd', momentum: 0, nesterov: false } }).paramBytes).toBe(ir.stats.totalParams * 4 * 2);
    // input 784, flatten 784, dense 16, highway 16 (H, T and output: 3x), dense 10
    expect(e.activationBytes).toBe((784 + 784 + 16 + 16 * 3 + 10) * 50 * 4 * 2);
    expect(estimateTrainingMemory(ir, { batch: 100, optimizer: { name: 'sgd', momentum: 0.9, nesterov: false } }).activationBytes).toBe(2 * e.activationBytes);
  });

  for (const { name, over } of engines) {
    it(`a 2e9-parameter spec is refused with the estimate, the memory and what to change (${name}), before data or run directory`, async () => {
      process.env[MEMORY_LIMIT_ENV] = '8G';
      const dir = out();
      // data that does not exist: reaching the loader would fail differently
      const e = await runTraining({ ...req(over), specText: HUGE, data: undefined, dataDir: '/nonexistent/hwy-data', out: dir }).catch((x) => x);
      expect(e).toBeInstanceOf(NotEnoughMemory);
      expect(e.message).toMatch(/needs about 2[0-9.]+ GiB .*2,0\d\d,\d{3},\d{3} parameters.*8\.0 GiB is the limit HWY_MEMORY_LIMIT=8G: make the layers narrower .* or the network shallower/);
      expect(existsSync(dir)).toBe(false);
    });
  }

  it('activations of a large batch: the advice is the batch', async () => {
    process.env[MEMORY_LIMIT_ENV] = '64M';
    const conv = spec('  epochs 1', '  conv 32 3x3 relu padding=same\n  highway conv 3x3 relu\n  flatten\n  dense 10 softmax').replace('batch 50', 'batch 5000');
    const e = await runTraining(req({ specText: conv })).catch((x) => x);
    expect(e).toBeInstanceOf(NotEnoughMemory);
    expect(e.message).toMatch(/for the activations of a batch of 5000\), but 64\.0 MiB is the limit .*: lower the batch \(--batch; 5000 now\)/);
    // the same network with a batch that fits trains
    const ok = await trained({ specText: conv.replace('batch 5000', 'batch 20'), overrides: { epochs: 1 } });
    expect(ok.outcome.status).toBe('done');
  });

  it('limits are read as sizes; a limit that is not one is refused, not ignored', async () => {
    expect(parseMemoryLimit('8G')).toBe(8 * 2 ** 30);
    expect(parseMemoryLimit('512MiB')).toBe(512 * 2 ** 20);
    expect(parseMemoryLimit('1000')).toBe(1000);
    expect(parseMemoryLimit('lots')).toBeUndefined();
    process.env[MEMORY_LIMIT_ENV] = 'lots';
    await expect(runTraining(req())).rejects.toThrow(/HWY_MEMORY_LIMIT='lots' is not a size/);
  });
});

describe('too few examples', () => {
  for (const { name, over } of engines) {
    it(`no training examples is refused before training (${name}); one trains, and an empty validation split reports no validation metrics, not NaN`, async () => {
      const none: Splits = { ...data, train: subset(data.train, []) };
      const dir = out();
      const e = await runTraining(req({ ...over, data: none, out: dir })).catch((x) => x);
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toMatch(/no training examples/);
      expect(existsSync(dir)).toBe(false);

      const one: Splits = { ...data, train: subset(data.train, [0]), validation: subset(data.validation, []) };
      const r = await trained({ ...over, data: one, overrides: { epochs: 2 } });
      expect(r.outcome.status).toBe('done');
      const m = readMetrics(r.runDir);
      expect(m.map((x) => x.epoch)).toEqual([1, 2]);
      for (const x of m) {
        expect(Number.isFinite(x.loss)).toBe(true);
        expect(x.valLoss).toBeNull();
        expect(x.valAccuracy).toBeNull();
      }
      await expect(runEval({ runDir: r.runDir, preloaded: one, backend: 'wasm' })).rejects.toThrow(/validation split .* holds no examples/);
    });
  }
});

describe('a diverged run names the checkpoint it kept', () => {
  // the learning rate jumps by 1e30 after epoch 1: epoch 2 diverges, epoch 1's checkpoint stays
  const jump = spec('  lr 0.01 schedule=multistep gamma=1e30 steps=[1]\n  epochs 3', '  flatten\n  dense 16\n  dense 10');
  for (const { name, over } of engines) {
    it(`diverging in epoch 2 keeps epoch 1 and says so (${name})`, async () => {
      const r = await trained({ ...over, specText: jump });
      expect(r.outcome.status).toBe('diverged');
      if (r.outcome.status !== 'diverged') return;
      expect(r.outcome.message).toMatch(/diverged in epoch 2/);
      const onDisk = readState(join(r.runDir, 'model'));
      expect(onDisk.epoch).toBe(1);
      expect(r.outcome.state.epoch).toBe(onDisk.epoch);
      expect(r.outcome.state.step).toBe(onDisk.step);
      expect(r.outcome.state.savedAt).toBeTruthy();
    });
  }

  it('diverging before the first checkpoint says that none was kept', async () => {
    const r = await trained({ specText: spec('  lr 0.01\n  epochs 2', '  flatten\n  dense 16\n  dense 10'), overrides: { lr: 1e30 } });
    expect(r.outcome.status).toBe('diverged');
    expect(r.outcome.state.savedAt).toBe('');
    expect(existsSync(join(r.runDir, 'model', 'state.json'))).toBe(false);
  });
});

describe('weights that are no longer numbers are a divergence, never a checkpoint', () => {
  // softmax outputs: the loss is clipped at -log(1e-7), so it stays finite however broken the weights are
  const soft = spec('  lr 0.01\n  epochs 2');
  for (const { name, over } of engines) {
    it(`--lr 1e30 on a softmax network diverges in epoch 1 and keeps no checkpoint (${name})`, async () => {
      const r = await trained({ ...over, specText: soft, overrides: { lr: 1e30 } });
      expect(r.outcome.status).toBe('diverged');
      if (r.outcome.status !== 'diverged') return;
      expect(r.outcome.message).toMatch(/^training diverged in epoch 1, step \d+: the loss is NaN$/);
      expect(r.outcome.state.savedAt).toBe('');
      expect(existsSync(join(r.runDir, 'model', 'state.json'))).toBe(false);
      expect(existsSync(join(r.runDir, 'best', 'state.json'))).toBe(false);
      expect(r.best).toBeUndefined();
    });

    it(`NaN in the training examples diverges at its first batch (${name})`, async () => {
      const x = Float32Array.from(data.train.x);
      x[5] = NaN;
      const nan: Splits = { ...data, train: { ...data.train, x } };
      const r = await trained({ ...over, data: nan, specText: soft });
      expect(r.outcome.status).toBe('diverged');
      if (r.outcome.status !== 'diverged') return;
      expect(r.outcome.message).toMatch(/^training diverged in epoch 1, step \d+: the loss is NaN$/);
      expect(existsSync(join(r.runDir, 'model', 'state.json'))).toBe(false);
    });
  }

  for (const { name, over } of engines) {
    it(`an update that breaks the weights in the last step of an epoch is caught before that epoch is checkpointed (${name})`, async () => {
      // one step an epoch on 0-255 pixels at the largest float32 rate: the step's loss is finite, its update overflows
      const x = data.train.x.map((v) => v * 255);
      const r = await trained({ ...over, data: { ...data, train: { ...data.train, x } }, specText: spec('  lr 0.01\n  epochs 2').replace('batch 50', 'batch 200'), overrides: { lr: 3e38 } });
      expect(r.outcome.status).toBe('diverged');
      if (r.outcome.status !== 'diverged') return;
      expect(r.outcome.message).toBe('training diverged in epoch 1, step 1: the weights are no longer finite (NaN or Infinity)');
      expect(existsSync(join(r.runDir, 'model', 'state.json'))).toBe(false);
      expect(existsSync(join(r.runDir, 'best'))).toBe(false);
      expect(readMetrics(r.runDir)).toEqual([]);
    });
  }
});

describe.skipIf(!python)('the torch engine trains on its cached arrays only when they hold the data', () => {
  const saved = process.env.HWY_CACHE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.HWY_CACHE_DIR;
    else process.env.HWY_CACHE_DIR = saved;
  });
  it('a tampered train_x.npy is written again, said in the log, and the run matches one on intact data', async () => {
    process.env.HWY_CACHE_DIR = mkdtempSync(join(tmpdir(), 'hwy-silent-cache-'));
    const torch = { engine: 'torch', device: 'cpu' } as Partial<TrainRequest>;
    const first = await trained(torch);
    const [key] = readdirSync(join(process.env.HWY_CACHE_DIR, 'arrays'));
    const x = join(process.env.HWY_CACHE_DIR, 'arrays', key, 'train_x.npy');
    const bytes = readFileSync(x);
    // every pixel of the training set zeroed, the file's size unchanged
    const header = 10 + bytes.readUInt16LE(8);
    writeFileSync(x, Buffer.concat([bytes.subarray(0, header), Buffer.alloc(bytes.length - header)]));
    const lines: string[] = [];
    const second = await trained({ ...torch, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/the cached arrays in .* did not hold the data they are named after \(train_x\.npy\): written again/);
    expect(readFileSync(x)).toEqual(bytes);
    expect(readMetrics(second.runDir)[0].loss).toBe(readMetrics(first.runDir)[0].loss);
  });
});

describe('eval of a run stopped mid-epoch', () => {
  it('labels the weights with the steps of the interrupted epoch, in text and JSON', async () => {
    let progress = 0;
    const r = await trained({ specText: spec('  lr 0.05\n  epochs 2').replace('batch 50', 'batch 10'), hooks: { onProgress: () => progress++, shouldStop: () => progress >= 1 } });
    expect(r.outcome.status).toBe('interrupted');
    const { epoch, step } = r.outcome.state;
    expect(step).toBeGreaterThan(0);
    const e = await runEval({ runDir: r.runDir, preloaded: data, backend: 'wasm' });
    expect(e.epoch).toBe(epoch);
    expect(e.step).toBe(step);
    expect(e.checkpoint).toBe(`${step} steps into epoch ${epoch + 1} (interrupted)`);
    expect(checkpointLabel({ epoch: 3, step: 0 })).toBe('after epoch 3');
    expect(checkpointLabel({ epoch: 0, step: 1 })).toBe('1 step into epoch 1 (interrupted)');
    // a run interrupted in its first epoch is not "after epoch 0"
    expect(checkpointLabel({ epoch: 0, step: 12 })).toBe('12 steps into epoch 1 (interrupted)');

    const text = hwy(['eval', r.runDir, '--device', 'wasm']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toContain(`, latest checkpoint (model/) ${step} steps into epoch ${epoch + 1} (interrupted), validation split`);
    const json = hwy(['eval', r.runDir, '--device', 'wasm', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ epoch, step, checkpoint: e.checkpoint });
  });
});

describe('the CLI says it in one line', () => {
  const project = () => mkdtempSync(join(tmpdir(), 'hwy-silent-cli-'));
  it('a diverged run names the epoch of the checkpoint kept; a network too large for the memory limit exits 2 without a stack', () => {
    const d = project();
    const file = join(d, 'jump.hwy');
    writeFileSync(file, 'network jump {\n  input 28x28x1\n  flatten\n  dense 16\n  dense 10\n}\ntrain {\n  lr 0.01 schedule=multistep gamma=1e30 steps=[1]\n  batch 500\n  epochs 3\n}\n');
    const r = hwy(['train', file, '--out', join(d, 'run'), '--device', 'wasm', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/diverged in epoch 2, step \d+: .*The last good checkpoint \(after epoch 1\) is kept in /);

    // softmax outputs, whose clipped loss stays finite: still a divergence, exit 1, no best checkpoint
    const soft = join(d, 'soft.hwy');
    writeFileSync(soft, 'network soft {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  dense 10 softmax\n}\ntrain {\n  batch 500\n  epochs 2\n}\n');
    const nan = hwy(['train', soft, '--lr', '1e30', '--out', join(d, 'soft'), '--device', 'wasm', '--no-progress']);
    expect(nan.code).toBe(1);
    expect(nan.stderr).toMatch(/hwy: training diverged in epoch 1, step \d+: the loss is NaN\. No checkpoint was kept/);
    expect(nan.stderr).not.toMatch(/best checkpoint/);
    expect(existsSync(join(d, 'soft', 'best'))).toBe(false);

    const big = hwy(['train', file, '--out', join(d, 'big'), '--device', 'wasm', '--no-progress'], { env: { [MEMORY_LIMIT_ENV]: '1K' } });
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/training jump needs about .* but 1\.0 KiB is the limit HWY_MEMORY_LIMIT=1K/);
    expect(big.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(d, 'big'))).toBe(false);
  });
});
