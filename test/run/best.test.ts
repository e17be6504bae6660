// Early stopping, the best checkpoint and metrics.csv, on small real trainings (tfjs engine).
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval, runTraining, type TrainRequest } from '../../src/run/session.js';
import { readMetrics, readRunRecord, readState, METRICS_COLUMNS, type MetricsLine } from '../../src/run/run-dir.js';
import { MonitorError, type MonitorRecord } from '../../src/run/monitor.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';
import { NOISY } from './best-cases.js';

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 1);
  data = { train: subset(trainval, p.subarray(0, 600), 'train'), validation: subset(trainval, p.subarray(1500, 1700), 'validation'), test: subset(test, permutation(test.count, 2).subarray(0, 100), 'test'), source: 'test subset' };
});


const tmp = () => join(mkdtempSync(join(tmpdir(), 'hwy-best-')), 'run');
const req = (over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'mlp.hwy', specText: NOISY, backend: 'wasm', data, out: tmp(), ...over });
async function trained(r: TrainRequest) {
  const out = await runTraining(r);
  if (out.kind !== 'trained') throw new Error('spec errors');
  return out;
}
const monitorOf = (ckpt: string) => (readState(ckpt) as unknown as { monitor: MonitorRecord }).monitor;
const argmin = (m: MetricsLine[], f: (x: MetricsLine) => number) => m.reduce((b, x) => (f(x) < f(b) ? x : b)).epoch;

