// Several real `hwy sweep` processes (bin/hwy.js, the tfjs engine, a tiny MLP) run one sweep
// against one Optuna study: in a shared sweep directory with its SQLite study, in a shared
// sweep directory with a PostgreSQL study, and each in its own sweep directory against one
// PostgreSQL study. Worker A is SIGKILLed (by its own PID) during its second trial, once that
// trial's first epoch is checkpointed; worker B takes the trial over and finishes the sweep.
// Afterwards every planned trial is recorded exactly once, in trials.csv, sweep.json and the
// study; with a shared directory the taken-over run continued from A's checkpoint. A sweep
// file that differs, on the same directory or study, is refused naming the difference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { optunaPython, PG_BIN, readStudies, startPostgres, type Postgres, type StoredTrial } from './optuna-helpers.js';

const { python, reason } = optunaPython();
const skipOptuna = !python && !process.env.CI;
const pgInstalled = existsSync(join(PG_BIN, 'postgres')) && existsSync(join(PG_BIN, 'initdb'));
// In CI PostgreSQL is installed (scripts/install-optuna.sh): there the test must run.
const skipPg = skipOptuna || (!pgInstalled && !process.env.CI);
const pgWhy = !pgInstalled ? `PostgreSQL 15 is not installed (${PG_BIN}); run scripts/install-optuna.sh` : reason;

const EPOCHS = 8;
const TRIALS = 4;
// a tpe search needs Optuna: without --storage its study is SQLite in the sweep directory
const sweepText = (name: string) => `let width = 8
network small {
  input 28x28x1
  flatten
  dense width relu
  dense 10 softmax
}
train {
  lr 0.05
  batch 100
  epochs 1
}
sweep ${name} {
  search train.lr loguniform 0.01 0.2
  sampler tpe seed=1
  trials ${TRIALS}
  seeds 1
  objective val_loss min final
  stop epochs=${EPOCHS}
}
`;
// the same sweep name, another search range: another sweep
const otherText = (name: string) => sweepText(name).replace('loguniform 0.01 0.2', 'loguniform 0.01 0.3');

