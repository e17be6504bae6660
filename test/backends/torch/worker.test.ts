// The torch engine's long-lived worker (a sweep's job slot): runs trained one after another in
// one Python process train exactly as they do in processes of their own, the second as the
// first (nothing of one run reaches the next), and a worker that dies fails only its run.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining, type TrainRequest } from '../../../src/run/session.js';
import { readMetrics } from '../../../src/run/run-dir.js';
import { loadBundledMnist } from '../../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../../src/data/dataset.js';
import { torchEngine } from '../../../src/backends/torch/engine.js';
import type { TorchWorker } from '../../../src/backends/torch/worker.js';
import { EngineKilled, EngineUnavailable } from '../../../src/backends/engine.js';
import { pythonOrReason, torchTitle } from './cases.js';

const { python, reason } = pythonOrReason();
const title = torchTitle(python, reason);

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 4);
  data = { train: subset(trainval, p.subarray(0, 300), 'train'), validation: subset(trainval, p.subarray(300, 360), 'validation'), test: subset(test, [0, 1, 2]), source: 'test subset' };
});

// dropout draws its masks from torch's generator: a run whose generator were not seeded by its
// own job (only when the worker started) would draw other masks from its second run on
const SPEC = (seed: number, optimizer: string) =>
  `network n {\n  input 28x28x1\n  flatten\n  dropout 0.2\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dropout 0.3\n  dense 10 softmax\n}\ntrain {\n  optimizer ${optimizer}\n  lr 0.05\n  batch 32\n  epochs 2\n  seed ${seed}\n}\n`;
const RUNS = [
  { seed: 1, optimizer: 'sgd momentum=0.9', threads: 2 },
  { seed: 2, optimizer: 'adam', threads: 1 },
];

const tmp = () => join(mkdtempSync(join(tmpdir(), 'hwy-torch-worker-')), 'run');
const req = (r: (typeof RUNS)[number], over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'n.hwy', specText: SPEC(r.seed, r.optimizer), engine: 'torch', device: 'cpu', threads: r.threads, data, out: tmp(), ...over });

async function trained(r: TrainRequest) {
  const out = await runTraining(r);
  if (out.kind !== 'trained') throw new Error('spec errors');
  expect(out.outcome.status).toBe('done');
  return { losses: readMetrics(out.runDir).map((m) => [m.loss, m.valLoss]), weights: readFileSync(join(out.runDir, 'model', 'weights.bin')) };
}