/** metrics.csv parsed back: its header and rows as numbers (an empty field as null). */
function readCsv(dir: string): { header: string[]; rows: (number | null)[][] } {
  const [head, ...rows] = readFileSync(join(dir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
  return { header: head.split(','), rows: rows.map((r) => r.split(',').map((v) => (v === '' ? null : Number(v)))) };
}
const asRows = (m: MetricsLine[]) => m.map((l) => METRICS_COLUMNS.map((k) => l[k] as number | null));

describe('early stopping and the best checkpoint (tfjs engine)', () => {
  it('stops when val_loss has not improved for --patience epochs, records why, and keeps the best epoch in best/; eval reads either checkpoint', async () => {
    const logs: string[] = [];
    const r = await trained(req({ patience: 2, log: (l) => logs.push(l) }));
    const m = readMetrics(r.runDir);
    const best = argmin(m, (x) => x.valLoss!);
    // stopped as soon as two epochs in a row did not beat the best so far
    expect(m.length).toBe(best + 2);
    expect(m.length).toBeLessThan(6);
    expect(r.outcome.status).toBe('done');
    expect(r.stopped).toMatchObject({ reason: 'early-stopping', epoch: m.length });
    expect(r.stopped!.message).toContain(`val_loss has not improved for 2 epochs (patience 2); the best, ${m[best - 1].valLoss!.toFixed(4)}, was at epoch ${best}`);
    const record = readRunRecord(r.runDir);
    expect(record.stopped).toEqual(r.stopped);
    expect(record.monitor).toEqual({ monitor: 'val_loss', patience: 2, minDelta: 0 });
    expect(r.best).toMatchObject({ monitor: 'val_loss', epoch: best, value: m[best - 1].valLoss });

    // best/ is a whole checkpoint of that epoch, in the same format
    for (const f of ['model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'state.json']) expect(existsSync(join(r.runDir, 'best', f)), f).toBe(true);
    expect(readState(join(r.runDir, 'best')).epoch).toBe(best);
    expect(monitorOf(join(r.runDir, 'model')).best).toEqual({ epoch: best, value: m[best - 1].valLoss });
    expect(readFileSync(join(r.runDir, 'best/weights.bin'))).not.toEqual(readFileSync(join(r.runDir, 'model/weights.bin')));

    const latest = await runEval({ runDir: r.runDir, preloaded: data, backend: 'wasm' });
    expect(latest).toMatchObject({ which: 'latest', epoch: m.length });
    expect(latest.loss).toBeCloseTo(m[m.length - 1].valLoss!, 5);
    const fromBest = await runEval({ runDir: r.runDir, preloaded: data, backend: 'wasm', checkpoint: 'best' });
    expect(fromBest).toMatchObject({ which: 'best', epoch: best, checkpoint: `after epoch ${best}` });
    expect(fromBest.loss).toBeCloseTo(m[best - 1].valLoss!, 5);
    expect(fromBest.accuracy).toBeCloseTo(m[best - 1].valAccuracy!, 10);

    // a resume of the stopped run has nothing to do, unless the patience grows
    const again = await trained({ resume: r.runDir, data, log: (l) => logs.push(l) });
    expect(readMetrics(r.runDir).length).toBe(m.length);
    expect(again.stopped).toEqual(r.stopped);
    expect(logs.join('\n')).toMatch(/nothing to do: .* stopped early after epoch \d+ .*give a larger --patience/);
    const more = await trained({ resume: r.runDir, data, patience: 6 });
    expect(more.stopped).toBeUndefined();
    expect(readMetrics(r.runDir).length).toBe(6);
    const rec = readRunRecord(r.runDir);
    expect(rec.stopped).toBeUndefined();
    expect(rec.monitor).toEqual({ monitor: 'val_loss', patience: 6, minDelta: 0 });
    expect(rec.history!.at(-1)).toMatchObject({ fromEpoch: m.length, patience: 6 });
  });

  it('a resumed run continues from the latest checkpoint and keeps the best record: the same best/ as a run that was never stopped', async () => {
    const straight = await trained(req({ overrides: { epochs: 4 } }));
    const first = await trained(req({ overrides: { epochs: 2 } }));
    const resumed = await trained({ resume: first.runDir, data, overrides: { epochs: 4 } });
    expect(resumed.best).toEqual({ ...straight.best, dir: join(first.runDir, 'best') });
    expect(monitorOf(join(first.runDir, 'model'))).toEqual(monitorOf(join(straight.runDir, 'model')));
    expect(readFileSync(join(first.runDir, 'best/weights.bin'))).toEqual(readFileSync(join(straight.runDir, 'best/weights.bin')));
    expect(readFileSync(join(first.runDir, 'model/weights.bin'))).toEqual(readFileSync(join(straight.runDir, 'model/weights.bin')));
    // best follows the monitor chosen, here the training accuracy
    const acc = await trained(req({ overrides: { epochs: 3 }, monitor: 'accuracy' }));
    const m = readMetrics(acc.runDir);
    const bestAcc = m.reduce((b, x) => (x.accuracy > b.accuracy ? x : b)).epoch;
    expect(acc.best).toMatchObject({ monitor: 'accuracy', epoch: bestAcc });
    expect(readState(join(acc.runDir, 'best')).epoch).toBe(bestAcc);
  });

  it('a crash between committing a new best epoch and copying it leaves best/ behind: the resume copies it', async () => {
    const r = await trained(req({ overrides: { epochs: 1 } }));
    rmSync(join(r.runDir, 'best'), { recursive: true });
    const logs: string[] = [];
    await trained({ resume: r.runDir, data, overrides: { epochs: 2 }, log: (l) => logs.push(l) });
    expect(logs.join('\n')).toContain(`restored ${join(r.runDir, 'best')} from the checkpoint of epoch 1, the best by val_loss`);
    expect(existsSync(join(r.runDir, 'best/state.json'))).toBe(true);
  });

  it('refuses what it cannot honour: a validation metric without a validation split, --min-delta without --patience, another --monitor on resume', async () => {
    const noVal = { ...data, validation: subset(data.validation, new Uint32Array(0), 'validation') };
    await expect(runTraining(req({ data: noVal, monitor: 'val_accuracy' }))).rejects.toThrow(MonitorError);
    await expect(runTraining(req({ data: noVal, monitor: 'val_accuracy' }))).rejects.toThrow(/--monitor val_accuracy: this run has no validation examples/);
    await expect(runTraining(req({ minDelta: 0.1 }))).rejects.toThrow(/--min-delta .* give --patience N too/);
    // without a validation split the default is the training loss
    const r = await trained(req({ data: noVal, overrides: { epochs: 1 } }));
    expect(r.best?.monitor).toBe('loss');
    await expect(runTraining({ resume: r.runDir, data: noVal, monitor: 'accuracy', overrides: { epochs: 2 } })).rejects.toThrow(/--monitor accuracy: the run's best checkpoint follows loss/);
  });

  it('--force replaces best/ and tensorboard/ only when they hold nothing hwy did not write', async () => {
    const r = await trained(req({ overrides: { epochs: 1 } }));
    writeFileSync(join(r.runDir, 'best', 'notes.txt'), 'mine');
    await expect(runTraining(req({ out: r.runDir, force: true }))).rejects.toThrow(/--force: .*best holds files hwy did not write \(best\/notes\.txt\)/);
    rmSync(join(r.runDir, 'best', 'notes.txt'));
    mkdirSync(join(r.runDir, 'tensorboard'));
    writeFileSync(join(r.runDir, 'tensorboard', 'plot.png'), 'mine');
    await expect(runTraining(req({ out: r.runDir, force: true }))).rejects.toThrow(/tensorboard holds files hwy did not write \(tensorboard\/plot\.png\)/);
  });
});

describe('metrics.csv', () => {
  it('holds the rows of metrics.jsonl under one header, and a resume after a crash rewrites both to the checkpoint', async () => {
    const noVal = { ...data, validation: subset(data.validation, new Uint32Array(0), 'validation') };
    const r = await trained(req({ overrides: { epochs: 2 } }));
    const csv = readCsv(r.runDir);
    expect(csv.header).toEqual(['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'seconds', 'samplesPerSec']);
    expect(csv.rows).toEqual(asRows(readMetrics(r.runDir)));

    // a crash after epoch 3's metrics were appended but before its checkpoint, with a line cut short after it
    appendFileSync(join(r.runDir, 'metrics.jsonl'), JSON.stringify({ ...readMetrics(r.runDir)[1], epoch: 3 }) + '\n{"epoch": 4, "lo');
    appendFileSync(join(r.runDir, 'metrics.csv'), '3,1,1,1,1,1,1,1\n4,0.');
    await trained({ resume: r.runDir, data, overrides: { epochs: 3 } });
    const m = readMetrics(r.runDir);
    expect(m.map((x) => x.epoch)).toEqual([1, 2, 3]);
    const after = readCsv(r.runDir);
    expect(after.rows).toEqual(asRows(m));
    expect(readFileSync(join(r.runDir, 'metrics.csv'), 'utf8').match(/^epoch,/gm)).toHaveLength(1);

    // no validation split: the validation columns are empty, not NaN or 'null'
    const nv = await trained(req({ data: noVal, overrides: { epochs: 1 } }));
    const line = readFileSync(join(nv.runDir, 'metrics.csv'), 'utf8').split('\n')[1].split(',');
    expect(line[3]).toBe('');
    expect(line[4]).toBe('');
    expect(Number(line[1])).toBe(readMetrics(nv.runDir)[0].loss);
  });
});
