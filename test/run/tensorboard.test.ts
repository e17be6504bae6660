// --tensorboard: event files written by TensorBoard's own writer (torch.utils.tensorboard or
// tensorboardX in Python), read back here with TensorBoard's reader; refused where no writer is.
import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining, type TrainRequest } from '../../src/run/session.js';
import { readMetrics, readRunRecord } from '../../src/run/run-dir.js';
import { epochScalars, findTensorboardWriter, TensorboardUnavailable } from '../../src/run/tensorboard.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';
import { NOISY } from './best-cases.js';
import { pythonOrReason } from '../backends/torch/cases.js';

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 1);
  data = { train: subset(trainval, p.subarray(0, 400), 'train'), validation: subset(trainval, p.subarray(1500, 1600), 'validation'), test: subset(test, permutation(test.count, 2).subarray(0, 100), 'test'), source: 'test subset' };
});

const tmp = () => join(mkdtempSync(join(tmpdir(), 'hwy-tb-')), 'run');
const req = (over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'mlp.hwy', specText: NOISY, backend: 'wasm', data, out: tmp(), overrides: { epochs: 2 }, tensorboard: true, ...over });
const savedPython = process.env.HWY_PYTHON;
afterEach(() => {
  if (savedPython === undefined) delete process.env.HWY_PYTHON;
  else process.env.HWY_PYTHON = savedPython;
});

/** A Python that starts without its site packages: it has no TensorBoard writer, whatever is installed. */
function barePython(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hwy-bare-py-'));
  const path = join(dir, 'python');
  writeFileSync(path, '#!/bin/sh\nexec python3 -S "$@"\n');
  chmodSync(path, 0o755);
  return path;
}

describe('--tensorboard where no writer can be had', () => {
  it('is refused before anything is written, saying what to install', async () => {
    process.env.HWY_PYTHON = barePython();
    expect(() => findTensorboardWriter()).toThrow(TensorboardUnavailable);
    const out = tmp();
    await expect(runTraining(req({ out }))).rejects.toThrow(/--tensorboard needs a Python with TensorBoard's writer: 'pip install tensorboard'.*'pip install tensorboardX'.*HWY_PYTHON=.* has neither tensorboard nor tensorboardX/);
    expect(existsSync(out)).toBe(false);
    process.env.HWY_PYTHON = join(tmpdir(), 'no-such-python-here');
    expect(() => findTensorboardWriter()).toThrow(/no-such-python-here was not found/);
  });

  it('tags every epoch metric, leaving out those a run without a validation split does not have', () => {
    const m = { epoch: 3, loss: 0.5, accuracy: 0.9, valLoss: null, valAccuracy: null, lr: 0.1, seconds: 2, samplesPerSec: 100 };
    expect(epochScalars(m)).toEqual({ 'train/loss': 0.5, 'train/accuracy': 0.9, lr: 0.1, samples_per_sec: 100 });
    expect(Object.keys(epochScalars({ ...m, valLoss: 0.7, valAccuracy: 0.8 }))).toEqual(['train/loss', 'train/accuracy', 'validation/loss', 'validation/accuracy', 'lr', 'samples_per_sec']);
  });
});

let writer: { python: string; library: string } | undefined;
let why = '';
try {
  writer = findTensorboardWriter();
} catch (e) {
  why = (e as Error).message;
}

/** The scalars of a TensorBoard log directory, by tag: [step, value] pairs, read by TensorBoard's reader (or tensorboardX's protobufs). */
function readEvents(dir: string): Record<string, [number, number][]> {
  const code = `
import sys, json, glob, struct
d = sys.argv[1]
out = {}
try:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    a = EventAccumulator(d, size_guidance={'scalars': 0})
    a.Reload()
    for t in a.Tags()['scalars']:
        out[t] = [[e.step, e.value] for e in a.Scalars(t)]
except ImportError:
    from tensorboardX.proto import event_pb2
    for f in sorted(glob.glob(d + '/events.out.tfevents.*')):
        b = open(f, 'rb').read()
        i = 0
        while i < len(b):
            n = struct.unpack('<Q', b[i:i + 8])[0]
            ev = event_pb2.Event()
            ev.ParseFromString(b[i + 12:i + 12 + n])
            i += 12 + n + 4
            for v in ev.summary.value:
                out.setdefault(v.tag, []).append([ev.step, v.simple_value])
print(json.dumps(out))
`;
  const r = spawnSync(writer!.python, ['-c', code, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.skipIf(!writer)(writer ? `--tensorboard (${writer.library}, ${writer.python})` : `--tensorboard: SKIPPED, ${why}`, () => {
  it('writes each epoch of a tfjs run, and a resume goes on writing into the same directory', async () => {
    const r = await runTraining(req());
    if (r.kind !== 'trained') throw new Error();
    expect(r.tensorboardFailure).toBeUndefined();
    expect(readRunRecord(r.runDir).tensorboard).toBe(true);
    expect(readdirSync(join(r.runDir, 'tensorboard')).every((n) => n.startsWith('events.out.tfevents.'))).toBe(true);
    // resumed without the flag: the run writes them because it did
    await runTraining({ resume: r.runDir, data, overrides: { epochs: 3 } });
    const m = readMetrics(r.runDir);
    const ev = readEvents(join(r.runDir, 'tensorboard'));
    const expectSeries = (tag: string, values: number[]) => {
      expect(ev[tag].map(([s]) => s)).toEqual(m.map((x) => x.epoch));
      ev[tag].forEach(([, v], i) => expect(v).toBeCloseTo(values[i], 5));
    };
    expectSeries('train/loss', m.map((x) => x.loss));
    expectSeries('train/accuracy', m.map((x) => x.accuracy));
    expectSeries('validation/loss', m.map((x) => x.valLoss!));
    expectSeries('validation/accuracy', m.map((x) => x.valAccuracy!));
    expectSeries('lr', m.map((x) => x.lr));
  });

  const torch = pythonOrReason();
  it.skipIf(!torch.python)('writes the epochs of a torch run the same way', async () => {
    const r = await runTraining(req({ engine: 'torch', device: 'cpu', backend: undefined, overrides: { epochs: 1 } }));
    if (r.kind !== 'trained') throw new Error();
    const ev = readEvents(join(r.runDir, 'tensorboard'));
    expect(ev['validation/loss'][0][0]).toBe(1);
    expect(ev['validation/loss'][0][1]).toBeCloseTo(readMetrics(r.runDir)[0].valLoss!, 5);
  });
});
