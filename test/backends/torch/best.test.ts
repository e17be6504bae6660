// Early stopping and the best checkpoint with the torch engine: the stop is decided in Node and
// reaches Python before the epoch's checkpoint; best/ holds torch.pt as model/ does.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval, runTraining, type TrainRequest } from '../../../src/run/session.js';
import { readMetrics, readState } from '../../../src/run/run-dir.js';
import { loadBundledMnist } from '../../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../../src/data/dataset.js';
import { NOISY } from '../../run/best-cases.js';
import { pythonOrReason, torchTitle } from './cases.js';

const { python, reason } = pythonOrReason();
const title = torchTitle(python, reason);

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 1);
  data = { train: subset(trainval, p.subarray(0, 600), 'train'), validation: subset(trainval, p.subarray(1500, 1700), 'validation'), test: subset(test, permutation(test.count, 2).subarray(0, 100), 'test'), source: 'test subset' };
});

const tmp = () => join(mkdtempSync(join(tmpdir(), 'hwy-torch-best-')), 'run');
const req = (over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'mlp.hwy', specText: NOISY, engine: 'torch', device: 'cpu', data, out: tmp(), ...over });
async function trained(r: TrainRequest) {
  const out = await runTraining(r);
  if (out.kind !== 'trained') throw new Error('spec errors');
  return out;
}

describe.skipIf(!python)(title('early stopping and best/ with the torch engine'), () => {
  it('stops after the epoch that used up the patience (no epoch more), with best/ a whole torch checkpoint that eval reads', async () => {
    const r = await trained(req({ patience: 2 }));
    const m = readMetrics(r.runDir);
    const best = m.reduce((b, x) => (x.valLoss! < b.valLoss! ? x : b)).epoch;
    expect(m.length).toBe(best + 2);
    expect(m.length).toBeLessThan(6);
    expect(r.outcome).toMatchObject({ status: 'done', state: { epoch: m.length, step: 0 } });
    expect(readState(join(r.runDir, 'model')).epoch).toBe(m.length);
    expect(r.stopped).toMatchObject({ reason: 'early-stopping', epoch: m.length });
    expect(r.best).toMatchObject({ epoch: best, value: m[best - 1].valLoss });
    for (const f of ['model.json', 'weights.bin', 'torch.pt', 'state.json']) expect(existsSync(join(r.runDir, 'best', f)), f).toBe(true);
    expect(readState(join(r.runDir, 'best')).epoch).toBe(best);
    const e = await runEval({ runDir: r.runDir, preloaded: data, backend: 'cpu', checkpoint: 'best' });
    expect(e).toMatchObject({ which: 'best', epoch: best });
    expect(Math.abs(e.accuracy - m[best - 1].valAccuracy!)).toBeLessThanOrEqual(1e-4);
    expect(e.loss).toBeCloseTo(m[best - 1].valLoss!, 3);
  });

  it('a resume continues from the latest checkpoint (torch.pt) and keeps the best record: best/ as in a run never stopped', async () => {
    const straight = await trained(req({ overrides: { epochs: 4 } }));
    const first = await trained(req({ overrides: { epochs: 2 } }));
    const resumed = await trained({ resume: first.runDir, data, overrides: { epochs: 4 } });
    expect(resumed.best).toEqual({ ...straight.best, dir: join(first.runDir, 'best') });
    for (const f of ['best/weights.bin', 'model/weights.bin']) expect(readFileSync(join(first.runDir, f)), f).toEqual(readFileSync(join(straight.runDir, f)));
    expect(readMetrics(first.runDir).map((x) => x.valLoss)).toEqual(readMetrics(straight.runDir).map((x) => x.valLoss));
  });
});
