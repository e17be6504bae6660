// Two sweep workers share one study, through SQLite and through a real PostgreSQL; one is
// SIGKILLed mid-trial. Afterwards every slot of every grid point is recorded exactly once: the
// killed worker's trial is failed (by the stale-heartbeat mechanism when its whole process
// group died; at once when only hwy died and its Python worker saw stdin close) and taken
// over, with the same parameters, by the surviving worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { optunaSearch, OptunaError } from '../../src/experiment/optuna.js';
import { ROOT } from '../helpers.js';
import { optunaPython, PG_BIN, readStudies, startPostgres, toyPlan, type Postgres, type StoredTrial } from './optuna-helpers.js';

const { python, reason } = optunaPython();
const skipOptuna = !python && !process.env.CI;
const title = (what: string) => (python ? `${what} (${python})` : `${what}: SKIPPED, ${reason}`);

const pgInstalled = existsSync(join(PG_BIN, 'postgres')) && existsSync(join(PG_BIN, 'initdb'));
// In CI PostgreSQL is installed (scripts/install-optuna.sh): there the test must run.
const skipPg = skipOptuna || (!pgInstalled && !process.env.CI);
const pgWhy = !pgInstalled ? `PostgreSQL 15 is not installed (${PG_BIN}); run scripts/install-optuna.sh` : reason;
if (skipPg && !skipOptuna) console.warn(`PostgreSQL tests skipped: ${pgWhy}`);

const WORKER = join(ROOT, 'test/experiment/optuna-worker.ts');
const plan = toyPlan({
  name: 'shared',
  grid: [{ name: 'depth', target: 'constant', values: [1, 2] }],
  space: [{ name: 'x', target: 'constant', dist: { type: 'uniform', low: 0, high: 1 } }],
  trials: 4,
  sampler: 'random',
  stop: { maxEpochs: 4 },
});

interface Event {
  pid: number;
  event: 'start' | 'end' | 'done';
  study?: string;
  number?: number;
  takesOver?: number | null;
  params?: Record<string, number>;
}

let root: string;
const started: ChildProcess[] = [];
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hwy-optuna-shared-'));
});
afterAll(() => {
  // only the groups this test started, and only those still there
  for (const c of started) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(root, { recursive: true, force: true });
});

function startWorker(cfg: Record<string, unknown>, events: Event[]): { proc: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  // its own process group: the test can kill the worker with its Python child, as a lost machine would be
  const proc = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(cfg)], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      events.push(JSON.parse(l));
    } catch {
      /* not an event */
    }
  });
  const exit = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  return { proc, exit, stderr: () => err };
}

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs workers A and B on one study, kills B (its group, or only its node) during its second trial, lets A finish. */
async function sharedRun(storage: string | undefined, sweepDir: string, killWhole: boolean): Promise<{ trials: StoredTrial[]; events: Event[]; killed: Event }> {
  const cfg = { plan, storage, sweepDir, heartbeat: 1, grace: 2, epochMs: 250 };
  const events: Event[] = [];
  const a = startWorker(cfg, events);
  const b = startWorker(cfg, events);
  const bStarts = () => events.filter((e) => e.pid === b.proc.pid && e.event === 'start');
  await until(() => bStarts().length >= 2 || b.proc.exitCode !== null, 90_000, `worker B's second trial (stderr: ${b.stderr()})`);
  expect(b.proc.exitCode).toBeNull();
  const killed = bStarts()[1];
  if (killWhole) process.kill(-b.proc.pid!, 'SIGKILL');
  else b.proc.kill('SIGKILL');
  await b.exit;
  // B's Python worker goes with it: killed with the group, or at once when its stdin closes
  await until(() => !groupAlive(b.proc.pid!), 15_000, "worker B's Python to exit");
  expect(await a.exit, `worker A: ${a.stderr()}`).toBe(0);
  expect(events.filter((e) => e.pid === b.proc.pid && e.event === 'end' && e.study === killed.study && e.number === killed.number)).toEqual([]);
  return { trials: readStudies(python!, storage ?? `sqlite:///${join(sweepDir, 'optuna.db')}`, 'shared'), events, killed };
}