const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe.skipIf(!python)(title('the torch worker'), () => {
  it('trains runs one after another in one process, each as a fresh process trains it', async () => {
    const fresh = [];
    for (const r of RUNS) fresh.push(await trained(req(r)));
    const worker = torchEngine.openWorker!() as TorchWorker;
    const pids: (number | undefined)[] = [];
    const reused = [];
    try {
      for (const r of RUNS) {
        reused.push(await trained(req(r, { worker })));
        pids.push(worker.pid);
      }
      // one process trained both
      expect(pids[0]).toBeGreaterThan(0);
      expect(pids[1]).toBe(pids[0]);
    } finally {
      await worker.close();
    }
    expect(gone(pids[0]!)).toBe(true);
    for (let k = 0; k < RUNS.length; k++) {
      expect(reused[k].losses, `run ${k + 1}`).toEqual(fresh[k].losses);
      expect(reused[k].weights.equals(fresh[k].weights), `run ${k + 1}: weights.bin`).toBe(true);
    }
    // the runs differ from each other: equal curves above are not two copies of one run
    expect(fresh[1].losses).not.toEqual(fresh[0].losses);
  }, 240_000);

  it('a run stopped mid-epoch in the worker and resumed in it ends with the weights of an uninterrupted run', async () => {
    const straight = await trained(req(RUNS[0]));
    const worker = torchEngine.openWorker!() as TorchWorker;
    try {
      // asked to stop from the start: the stop follows the job on the worker's stdin, so it stops
      // this run at its first step boundary (and is not taken for a stop left from a run before)
      const stopped = await runTraining(req(RUNS[0], { worker, hooks: { shouldStop: () => true } }));
      if (stopped.kind !== 'trained') throw new Error('spec errors');
      expect(stopped.outcome.status).toBe('interrupted');
      expect(stopped.outcome.state.epoch).toBe(0);
      expect(stopped.outcome.state.step).toBeGreaterThan(0);
      const pid = worker.pid;
      const resumed = await trained({ resume: stopped.runDir, data, worker });
      expect(worker.pid).toBe(pid);
      expect(resumed.losses).toEqual(straight.losses);
      expect(resumed.weights.equals(straight.weights)).toBe(true);
    } finally {
      await worker.close();
    }
  }, 240_000);

  it("a checkpoint the worker refuses to load is that run's one-line error, and the same process trains the next run", async () => {
    const worker = torchEngine.openWorker!() as TorchWorker;
    try {
      const first = await runTraining(req(RUNS[0], { worker }));
      if (first.kind !== 'trained') throw new Error('spec errors');
      const pid = worker.pid;
      // a pickle that is not hwy's checkpoint format, its checksum and size in state.json made to match (as whoever put it there could)
      const pt = join(first.runDir, 'model', 'torch.pt');
      expect(spawnSync(python!.path, ['-c', `import torch; torch.save({'weights': [1, 2, 3]}, ${JSON.stringify(pt)})`]).status).toBe(0);
      const sp = join(first.runDir, 'model', 'state.json');
      const st = JSON.parse(readFileSync(sp, 'utf8'));
      st.sha256['torch.pt'] = createHash('sha256').update(readFileSync(pt)).digest('hex');
      st.bytes['torch.pt'] = readFileSync(pt).length;
      writeFileSync(sp, JSON.stringify(st, null, 2));
      const e = await runTraining({ resume: first.runDir, data, worker, overrides: { epochs: 3 } }).catch((x) => x);
      expect(e).toBeInstanceOf(EngineUnavailable);
      expect((e as Error).message).toMatch(/torch\.pt is not a torch checkpoint written by this hwy \(format None, expected 2\)$/);
      expect(worker.pid).toBe(pid);
      await trained(req(RUNS[1], { worker }));
      expect(worker.pid).toBe(pid);
    } finally {
      await worker.close();
    }
  }, 240_000);

  it('a worker killed mid-run fails that run with the usual message, and the next run gets a new process', async () => {
    const worker = torchEngine.openWorker!() as TorchWorker;
    try {
      await trained(req(RUNS[0], { worker }));
      const first = worker.pid!;
      let killed = false;
      const e = await runTraining(
        req(RUNS[1], {
          worker,
          hooks: {
            onEpochStart: (epoch) => {
              if (epoch === 2 && !killed) {
                killed = true;
                process.kill(first, 'SIGKILL');
              }
            },
          },
        }),
      ).catch((x) => x);
      expect(e).toBeInstanceOf(EngineKilled);
      expect((e as Error).message).toMatch(/^the torch worker \(Python\) was killed by SIGKILL \(perhaps out of memory/);
      // the checkpoint of epoch 1 is what the run keeps
      expect((e as EngineKilled).kept.epoch).toBe(1);
      expect(worker.pid).toBeUndefined();
      const again = await trained(req(RUNS[0], { worker }));
      const second = worker.pid!;
      expect(second).toBeGreaterThan(0);
      expect(second).not.toBe(first);
      expect(again.losses.length).toBe(2);
      // a hook that throws leaves Python waiting for an answer: that process is ended too, not reused
      await expect(runTraining(req(RUNS[1], { worker, hooks: { onEpochEnd: () => { throw new Error('disk full (simulated)'); } } }))).rejects.toThrow('disk full (simulated)');
      expect(gone(second)).toBe(true);
      await trained(req(RUNS[1], { worker }));
      expect(worker.pid).not.toBe(second);
    } finally {
      await worker.close();
    }
  }, 240_000);
});
