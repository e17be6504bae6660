// The Optuna search over SQLite, against the real Optuna (Debian's python3-optuna): asking,
// reporting and telling, pruning, the study identity check, NaN objectives, importances, and
// the refusals (no Optuna, unreachable storage, a sampler that cannot do the space).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optunaSearch, OptunaError, type OptunaSearch } from '../../src/experiment/optuna.js';
import { planDifference, planIdentity } from '../../src/experiment/plan-identity.js';
import type { GridPoint } from '../../src/ir/experiment.js';
import { freePort, optunaPython, readStudies, toyPlan } from './optuna-helpers.js';
import { ROOT } from '../helpers.js';

const { python, reason } = optunaPython();
const skip = !python && !process.env.CI;
const title = (what: string) => (python ? `${what} (${python})` : `${what}: SKIPPED, ${reason}`);

const P10: GridPoint = { network: 'plain', values: { depth: 10 } };
const P20: GridPoint = { network: 'plain', values: { depth: 20 } };

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hwy-optuna-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const sweepDir = () => mkdtempSync(join(root, `s${n++}-`));

async function withSearch<T>(s: OptunaSearch, f: (s: OptunaSearch) => Promise<T>): Promise<T> {
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}

describe('plan identity', () => {
  it('does not depend on where the sweep is checked out, and names where two plans differ', () => {
    const a = toyPlan();
    const moved = toyPlan({ file: '/elsewhere/toy.hwy', networks: [{ label: 'plain', specFile: '/elsewhere/mlp.hwy', network: 'plain' }] });
    expect(planIdentity(moved).hash).toBe(planIdentity(a).hash);
    const b = toyPlan({ grid: [{ name: 'depth', target: 'constant', values: [10, 20, 50] }] });
    expect(planIdentity(b).hash).not.toBe(planIdentity(a).hash);
    expect(planDifference(JSON.parse(planIdentity(a).plan), JSON.parse(planIdentity(b).plan))).toBe('grid.depth.values: [10,20] there, [10,20,50] here');
    const c = toyPlan({ space: toyPlan().space.map((p) => (p.name === 'lr' ? { ...p, dist: { type: 'loguniform' as const, low: 1e-4, high: 1e-1 } } : p)) });
    expect(planDifference(JSON.parse(planIdentity(a).plan), JSON.parse(planIdentity(c).plan))).toBe('space.lr.dist.low: 0.001 there, 0.0001 here');
    expect(planDifference(JSON.parse(planIdentity(a).plan), JSON.parse(planIdentity(a).plan))).toBeNull();
  });
});