interface Worker {
  proc: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

let root: string;
const started: ChildProcess[] = [];
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hwy-sweep-workers-'));
});
afterAll(() => {
  // only the process groups this file started, and only those still there (a failed test's)
  for (const c of started) if (groupAlive(c.pid!)) process.kill(-c.pid!, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `hwy sweep FILE --out OUT [--storage URL]`, in its own process group (its Python worker with it). */
function hwySweep(cwd: string, file: string, out: string, storage?: string): Worker {
  const args = [join(ROOT, 'bin/hwy.js'), 'sweep', file, '--out', out, ...(storage ? ['--storage', storage] : [])];
  const proc = spawn(process.execPath, args, { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HWY_PYTHON: python!, NO_COLOR: '1' } });
  started.push(proc);
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (err = (err + d).slice(-8000)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  return { proc, exit, stderr: () => err };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(f: () => T | undefined, ms: number, what: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await sleep(50);
  }
}

const readJson = <T>(p: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as T;
  } catch {
    return undefined; // not there yet, or being replaced
  }
};

/** The run directories of OUT whose lock PID holds now. */
function heldBy(out: string, pid: number): string[] {
  const runs = join(out, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .map((d) => join(runs, d))
    .filter((d) => readJson<{ pid: number }>(join(d, '.hwy.lock.json'))?.pid === pid);
}

const metricLines = (run: string) => readFileSync(join(run, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);

interface Killed {
  /** The run directory A was training when it was killed. */
  run: string;
  /** Its checkpoint's epoch and metrics lines at the kill. */
  epoch: number;
  lines: string[];
}

/**
 * Worker A starts; B starts once A trains; A is SIGKILLed (its node process alone, by PID)
 * in its second trial once that trial has a checkpoint; C, with another sweep file on the same
 * directory or study, is refused meanwhile; B finishes the sweep.
 */
async function scenario(o: { name: string; dir: string; outA: string; outB: string; storage?: string; signal?: 'SIGKILL' | 'SIGTERM' }): Promise<{ killed: Killed; refusal: string; b: Worker }> {
  const signal = o.signal ?? 'SIGKILL';
  const file = join(o.dir, 'sweep.hwy');
  writeFileSync(file, sweepText(o.name));
  // the same file name in another directory: the plans differ only in the search range
  mkdirSync(join(o.dir, 'other'));
  writeFileSync(join(o.dir, 'other', 'sweep.hwy'), otherText(o.name));
  const a = hwySweep(o.dir, file, o.outA, o.storage);
  const aPid = a.proc.pid!;
  const seen = new Set<string>();
  const aTrains = () => {
    for (const d of heldBy(o.outA, aPid)) seen.add(d);
    return a.proc.exitCode === null && seen.size ? true : undefined;
  };
  await until(aTrains, 90_000, () => `worker A's first run (stderr: ${a.stderr()})`);
  const b = hwySweep(o.dir, file, o.outB, o.storage);
  // A's second trial, checkpointed at least once: the run B takes over
  const victim = await until(
    () => {
      if (a.proc.exitCode !== null) return undefined;
      const now = heldBy(o.outA, aPid);
      for (const d of now) seen.add(d);
      const run = seen.size >= 2 ? now.find((d) => [...seen].indexOf(d) >= 1) : undefined;
      const state = run && readJson<{ epoch: number }>(join(run, 'model', 'state.json'));
      return run && state && state.epoch >= 1 ? { run, epoch: state.epoch } : undefined;
    },
    90_000,
    () => `worker A's second trial to checkpoint (A: ${a.stderr()}; B: ${b.stderr()})`,
  );
  process.kill(aPid, signal);
  const lines = metricLines(victim.run);
  // SIGTERM: A stops the trial at its next checkpoint, tells the study so, and exits 143
  expect(await a.exit, `worker A: ${a.stderr()}`).toEqual(signal === 'SIGKILL' ? { code: null, signal: 'SIGKILL' } : { code: 143, signal: null });
  // killed mid-trial: the run had not reached its last epoch
  expect(lines.length).toBeLessThan(EPOCHS);
  // A's Python worker sees its stdin close (or is closed), marks the trial interrupted and exits: no orphan
  await until(() => (groupAlive(aPid) ? undefined : true), 15_000, () => "worker A's Python worker to exit");
  // another sweep file on the same directory or study, while B works
  const c = hwySweep(o.dir, join(o.dir, 'other', 'sweep.hwy'), o.storage ? join(o.dir, 'out-c') : o.outB, o.storage);
  const cExit = await c.exit;
  expect(cExit.code, c.stderr()).toBe(2);
  const bExit = await b.exit;
  expect(bExit, `worker B: ${b.stderr()}`).toEqual({ code: 0, signal: null });
  expect(groupAlive(b.proc.pid!)).toBe(false);
  return { killed: { run: victim.run, epoch: victim.epoch, lines }, refusal: c.stderr(), b };
}

interface CsvRow {
  trial: string;
  status: string;
  epochs: string;
  run: string;
  'train.lr': string;
}

function readCsv(file: string): CsvRow[] {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])) as unknown as CsvRow);
}

