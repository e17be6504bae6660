// The sweep runner on the tfjs engine, small and real: a plan's grid points x trials x seeds
// trained through the training session, stopped by the plan's rule, recorded, resumed, and
// summarised without claiming more than the runs show.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep, ExperimentError, type SweepProgress } from '../../src/experiment/runner.js';
import type { Search, TrialTicket } from '../../src/experiment/search.js';
import { randomSearch } from '../../src/experiment/random.js';
import { readMetrics, readRunRecord } from '../../src/run/run-dir.js';
import { lockDir } from '../../src/run/lock.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';
import { TINY_SPEC, tinyPlan } from './plans.js';

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 11);
  data = { train: subset(trainval, p.subarray(0, 256), 'train'), validation: subset(trainval, p.subarray(256, 320), 'validation'), test: subset(test, Array.from({ length: 20 }, (_, i) => i)), source: 'subset' };
});

function setup(prefix: string): { dir: string; spec: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const spec = join(dir, 'tiny.hwy');
  writeFileSync(spec, TINY_SPEC);
  return { dir, spec, out: join(dir, 'sweep') };
}

describe('runSweep (tfjs)', () => {
  it('trains grid points x trials x seeds, records each trial, writes the results; a second start reuses them; a longer cap continues the runs', async () => {
    const { spec, out } = setup('hwy-exp-run-');
    const plan = tinyPlan(spec);
    const progress: SweepProgress[] = [];
    const r = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, onProgress: (p) => progress.push(p) });
    expect(r.complete).toBe(true);
    expect(r.total).toBe(4);
    expect(r.records.map((x) => x.name)).toEqual(['tiny-width4-t1', 'tiny-width4-t2', 'tiny-width8-t1', 'tiny-width8-t2']);
    for (const rec of r.records) {
      // patience 0 and a cap of 2 epochs: every run is capped, never called converged
      expect(rec.status).toBe('capped');
      expect(rec.runs.map((x) => [x.status, x.epochs, x.convergedEpoch])).toEqual([
        ['capped', 2, null],
        ['capped', 2, null],
      ]);
      // random search: trial t trains with the plan's seeds offset by t - 1
      expect(rec.runs.map((x) => x.seed)).toEqual([rec.trial!, rec.trial! + 1]);
      const objectives = rec.runs.map((x) => x.objective);
      expect(rec.objective).toBeCloseTo((objectives[0] + objectives[1]) / 2, 12);
      expect(rec.std).toBeCloseTo(Math.abs(objectives[0] - objectives[1]) / Math.SQRT2, 12);
      // the objective is the final validation loss of each run's metrics
      for (const run of rec.runs) expect(run.objective).toBe(readMetrics(join(out, run.run)).at(-1)!.valLoss);
      const record = readRunRecord(join(out, rec.runs[0].run));
      expect(record.overrides).toEqual({ width: rec.point.values.width });
      expect(record.settings).toEqual([`train.lr=${rec.params['train.lr']}`]);
      expect(record.config.seed).toBe(rec.runs[0].seed);
      expect(record.config.lr.value).toBe(rec.params['train.lr']);
    }
    // the same draws as the search gives on its own
    const search = randomSearch(plan);
    const t1 = (await search.ask({ network: 'tiny', values: { width: 4 } })) as TrialTicket;
    expect(r.records[0].params).toEqual(t1.params);
    expect(progress.at(-1)).toMatchObject({ done: 4, total: 4, trainedNow: 4 });
    expect(Object.keys(progress.at(-1)!.best).sort()).toEqual(['tiny-width4', 'tiny-width8']);

    const md = readFileSync(join(out, 'sweep.md'), 'utf8');
    expect(md).toContain('All 4 trials finished.');
    expect(md).toContain('inconclusive: 4 trials reached the cap of 2 epochs before converging');
    expect(md).toMatch(/\| tiny-width4 \| [\d.e-]+ ± [\d.e-]+ \(2 seeds\) \| capped \| 2, 2 \| 2 \|/);
    const csv = readFileSync(join(out, 'trials.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('trial,group,network,width,train.lr,seed,status,stopped,epochs,objective,trial_objective,trial_std,trial_status,final_loss,final_accuracy,val_loss,val_accuracy,converged_epoch,at_chance,seconds,run');
    expect(csv.length).toBe(1 + 8);
    const json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(json).toMatchObject({ complete: true, finished: 4, total: 4, sampler: 'random' });
    expect(json.groups.map((g: { group: string }) => g.group)).toEqual(['tiny-width4', 'tiny-width8']);

    // started again: every trial's record is reused, nothing trains
    const metricsFile = join(out, r.records[0].runs[0].run, 'metrics.jsonl');
    const before = statSync(metricsFile).mtimeMs;
    const lines: string[] = [];
    const again = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, log: (s) => lines.push(s) });
    expect(lines.filter((l) => l.startsWith('trial ')).every((l) => l.includes('(done before: capped)'))).toBe(true);
    expect(statSync(metricsFile).mtimeMs).toBe(before);
    expect(again.records.map((x) => x.objective)).toEqual(r.records.map((x) => x.objective));

    // started again with a search whose study has had every trial (Optuna's, kept in the sweep
    // directory, asks for no more): the recorded trials still make the summary
    const exhausted: Search = { ask: async () => null, report: async () => false, tell: async () => {}, close: async () => {} };
    const done = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, search: exhausted, log: () => {} });
    expect(done.complete).toBe(true);
    expect(done.records.map((x) => [x.name, x.objective])).toEqual(r.records.map((x) => [x.name, x.objective]));
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(/\| tiny-width4 \| [\d.e-]+ ± [\d.e-]+ \(2 seeds\) \| capped \| 2, 2 \| 2 \|/);
    expect(readFileSync(join(out, 'trials.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 8);

    // a cap of 3: the capped runs continue from their checkpoints (their first two epochs kept)
    const early = readMetrics(join(out, r.records[0].runs[0].run)).map((m) => m.loss);
    const more = await runSweep({ plan: tinyPlan(spec, { stop: { maxEpochs: 3, patience: 0 } }), out, preloaded: data, device: 'wasm', figures: false });
    expect(more.records.every((x) => x.runs.every((run) => run.epochs === 3))).toBe(true);
    expect(readMetrics(join(out, r.records[0].runs[0].run)).slice(0, 2).map((m) => m.loss)).toEqual(early);
  }, 240_000);

  it('a sweep stopped between trials is partial and says so; started again it trains only what is left', async () => {
    const { spec, out } = setup('hwy-exp-stop-');
    const plan = tinyPlan(spec, { seeds: [1], stop: { maxEpochs: 1 } });
    let finished = 0;
    const first = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, onProgress: (p) => (finished = p.done), shouldStop: () => finished >= 1 });
    expect(first.complete).toBe(false);
    expect(first.records.length).toBe(1);
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toContain('Partial: 1 of 4 trials finished; run the same command again to continue.');
    const lines: string[] = [];
    const rest = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, log: (s) => lines.push(s) });
    expect(rest.complete).toBe(true);
    expect(lines.filter((l) => l.includes('(done before'))).toHaveLength(1);
    expect(rest.records.length).toBe(4);
  }, 240_000);

  it("refuses a run directory, or a directory of someone's files, as --out before writing anything", async () => {
    const { dir, spec } = setup('hwy-exp-notsweep-');
    const plan = tinyPlan(spec, { seeds: [1], trials: 1, grid: [], stop: { maxEpochs: 1 } });
    const run = join(dir, 'run');
    mkdirSync(join(run, 'model'), { recursive: true });
    writeFileSync(join(run, 'run.json'), '{}\n');
    await expect(runSweep({ plan, out: run, preloaded: data, figures: false })).rejects.toThrow(`'${run}' is a hwy run directory (hwy train's), not a sweep directory: hwy sweep does not write into it; choose a new or empty --out`);
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.txt'), 'mine\n');
    await expect(runSweep({ plan, out: project, preloaded: data, figures: false })).rejects.toThrow(/'.*project' already exists, is not empty and is not a hwy sweep directory \(1 entry, no plan.json\)/);
    expect(readdirSync(run).sort()).toEqual(['model', 'run.json']);
    expect(readdirSync(project)).toEqual(['notes.txt']);
  });

  it('refuses another plan in the same directory, naming what differs; a constant no network has; --jobs with tfjs', async () => {
    const { spec, out } = setup('hwy-exp-refuse-');
    const plan = tinyPlan(spec, { seeds: [1], trials: 1, grid: [], stop: { maxEpochs: 1 } });
    await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false });
    await expect(runSweep({ plan: { ...plan, seed: 4 }, out, preloaded: data, device: 'wasm', figures: false })).rejects.toThrow(/holds a sweep with another plan \(its seed differ\)/);
    writeFileSync(spec, TINY_SPEC.replace('lr 0.05', 'lr 0.06'));
    await expect(runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false })).rejects.toThrow(/a network's spec text differ/);
    const other = join(out, '..', 'other');
    await expect(runSweep({ plan: { ...plan, grid: [{ name: 'depht', target: 'constant', values: [2] }] }, out: other, preloaded: data, figures: false })).rejects.toThrow(new ExperimentError("'depht' is not a constant of any of the sweep's networks (tiny)"));
    await expect(runSweep({ plan, out: other, preloaded: data, figures: false, jobs: 2 })).rejects.toThrow(/--jobs 2: the tfjs engine trains in this process/);
    expect(existsSync(join(other, 'trials'))).toBe(false);
  }, 120_000);

  it('a diverged trial is recorded as diverged and the search goes on; one stuck at chance is not called converged', async () => {
    const { spec, out } = setup('hwy-exp-div-');
    // logits, not softmax: the clipped softmax loss stays finite however large the weights grow
    writeFileSync(spec, TINY_SPEC.replace('dense 10 softmax', 'dense 10'));
    const plan = tinyPlan(spec, {
      grid: [],
      seeds: [1, 2],
      trials: 2,
      sampler: 'grid',
      space: [{ name: 'train.lr', target: 'setting', dist: { type: 'choice', choices: [1e30, 1e-9] } }],
      objective: { metric: 'loss', direction: 'minimize', reduce: 'final' },
      stop: { maxEpochs: 6, patience: 1, minImprovement: 0.5 },
    });
    const r = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false });
    const [div, flat] = r.records;
    expect(div.params["train.lr"]).toBe(1e30);
    expect(div.status).toBe('diverged');
    // its other seed is not trained: the trial has no objective to average
    expect(div.runs.map((x) => x.status)).toEqual(['diverged']);
    expect(Number.isNaN(div.objective)).toBe(true);
    expect(flat.status).toBe('done');
    expect(flat.runs.every((x) => x.stopped === 'plateau' && x.atChance && x.convergedEpoch === null)).toBe(true);
    // the grid sampler: both trials start from the seeds as written
    expect(flat.runs.map((x) => x.seed)).toEqual([1, 2]);
    const md = readFileSync(join(out, 'sweep.md'), 'utf8');
    expect(md).toContain('1 trial diverged (a non-finite loss); the search went on.');
    expect(md).toContain('1 trial never left chance level');
    expect(md).toContain('but it stayed at chance level: nothing learned');
    expect(md).not.toMatch(/converged \(by epoch/);
  }, 120_000);

  it("reports each epoch's objective to the search, which may prune: the trial is pruned and its other seeds are not trained", async () => {
    const { spec, out } = setup('hwy-exp-prune-');
    const plan = tinyPlan(spec, { grid: [], trials: 2, stop: { maxEpochs: 4, patience: 0 } });
    const inner = randomSearch(plan);
    const reports: [number, number, number][] = [];
    const told: [number, string][] = [];
    // prunes the first trial after its second epoch, keeps the second
    const search: Search = {
      ask: (p) => inner.ask(p),
      report: async (t, step, value) => {
        reports.push([t.id, step, value]);
        return t.id === 0 && step >= 2;
      },
      tell: async (t, end) => void told.push([t.id, end.state]),
      close: async () => {},
    };
    const r = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, search });
    const [pruned, kept] = r.records;
    expect(pruned.status).toBe('pruned');
    expect(pruned.runs.length).toBe(1);
    expect(pruned.runs[0].epochs).toBeLessThan(4);
    expect(kept.status).toBe('capped');
    expect(kept.runs.length).toBe(2);
    // only the first seed's epochs are reported, each once, with its validation loss
    expect(reports.filter(([id]) => id === 1).map(([, step]) => step)).toEqual([1, 2, 3, 4]);
    const m = readMetrics(join(out, kept.runs[0].run));
    expect(reports.filter(([id]) => id === 1).map(([, , v]) => v)).toEqual(m.map((x) => x.valLoss));
    expect(told).toEqual([
      [0, 'pruned'],
      [1, 'complete'],
    ]);
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toContain('1 trial pruned by the search');
  }, 120_000);

  it('a validation objective without a validation split is no objective: the search is told the trial failed, and no best is claimed', async () => {
    const { spec, out } = setup('hwy-exp-nan-');
    const plan = tinyPlan(spec, { grid: [], trials: 1, seeds: [1], stop: { maxEpochs: 1 } });
    const inner = randomSearch(plan);
    const told: unknown[] = [];
    const search: Search = { ask: (p) => inner.ask(p), report: async () => false, tell: async (_t, end) => void told.push(end), close: async () => {} };
    const noValidation: Splits = { ...data, validation: subset(data.validation, [], 'validation') };
    const r = await runSweep({ plan, out, preloaded: noValidation, device: 'wasm', figures: false, search });
    expect(Number.isNaN(r.records[0].objective)).toBe(true);
    expect(told).toEqual([{ state: 'failed', reason: 'no val_loss to read: the data has no validation split' }]);
    expect(r.summary.verdicts).toContain('1 trial trained but has no val_loss to be judged by (the data has no validation split).');
    expect(r.summary.verdicts).toContain('No trial finished with an objective: there is no best.');
    // JSON holds null where the objective is not a number
    expect(JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).trials[0].objective).toBeNull();
  }, 120_000);

  it('a trial stopped between its seeds is shown as interrupted, not recorded, and continued by the same command', async () => {
    const { spec, out } = setup('hwy-exp-int-');
    const plan = tinyPlan(spec, { grid: [], trials: 1, seeds: [1, 2], stop: { maxEpochs: 1 } });
    let stop = false;
    const told: string[] = [];
    const inner = randomSearch(plan);
    const search: Search = { ask: (p) => inner.ask(p), report: async () => false, tell: async (_t, end) => void told.push(end.state), close: async () => {} };
    const first = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, search, log: (l) => (stop ||= l.startsWith('  seed 1:')), shouldStop: () => stop });
    expect(first.complete).toBe(false);
    expect(first.records.map((x) => [x.status, x.runs.length])).toEqual([['interrupted', 1]]);
    // told so: a shared study hands the trial out again (test/experiment/optuna.test.ts)
    expect(told).toEqual(['interrupted']);
    expect(existsSync(join(out, 'trials', 'tiny-t1.json'))).toBe(false);
    expect(readFileSync(join(out, 'trials.csv'), 'utf8')).toContain(',interrupted,');
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toContain('1 trial interrupted before it finished: not ranked; the same command continues it.');
    const firstSeed = statSync(join(out, 'runs', 'tiny-t1-s1', 'metrics.jsonl')).mtimeMs;
    const rest = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false });
    expect(rest.complete).toBe(true);
    expect(rest.records.map((x) => [x.status, x.runs.map((run) => run.seed)])).toEqual([['capped', [1, 2]]]);
    // the finished seed was read back, not trained again
    expect(statSync(join(out, 'runs', 'tiny-t1-s1', 'metrics.jsonl')).mtimeMs).toBe(firstSeed);
  }, 120_000);

  it('a search whose study is shared does not hold the sweep directory alone, and is refused beside a sweep that does', async () => {
    const { spec, out } = setup('hwy-exp-shared-');
    const plan = tinyPlan(spec, { grid: [], trials: 1, seeds: [1], stop: { maxEpochs: 1 } });
    const inner = randomSearch(plan);
    let held: unknown;
    // a shared study's search: records() says so (the other workers' trials: none here)
    const shared = (): Search => ({ ask: (p) => inner.ask(p), report: async () => false, tell: async () => {}, close: async () => {}, records: async () => [] });
    mkdirSync(out);
    const lock = await lockDir(out, { what: 'sweep directory', command: 'hwy sweep tiny.hwy' });
    await expect(runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, search: shared() })).rejects.toThrow(`sweep directory '${out}' is in use by a sweep that runs without a shared study (pid ${process.pid} on ${hostname()}: hwy sweep tiny.hwy); wait for it to finish, or give another --out`);
    await lock.release();
    const r = await runSweep({ plan, out, preloaded: data, device: 'wasm', figures: false, search: shared(), log: (l) => (held ??= l.startsWith('trial ') ? existsSync(join(out, '.hwy.lock')) : undefined) });
    expect(r.complete).toBe(true);
    // while it trained, the sweep directory had no lock of its own: another worker could have come in
    expect(held).toBe(false);
  }, 120_000);
});