describe.skipIf(skip)(title('the Optuna search over SQLite'), () => {
  it('ships its worker: dist/python/hwy_optuna.py is the source (the build copies it)', () => {
    expect(readFileSync(join(ROOT, 'dist/python/hwy_optuna.py'), 'utf8')).toBe(readFileSync(join(ROOT, 'src/experiment/python/hwy_optuna.py'), 'utf8'));
  });

  it('a parameter of some networks only is drawn for those, never for the others (the gate bias of figure 1)', async () => {
    const plan = toyPlan({
      networks: [
        { label: 'plain', specFile: '/sweeps/plain.hwy', network: 'plain' },
        { label: 'highway', specFile: '/sweeps/highway.hwy', network: 'highway' },
      ],
      space: [
        { name: 'lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 1e-1 } },
        { name: 'gate_bias', target: 'constant', networks: ['highway'], dist: { type: 'int', low: -4, high: -1, step: 1 } },
      ],
      trials: 2,
    });
    await withSearch(await optunaSearch(plan, { sweepDir: sweepDir() }), async (s) => {
      for (const network of ['plain', 'highway']) {
        for (let i = 0; i < plan.trials; i++) {
          const t = await s.ask({ network, values: { depth: 10 } });
          expect(Object.keys(t!.params).sort(), network).toEqual(network === 'highway' ? ['gate_bias', 'lr'] : ['lr']);
          await s.tell(t!, { state: 'complete', value: 1 });
        }
      }
    });
  });

  it('asks within each grid point up to its trials, reports and tells, and records it all in optuna.db in the sweep directory', async () => {
    const dir = sweepDir();
    const plan = toyPlan();
    const seen: Record<string, unknown>[] = [];
    await withSearch(await optunaSearch(plan, { sweepDir: dir }), async (s) => {
      for (const point of [P10, P20]) {
        for (let i = 0; i < plan.trials; i++) {
          const t = await s.ask(point);
          expect(t).not.toBeNull();
          expect(t!.point).toEqual(point);
          expect(t!.number).toBe(i);
          expect(Object.keys(t!.params).sort()).toEqual(['activation', 'lr', 'width', 'x']);
          const { lr, x, width, activation } = t!.params as { lr: number; x: number; width: number; activation: string };
          expect(lr).toBeGreaterThanOrEqual(1e-3);
          expect(lr).toBeLessThanOrEqual(1e-1);
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
          expect(Number.isInteger(width) && width >= 8 && width <= 64 && width % 8 === 0).toBe(true);
          expect(['relu', 'tanh']).toContain(activation);
          for (let step = 1; step <= 3; step++) expect(await s.report(t!, step, x + 1 / step)).toBe(false);
          await s.tell(t!, { state: 'complete', value: x });
          seen.push(t!.params);
        }
        expect(await s.ask(point)).toBeNull();
      }
    });
    expect(existsSync(join(dir, 'optuna.db'))).toBe(true);
    const trials = readStudies(python!, `sqlite:///${join(dir, 'optuna.db')}`, 'toy');
    expect(trials).toHaveLength(8);
    expect(new Set(trials.map((t) => t.study))).toEqual(new Set(['toy[network=plain,depth=10]', 'toy[network=plain,depth=20]']));
    for (const t of trials) {
      expect(t.state).toBe('COMPLETE');
      expect(t.value).toBe(t.params.x);
      expect(t.params.depth).toBe(t.study.endsWith('depth=10]') ? 10 : 20); // the grid axis, recorded with every trial
      expect(t.intermediate).toEqual({ '1': (t.params.x as number) + 1, '2': (t.params.x as number) + 0.5, '3': (t.params.x as number) + 1 / 3 });
      expect(t.user_attrs.hwy_end).toBe('complete');
    }
  });

  it('draws the same trials from the same seed, and others from another', async () => {
    const draw = async (seed: number) =>
      withSearch(await optunaSearch(toyPlan({ seed, trials: 3 }), { sweepDir: sweepDir() }), async (s) => {
        const out = [];
        for (let i = 0; i < 3; i++) {
          const t = (await s.ask(P10))!;
          await s.tell(t, { state: 'complete', value: t.params.x as number });
          out.push(t.params);
        }
        return out;
      });
    const a = await draw(7);
    expect(await draw(7)).toEqual(a);
    expect(await draw(8)).not.toEqual(a);
  });

  it('prunes with the median pruner: a trial worse than the median of earlier ones at the same epoch is stopped', async () => {
    const plan = toyPlan({ pruner: 'median', trials: 16, sampler: 'random' });
    const dir = sweepDir();
    let pruned = 0;
    await withSearch(await optunaSearch(plan, { sweepDir: dir }), async (s) => {
      for (let i = 0; i < plan.trials; i++) {
        const t = (await s.ask(P10))!;
        const x = t.params.x as number;
        let stopped = false;
        for (let step = 1; step <= 5 && !stopped; step++) {
          if (await s.report(t, step, x + 1 / step)) stopped = true;
        }
        if (stopped) {
          pruned++;
          await s.tell(t, { state: 'pruned' });
        } else await s.tell(t, { state: 'complete', value: x + 0.2 });
      }
    });
    expect(pruned).toBeGreaterThan(0);
    const trials = readStudies(python!, `sqlite:///${join(dir, 'optuna.db')}`, 'toy');
    const prunedTrials = trials.filter((t) => t.state === 'PRUNED');
    expect(prunedTrials).toHaveLength(pruned);
    // MedianPruner's defaults: nothing is pruned before 5 trials completed; what is pruned was above the median
    for (const t of prunedTrials) {
      expect(t.number).toBeGreaterThanOrEqual(5);
      const step = Math.max(...Object.keys(t.intermediate).map(Number));
      const before = trials.filter((o) => o.number < t.number && o.state === 'COMPLETE').map((o) => o.intermediate[String(step)]);
      before.sort((a, b) => a - b);
      const median = before.length % 2 ? before[(before.length - 1) / 2] : (before[before.length / 2 - 1] + before[before.length / 2]) / 2;
      expect(t.intermediate[String(step)]).toBeGreaterThan(median);
    }
  });

  it('refuses a study made by another sweep or another hwy version, naming the difference', async () => {
    const dir = sweepDir();
    await withSearch(await optunaSearch(toyPlan(), { sweepDir: dir }), async (s) => {
      const t = (await s.ask(P10))!;
      await s.tell(t, { state: 'complete', value: 1 });
    });
    const other = toyPlan({ grid: [{ name: 'depth', target: 'constant', values: [10, 20, 50] }] });
    await expect(optunaSearch(other, { sweepDir: dir })).rejects.toThrow(
      /study 'toy\[network=plain,depth=10\]' in sqlite:\/\/\/.*optuna\.db cannot be continued: it belongs to another sweep \(grid\.depth\.values: \[10,20\] there, \[10,20,50\] here\); give this sweep another study name or storage/,
    );
    await expect(optunaSearch(toyPlan(), { sweepDir: dir, hwyVersion: '9.9.9' })).rejects.toThrow(/it was made by hwy 0\.1\.0, this is hwy 9\.9\.9/);
    const e = await optunaSearch(other, { sweepDir: dir }).catch((x) => x);
    expect(e).toBeInstanceOf(OptunaError);
    expect(e.kind).toBe('identity');
    // under another study name the same storage holds both sweeps
    await withSearch(await optunaSearch(other, { sweepDir: dir, studyName: 'toy-wider' }), async (s) => {
      expect(await s.ask({ network: 'plain', values: { depth: 50 } })).not.toBeNull();
    });
  });

  it('records a NaN objective as a failed (diverged) trial and goes on searching', async () => {
    const dir = sweepDir();
    await withSearch(await optunaSearch(toyPlan({ trials: 3 }), { sweepDir: dir }), async (s) => {
      const a = (await s.ask(P10))!;
      expect(await s.report(a, 1, NaN)).toBe(false);
      await s.tell(a, { state: 'complete', value: NaN });
      const b = (await s.ask(P10))!;
      await s.tell(b, { state: 'failed', reason: 'diverged at epoch 2' });
      const c = (await s.ask(P10))!;
      await s.tell(c, { state: 'complete', value: 0.5 });
      expect(await s.ask(P10)).toBeNull();
    });
    const trials = readStudies(python!, `sqlite:///${join(dir, 'optuna.db')}`, 'toy').sort((x, y) => x.number - y.number);
    expect(trials.map((t) => t.state)).toEqual(['FAIL', 'FAIL', 'COMPLETE']);
    expect(trials[0].user_attrs).toMatchObject({ hwy_end: 'failed', hwy_reason: 'diverged: the objective is NaN' });
    expect(trials[0].intermediate).toEqual({});
    expect(trials[1].user_attrs).toMatchObject({ hwy_end: 'failed', hwy_reason: 'diverged at epoch 2' });
    expect(trials[2].value).toBe(0.5);
  });

  it('gives Optuna parameter importances per grid point', async () => {
    const dir = sweepDir();
    const plan = toyPlan({ trials: 10, sampler: 'random' });
    await withSearch(await optunaSearch(plan, { sweepDir: dir }), async (s) => {
      for (let i = 0; i < plan.trials; i++) {
        const t = (await s.ask(P10))!;
        // only x matters
        await s.tell(t, { state: 'complete', value: (t.params.x as number) * 10 });
      }
      const t = (await s.ask(P20))!;
      await s.tell(t, { state: 'complete', value: 1 });
      const imp = await s.importances();
      const p10 = imp.find((r) => r.study === 'toy[network=plain,depth=10]')!;
      expect(p10.point).toEqual(P10);
      expect(p10.complete).toBe(10);
      const values = p10.importances!;
      expect(Object.keys(values).sort()).toEqual(['activation', 'lr', 'width', 'x']);
      expect(Object.values(values).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(values.x).toBeGreaterThan(0.5);
      // one completed trial says nothing about importance
      expect(imp.find((r) => r.study === 'toy[network=plain,depth=20]')!.importances).toBeNull();
    });
  });

  it('grid sampler: enumerates the choices of the space at each point, and refuses a continuous range', async () => {
    const space = [
      { name: 'activation', target: 'constant' as const, dist: { type: 'choice' as const, choices: ['relu', 'tanh'] } },
      { name: 'width', target: 'constant' as const, dist: { type: 'int' as const, low: 8, high: 16, step: 8 } },
    ];
    await withSearch(await optunaSearch(toyPlan({ sampler: 'grid', space, trials: 4 }), { sweepDir: sweepDir() }), async (s) => {
      const got: string[] = [];
      for (let i = 0; i < 4; i++) {
        const t = (await s.ask(P20))!;
        got.push(`${t.params.activation}/${t.params.width}`);
        await s.tell(t, { state: 'complete', value: i });
      }
      expect(got.sort()).toEqual(['relu/16', 'relu/8', 'tanh/16', 'tanh/8']);
      expect(await s.ask(P20)).toBeNull();
    });
    await expect(optunaSearch(toyPlan({ sampler: 'grid' }), { sweepDir: sweepDir() })).rejects.toThrow('the grid sampler cannot enumerate lr (loguniform): give it a choice of values, or use the random or tpe sampler');
  });

  it('marks trials still running at close as interrupted, and the next ask at their point takes them over with the same parameters', async () => {
    const dir = sweepDir();
    const plan = toyPlan({ trials: 2 });
    let first: Record<string, unknown> = {};
    await withSearch(await optunaSearch(plan, { sweepDir: dir }), async (s) => {
      const t = (await s.ask(P10))!;
      first = t.params;
      await s.report(t, 1, 0.5);
    });
    await withSearch(await optunaSearch(plan, { sweepDir: dir }), async (s) => {
      const t = (await s.ask(P10))!;
      expect(t.takesOver).toBe(0);
      expect(t.number).toBe(1);
      expect(t.params).toEqual(first);
      await s.tell(t, { state: 'complete', value: 1 });
      const u = (await s.ask(P10))!;
      expect(u.takesOver).toBeNull();
      await s.tell(u, { state: 'complete', value: 2 });
      expect(await s.ask(P10)).toBeNull();
    });
    const trials = readStudies(python!, `sqlite:///${join(dir, 'optuna.db')}`, 'toy').sort((x, y) => x.number - y.number);
    expect(trials.map((t) => [t.state, t.user_attrs.hwy_takes_over ?? null])).toEqual([
      ['FAIL', null],
      ['COMPLETE', 0],
      ['COMPLETE', null],
    ]);
    expect(trials[0].user_attrs.hwy_interrupted).toBe(true);
  });

  it('a trial told interrupted (a sweep stopped with Ctrl-C) is handed out again with its parameters, keeping its slot through takeovers', async () => {
    const dir = sweepDir();
    await withSearch(await optunaSearch(toyPlan({ trials: 1 }), { sweepDir: dir }), async (s) => {
      const t = (await s.ask(P10))!;
      expect([t.takesOver, t.slot]).toEqual([null, 0]);
      await s.tell(t, { state: 'interrupted' });
      const u = (await s.ask(P10))!;
      expect([u.number, u.takesOver, u.slot, u.params]).toEqual([1, 0, 0, t.params]);
      await s.tell(u, { state: 'interrupted' });
      // the taker's taker continues the same slot (the same run directories), not the taker's own
      const v = (await s.ask(P10))!;
      expect([v.number, v.takesOver, v.slot, v.params]).toEqual([2, 1, 0, t.params]);
      await s.tell(v, { state: 'complete', value: 1 }, { name: 'toy-t1' });
      expect(await s.ask(P10)).toBeNull();
      expect((await s.storedRecords()).map((r) => [r.number, r.record])).toEqual([[2, { name: 'toy-t1' }]]);
    });
    const trials = readStudies(python!, `sqlite:///${join(dir, 'optuna.db')}`, 'toy').sort((x, y) => x.number - y.number);
    expect(trials.map((t) => [t.state, t.user_attrs.hwy_end ?? null, t.user_attrs.hwy_interrupted ?? null, t.user_attrs.hwy_slot])).toEqual([
      ['FAIL', null, true, 0],
      ['FAIL', null, true, 0],
      ['COMPLETE', 'complete', null, 0],
    ]);
  });

  it('prunes with successive halving too', async () => {
    const plan = toyPlan({ pruner: 'successive_halving', trials: 12, sampler: 'random' });
    const dir = sweepDir();
    let pruned = 0;
    await withSearch(await optunaSearch(plan, { sweepDir: dir }), async (s) => {
      for (let i = 0; i < plan.trials; i++) {
        const t = (await s.ask(P10))!;
        const x = t.params.x as number;
        let stopped = false;
        for (let step = 1; step <= 8 && !stopped; step++) stopped = await s.report(t, step, x + 1 / step);
        if (stopped) pruned++;
        await s.tell(t, stopped ? { state: 'pruned' } : { state: 'complete', value: x });
      }
    });
    expect(pruned).toBeGreaterThan(0);
    expect(readStudies(python!, `sqlite:///${join(dir, 'optuna.db')}`, 'toy').filter((t) => t.state === 'PRUNED')).toHaveLength(pruned);
  });

  it('a trial failed behind its worker\'s back (taken over elsewhere) is stopped at its next report and its late result is not recorded', async () => {
    const dir = sweepDir();
    const warnings: string[] = [];
    await withSearch(await optunaSearch(toyPlan(), { sweepDir: dir, onWarning: (m) => warnings.push(m) }), async (s) => {
      const t = (await s.ask(P10))!;
      expect(await s.report(t, 1, 0.5)).toBe(false);
      // what another worker's stale-trial check does to a trial it finds without heartbeats
      const fail = `import optuna, sys\nst = optuna.storages.RDBStorage(sys.argv[1])\nst.set_trial_state_values(int(sys.argv[2]), optuna.trial.TrialState.FAIL)`;
      const r = spawnSync(python!, ['-c', fail, `sqlite:///${join(dir, 'optuna.db')}`, String(t.id)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(await s.report(t, 2, 0.4)).toBe(true);
      await s.tell(t, { state: 'complete', value: 0.4 });
    });
    expect(warnings).toEqual([
      'trial 0 of toy[network=plain,depth=10] was failed by another worker (no heartbeat for too long) and taken over; stopping it',
      'trial 0 of toy[network=plain,depth=10] ended after another worker had failed it (no heartbeat for too long) and taken it over: its result is not recorded',
    ]);
    const [stored] = readStudies(python!, `sqlite:///${join(dir, 'optuna.db')}`, 'toy');
    expect(stored.state).toBe('FAIL');
    expect(stored.intermediate).toEqual({ '1': 0.5 });
  });

  it('refuses by name when no Python has Optuna, never falling back to another search', async () => {
    const fake = join(root, 'python-without-optuna');
    // the system Python without its site packages (where python3-optuna lives)
    writeFileSync(fake, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(fake, 0o755);
    const e = await optunaSearch(toyPlan(), { sweepDir: sweepDir(), python: fake }).catch((x) => x);
    expect(e).toBeInstanceOf(OptunaError);
    expect(e.kind).toBe('missing');
    expect(e.message).toMatch(/^the tpe sampler needs Optuna: apt-get install python3-optuna, or pip install optuna \(the Python .*python-without-optuna: .* has no (optuna|numpy|sqlalchemy) module\)$/);
    const m = await optunaSearch(toyPlan({ sampler: 'random', pruner: 'median' }), { sweepDir: sweepDir(), env: { ...process.env, HWY_PYTHON: join(root, 'no-such-python') } }).catch((x) => x);
    expect(m.message).toMatch(/^the median pruner needs Optuna: .*\(HWY_PYTHON=.*no-such-python: .*no-such-python was not found\)$/);
  });

  it('refuses an unreachable storage or a bad URL within seconds, without showing the password', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const e = await optunaSearch(toyPlan(), { sweepDir: sweepDir(), storage: `postgresql://hwy:s3cret@127.0.0.1:${port}/hwy` }).catch((x) => x);
    expect(Date.now() - t0).toBeLessThan(15_000); // interpreter start included; the connection itself fails at once
    expect(e).toBeInstanceOf(OptunaError);
    expect(e.kind).toBe('storage');
    expect(e.message).toMatch(new RegExp(`^cannot open the study storage postgresql://hwy:\\*\\*\\*@127\\.0\\.0\\.1:${port}/hwy: .*(refused|connect)`));
    expect(e.message).not.toContain('s3cret');
    expect(e.message).not.toContain('\n');
    await expect(optunaSearch(toyPlan(), { sweepDir: sweepDir(), storage: 'redis://localhost' })).rejects.toThrow("--storage must be a sqlite:///PATH, postgresql://… or mysql://… URL, not 'redis://localhost'");
    await expect(optunaSearch(toyPlan(), { sweepDir: join(root, 'missing') })).rejects.toThrow(/the sweep directory .*missing does not exist/);
  });

  it('keeps its study in a regular file it created: an optuna.db that is a link is refused', async () => {
    const dir = sweepDir();
    symlinkSync(join(root, 'elsewhere.db'), join(dir, 'optuna.db'));
    await expect(optunaSearch(toyPlan(), { sweepDir: dir })).rejects.toThrow(/optuna\.db is not a regular file/);
    expect(existsSync(join(root, 'elsewhere.db'))).toBe(false);
  });
});