/** Every planned trial once in the results and the study; the killed trial failed once and taken over once. */
function expectEachTrialOnce(name: string, out: string, storage: string): { rows: CsvRow[]; trials: StoredTrial[]; dead: StoredTrial; taker: StoredTrial } {
  const rows = readCsv(join(out, 'trials.csv'));
  expect(rows).toHaveLength(TRIALS);
  expect(new Set(rows.map((r) => r.trial)).size).toBe(TRIALS);
  for (const r of rows) expect([r.status, r.epochs]).toEqual(['capped', String(EPOCHS)]);
  const json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { complete: boolean; finished: number; trials: { name: string }[] };
  expect(json.complete).toBe(true);
  expect(json.finished).toBe(TRIALS);
  expect(json.trials.map((t) => t.name).sort()).toEqual(rows.map((r) => r.trial).sort());
  const trials = readStudies(python!, storage, name);
  const told = trials.filter((t) => t.user_attrs.hwy_end !== undefined);
  expect(told).toHaveLength(TRIALS);
  for (const t of told) expect(t.state).toBe('COMPLETE');
  // the study keeps each told trial's record: the same trials as the results
  expect(told.map((t) => (t.user_attrs.hwy_record as { name: string }).name).sort()).toEqual(rows.map((r) => r.trial).sort());
  expect(trials.filter((t) => t.state === 'RUNNING')).toEqual([]);
  const failed = trials.filter((t) => t.state === 'FAIL');
  expect(failed).toHaveLength(1);
  const dead = failed[0];
  // failed at once, without a result: by A's own Python worker when A died, or told so when A was stopped
  expect(dead.user_attrs.hwy_end).toBeUndefined();
  expect(dead.user_attrs.hwy_interrupted).toBe(true);
  const takers = trials.filter((t) => t.user_attrs.hwy_takes_over === dead.number);
  expect(takers).toHaveLength(1);
  const taker = takers[0];
  expect(taker.params).toEqual(dead.params);
  expect(taker.state).toBe('COMPLETE');
  expect(trials).toHaveLength(TRIALS + 1);
  return { rows, trials, dead, taker };
}