/** Every slot recorded exactly once; the killed trial failed and taken over once, with its parameters. */
function expectEachSlotOnce(r: { trials: StoredTrial[]; events: Event[]; killed: Event }, stale: boolean): void {
  const { trials, events, killed } = r;
  const studies = ['shared[network=plain,depth=1]', 'shared[network=plain,depth=2]'];
  expect(new Set(trials.map((t) => t.study))).toEqual(new Set(studies));
  for (const s of studies) {
    const told = trials.filter((t) => t.study === s && t.user_attrs.hwy_end !== undefined);
    expect(told).toHaveLength(plan.trials);
    for (const t of told) expect(t.state).toBe('COMPLETE');
  }
  const failed = trials.filter((t) => t.state === 'FAIL');
  expect(failed.map((t) => [t.study, t.number])).toEqual([[killed.study, killed.number]]);
  const dead = failed[0];
  expect(dead.user_attrs.hwy_end).toBeUndefined();
  // failed at once by its own Python worker (stdin closed), or by the stale-heartbeat check of the other worker
  expect(dead.user_attrs.hwy_interrupted).toBe(stale ? undefined : true);
  const takers = trials.filter((t) => t.study === dead.study && t.user_attrs.hwy_takes_over === dead.number);
  expect(takers).toHaveLength(1);
  expect(takers[0].params).toEqual(dead.params);
  expect(takers[0].state).toBe('COMPLETE');
  expect(trials.filter((t) => t.state === 'RUNNING')).toEqual([]);
  // every stored trial was started by exactly one worker, and each start is a stored trial
  const starts = events.filter((e) => e.event === 'start').map((e) => `${e.study}#${e.number}`);
  expect(new Set(starts).size).toBe(starts.length);
  expect(starts.sort()).toEqual(trials.map((t) => `${t.study}#${t.number}`).sort());
  expect(trials).toHaveLength(2 * plan.trials + 1);
}

describe.skipIf(skipOptuna)(title('two workers share a study in SQLite'), () => {
  it('a worker killed with its Python mid-trial: the stale-heartbeat check fails the trial and the other worker takes it over', async () => {
    const dir = mkdtempSync(join(root, 'sqlite-'));
    expectEachSlotOnce(await sharedRun(undefined, dir, true), true);
  }, 180_000);

  it('only the hwy process killed: its Python worker sees stdin close and fails the trial at once, which is taken over', async () => {
    const dir = mkdtempSync(join(root, 'sqlite-eof-'));
    expectEachSlotOnce(await sharedRun(undefined, dir, false), false);
  }, 180_000);
});

describe.skipIf(skipPg)(skipPg ? `two workers share a study in PostgreSQL: SKIPPED, ${pgWhy}` : title('two workers share a study in PostgreSQL 15'), () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres(python!);
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  }, 30_000);

  it('a worker killed with its Python mid-trial: its trial is failed as stale and taken over; every slot recorded once', async () => {
    const dir = mkdtempSync(join(root, 'pg-'));
    expectEachSlotOnce(await sharedRun(pg.url(), dir, true), true);
  }, 180_000);

  it('a wrong password is a clear one-line error within seconds, without the password', async () => {
    const t0 = Date.now();
    const e = await optunaSearch(plan, { sweepDir: mkdtempSync(join(root, 'pgbad-')), storage: pg.url('not-the-password') }).catch((x) => x);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(e).toBeInstanceOf(OptunaError);
    expect(e.kind).toBe('storage');
    expect(e.message).toMatch(new RegExp(`^cannot open the study storage postgresql://hwy:\\*\\*\\*@127\\.0\\.0\\.1:${pg.port}/hwy: .*password authentication failed for user "hwy"$`));
    expect(e.message).not.toContain('not-the-password');
  });
});