/** The shared-directory case: the taken-over run continued from A's checkpoint, in A's run directory. */
function expectResumed(out: string, killed: Killed, r: ReturnType<typeof expectEachTrialOnce>): void {
  const name = (r.taker.user_attrs.hwy_record as { name: string }).name;
  const row = r.rows.find((x) => x.trial === name)!;
  expect(join(out, row.run)).toBe(killed.run);
  const lines = metricLines(killed.run);
  expect(lines.map((l) => JSON.parse(l).epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
  // the epochs A trained are kept as A wrote them (a run trained anew would time them anew)
  expect(lines.slice(0, killed.epoch)).toEqual(killed.lines.slice(0, killed.epoch));
  const history = JSON.parse(readFileSync(join(killed.run, 'run.json'), 'utf8')).history as { fromEpoch: number }[];
  expect(history).toHaveLength(1);
  expect(history[0].fromEpoch).toBeGreaterThanOrEqual(killed.epoch);
  // both workers ran here, recorded in the study: this machine, this sweep directory, each told trial's run directory
  for (const t of r.trials) expect([t.user_attrs.hwy_host, t.user_attrs.hwy_dir]).toEqual([hostname(), out]);
  for (const x of r.rows) expect(r.trials.find((t) => (t.user_attrs.hwy_record as { name?: string } | undefined)?.name === x.trial)!.user_attrs.hwy_runs).toEqual([`${hostname()}:${join(out, x.run)}`]);
  // every run is local: no host:path
  for (const x of r.rows) expect(x.run).toMatch(/^runs\//);
}

describe.skipIf(skipOptuna)(python ? `two hwy sweep processes share a sweep (${python})` : `two hwy sweep processes share a sweep: SKIPPED, ${reason}`, () => {
  it('SQLite in a shared sweep directory: a worker SIGKILLed mid-trial, its trial taken over from its checkpoint; every trial once; another sweep file refused', async () => {
    const dir = mkdtempSync(join(root, 'sqlite-'));
    const out = join(dir, 'out');
    const { killed, refusal } = await scenario({ name: 'mp', dir, outA: out, outB: out });
    const r = expectEachTrialOnce('mp', out, `sqlite:///${join(out, 'optuna.db')}`);
    expectResumed(out, killed, r);
    expect(refusal).toMatch(/^hwy: study 'mp\[network=small\]' in sqlite:\/\/\/.*optuna\.db cannot be continued: it belongs to another sweep \(space\.train\.lr\.dist\.high: 0\.2 there, 0\.3 here\); give this sweep another study name or storage$/m);
    expect(refusal).not.toMatch(/\n\s+at /);
  }, 200_000);

  it('SQLite in a shared sweep directory: a worker stopped with SIGTERM hands its trial back; the other continues it from its checkpoint; every trial once', async () => {
    const dir = mkdtempSync(join(root, 'sqlite-term-'));
    const out = join(dir, 'out');
    const { killed } = await scenario({ name: 'mp', dir, outA: out, outB: out, signal: 'SIGTERM' });
    expectResumed(out, killed, expectEachTrialOnce('mp', out, `sqlite:///${join(out, 'optuna.db')}`));
  }, 200_000);
});

describe.skipIf(skipPg)(skipPg ? `hwy sweep processes share a PostgreSQL study: SKIPPED, ${pgWhy}` : `hwy sweep processes share a PostgreSQL 15 study (${python})`, () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres(python!);
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  }, 30_000);

  it('one shared sweep directory: a worker SIGKILLed mid-trial, its trial taken over from its checkpoint; every trial once; another sweep file refused', async () => {
    const dir = mkdtempSync(join(root, 'pg-shared-'));
    const out = join(dir, 'out');
    const { killed, refusal } = await scenario({ name: 'mp', dir, outA: out, outB: out, storage: pg.url() });
    const r = expectEachTrialOnce('mp', out, pg.url());
    expectResumed(out, killed, r);
    expect(refusal).toMatch(/^hwy: study 'mp\[network=small\]' in postgresql:\/\/hwy:\*\*\*@127\.0\.0\.1:\d+\/hwy cannot be continued: it belongs to another sweep \(space\.train\.lr\.dist\.high: 0\.2 there, 0\.3 here\)/m);
    expect(refusal).not.toContain('hwy-secret');
  }, 200_000);

  it('a sweep directory per worker: the study records where each trial ran, the results name runs elsewhere as host:path, the killed trial is trained anew by the other worker; every trial once', async () => {
    const dir = mkdtempSync(join(root, 'pg-own-'));
    const outA = join(dir, 'out-a');
    const outB = join(dir, 'out-b');
    const { killed, refusal } = await scenario({ name: 'mp2', dir, outA, outB, storage: pg.url() });
    const r = expectEachTrialOnce('mp2', outB, pg.url());
    expect(refusal).toMatch(/^hwy: study 'mp2\[network=small\]' in postgresql:\/\/hwy:\*\*\*@127\.0\.0\.1:\d+\/hwy cannot be continued: it belongs to another sweep/m);
    const byName = new Map(r.trials.filter((t) => t.user_attrs.hwy_end).map((t) => [(t.user_attrs.hwy_record as { name: string }).name, t]));
    let elsewhere = 0;
    for (const row of r.rows) {
      const t = byName.get(row.trial)!;
      expect(t.user_attrs.hwy_host).toBe(hostname());
      if (t.user_attrs.hwy_dir === outA) {
        // A's first trial: in B's results as the machine and path where it lives
        elsewhere++;
        expect(row.run).toMatch(new RegExp(`^${hostname()}:${outA}/runs/[^/]+-s1$`));
        expect(existsSync(join(row.run.slice(hostname().length + 1), 'run.json'))).toBe(true);
        expect(t.user_attrs.hwy_runs).toEqual([row.run]);
      } else {
        expect(t.user_attrs.hwy_dir).toBe(outB);
        expect(row.run).toMatch(/^runs\//);
        expect(existsSync(join(outB, row.run, 'run.json'))).toBe(true);
        expect(t.user_attrs.hwy_runs).toEqual([`${hostname()}:${join(outB, row.run)}`]);
      }
    }
    expect(elsewhere).toBe(1);
    // the killed trial: B has no checkpoint of it, so it trained it anew in its own directory
    const name = (r.taker.user_attrs.hwy_record as { name: string }).name;
    const row = r.rows.find((x) => x.trial === name)!;
    expect(join(outB, row.run)).not.toBe(killed.run);
    expect(metricLines(join(outB, row.run)).map((l) => JSON.parse(l).epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(JSON.parse(readFileSync(join(outB, row.run, 'run.json'), 'utf8')).history).toBeUndefined();
    expect(r.taker.user_attrs.hwy_dir).toBe(outB);
    expect(r.dead.user_attrs.hwy_dir).toBe(outA);
  }, 200_000);
});
