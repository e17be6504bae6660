// One row of the runs table, and one run's curves, read from a run directory as it is at
// the moment (a run may be training: its files change between two reads). Every read is
// bounded (readRegularFile) and goes through no link; whatever is wrong with a run becomes
// that run's `error`, never the server's. Files are parsed again only when their size or
// modification time changed, so reading every run each second (the event stream's rescan) stays cheap.
import { lstatSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { readRegularFile } from '../util/read-regular.js';
import { describeFsError } from '../util/fs-errors.js';
import { schemaProblems, RUN_RECORD_SCHEMA } from '../run/records.js';
import { LOCK_DIR, LOCK_OWNER, MODEL_DIR, type MetricsLine, type RunRecord, type TrainState } from '../run/run-dir.js';
import type { FoundDir } from './scan.js';

/** run.json and state.json are a few KiB; metrics.jsonl about 200 bytes an epoch. */
const MAX_RECORD = 4 * 2 ** 20;
const MAX_METRICS = 64 * 2 ** 20;
/** A lock nobody refreshed for this long is stale (src/run/lock.ts refreshes it every 15 s). */
const LOCK_STALE_MS = 5 * 60_000;

export type RunStatus = 'training' | 'done' | 'interrupted' | 'diverged' | 'new';

export interface RunRow {
  id: string;
  dir: string;
  /** What is wrong with the run, in one line; the other fields are then what could be read. */
  error?: string;
  network?: string;
  specFile?: string;
  engine?: string;
  device?: string;
  status?: RunStatus;
  /** Epochs finished (metrics.jsonl), and how many the run trains to. */
  epochs?: number;
  epochsPlanned?: number;
  lastLoss?: number | null;
  lastAccuracy?: number | null;
  lastValLoss?: number | null;
  lastValAccuracy?: number | null;
  bestValLoss?: number | null;
  bestValAccuracy?: number | null;
  /** The learning rate of the last epoch (a schedule changes it). */
  lastLr?: number | null;
  optimizer?: string;
  lr?: number;
  batch?: number;
  seed?: number;
  data?: string;
  /** Every --set: the constants overridden and the training settings, as given. */
  sets: string[];
  createdAt?: string;
  updatedAt?: string;
}

class RunReadError extends Error {}

/** A file of the run read as bytes: a regular file, not a link, at most `max` bytes. */
export function readOwn(path: string, max: number, what: string): Buffer {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    throw new RunReadError(`cannot read ${path}: ${describeFsError(e)}`);
  }
  if (st.isSymbolicLink()) throw new RunReadError(`${path} is a symbolic link: not followed`);
  return readRegularFile(path, { maxBytes: max, what, error: (m) => new RunReadError(m) });
}

function parseJson(path: string, buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new RunReadError(`${path} is not valid JSON (${(e as Error).message}): damaged, or being written`);
  }
}

/** Parsed files by path, with the (size, mtime, inode) they were parsed at. */
const cache = new Map<string, { key: string; value: unknown }>();
/**
 * Whole metrics files are large (200 bytes an epoch): only the few last asked for stay
 * parsed (a map's insertion order is its age); a row keeps its summary in `cache`, so the
 * server's memory grows with the number of runs, not with their epochs.
 */
const lines = new Map<string, { key: string; value: unknown }>();
const MAX_PARSED_METRICS = 16;

// (throwIfNoEntry: false: a missing file is common here, and an exception a call costs more than the call)
function statKey(path: string): string {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    return 'unreadable';
  }
  return st ? `${st.size}:${st.mtimeMs}:${st.ino}` : 'missing';
}

/** `parse` of a file's bytes, again only when the file changed (by size, mtime, inode). */
function cached<T>(path: string, parse: () => T, store = cache, max = Infinity): T {
  const key = statKey(path);
  const hit = store.get(path);
  if (hit && hit.key === key) {
    if (hit.value instanceof Error) throw hit.value;
    if (max !== Infinity) store.delete(path), store.set(path, hit); // now the newest
    return hit.value as T;
  }
  const keep = (value: unknown) => {
    store.delete(path);
    store.set(path, { key, value });
    while (store.size > max) store.delete(store.keys().next().value as string);
  };
  try {
    const value = parse();
    keep(value);
    return value;
  } catch (e) {
    if (e instanceof RunReadError) keep(e);
    throw e;
  }
}

/** Forgets what was parsed of runs no longer found (deleted, moved): the caches hold only the runs there are. */
export function forgetRunsExcept(reals: Iterable<string>): void {
  const keep = new Set(reals);
  for (const store of [cache, lines]) for (const path of store.keys()) if (!keep.has(dirname(path)) && !keep.has(dirname(dirname(path)))) store.delete(path);
}

export function readRecord(real: string): RunRecord {
  const path = join(real, 'run.json');
  return cached(path, () => {
    const r = parseJson(path, readOwn(path, MAX_RECORD, 'a run record'));
    const problems = schemaProblems(RUN_RECORD_SCHEMA, r);
    if (problems.length) throw new RunReadError(`${path} is not a valid hwy run record: ${problems.slice(0, 3).join('; ')}`);
    return r as RunRecord;
  });
}

function parseMetricLines(path: string): MetricsLine[] {
  if (!lstatSync(path, { throwIfNoEntry: false })) return []; // no epoch finished yet
  const buf = readOwn(path, MAX_METRICS, 'a metrics file');
  const text = buf.toString('utf8').split('\n');
  const out: MetricsLine[] = [];
  text.forEach((l, i) => {
    if (!l.trim()) return;
    let m: MetricsLine;
    try {
      m = JSON.parse(l) as MetricsLine;
    } catch {
      if (i === text.length - 1) return;
      throw new RunReadError(`${path}:${i + 1}: not a JSON line`);
    }
    if (!Number.isInteger(m?.epoch) || m.epoch < 1) throw new RunReadError(`${path}:${i + 1}: not a metrics line (no whole epoch number)`);
    out.push(m);
  });
  return out;
}

/**
 * The epochs of metrics.jsonl. A line that does not parse at the end is an append in
 * progress (or cut short by a crash) and is left out; one elsewhere is an error.
 */
export function readMetricLines(real: string): MetricsLine[] {
  const path = join(real, 'metrics.jsonl');
  return cached(path, () => parseMetricLines(path), lines, MAX_PARSED_METRICS);
}

interface MetricsSummary {
  epochs: number;
  last?: MetricsLine;
  bestValLoss: number | null;
  bestValAccuracy: number | null;
}

/** What a row shows of metrics.jsonl, kept without the lines themselves. */
function readMetricsSummary(real: string): MetricsSummary {
  const path = join(real, 'metrics.jsonl');
  return cached(path, () => {
    const all = readMetricLines(real);
    return { epochs: all.length, last: all[all.length - 1], bestValLoss: best(all, 'valLoss', (a, b) => a < b), bestValAccuracy: best(all, 'valAccuracy', (a, b) => a > b) };
  });
}

/** The newest checkpoint's state (its status says how training ended), if there is one. */
function readCheckpointState(real: string): TrainState | undefined {
  for (const d of [MODEL_DIR, '.checkpoint-new', '.checkpoint-old']) {
    const path = join(real, d, 'state.json');
    try {
      if (!lstatSync(join(real, d), { throwIfNoEntry: false })?.isDirectory() || !lstatSync(path, { throwIfNoEntry: false })?.isFile()) continue;
    } catch {
      continue;
    }
    const s = cached(path, () => parseJson(path, readOwn(path, MAX_RECORD, 'a training state'))) as TrainState;
    if (s && typeof s.status === 'string') return s;
  }
  return undefined;
}

/** Whether a live process holds the run's (or sweep's) lock: it is training (or resuming) now. */
export function lockHeld(real: string): boolean {
  let st;
  try {
    st = lstatSync(join(real, LOCK_DIR), { throwIfNoEntry: false });
  } catch {
    return false;
  }
  if (!st) return false;
  try {
    const o = JSON.parse(readOwn(join(real, LOCK_OWNER), 64 * 1024, 'a lock record').toString('utf8')) as { pid?: unknown; host?: unknown };
    if (o && o.host === hostname() && Number.isInteger(o.pid)) {
      try {
        process.kill(o.pid as number, 0);
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
  } catch {
    // no owner recorded (yet): go by the lock's age
  }
  return Date.now() - st.mtimeMs < LOCK_STALE_MS;
}

function statusOf(real: string, state: TrainState | undefined, record: RunRecord, epochs: number): RunStatus {
  if (lockHeld(real)) return 'training';
  if (state?.status === 'done' || state?.status === 'diverged' || state?.status === 'interrupted') return state.status;
  if (record.stopped) return 'done';
  // a checkpoint still marked running with nobody holding the lock: the process was killed
  return state || epochs > 0 ? 'interrupted' : 'new';
}

const finite = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function best(lines: MetricsLine[], key: 'valLoss' | 'valAccuracy', pick: (a: number, b: number) => boolean): number | null {
  let out: number | null = null;
  for (const l of lines) {
    const v = finite(l[key]);
    if (v !== null && (out === null || pick(v, out))) out = v;
  }
  return out;
}

export function readRunRow(found: FoundDir): RunRow {
  const row: RunRow = { id: found.id, dir: found.dir, sets: [] };
  try {
    const r = readRecord(found.real);
    const c = r.config;
    Object.assign(row, {
      network: r.network,
      specFile: r.specFile,
      engine: r.engine ?? 'tfjs',
      device: r.device ?? r.backend,
      epochsPlanned: c.epochs,
      optimizer: c.optimizer?.name,
      lr: c.lr?.value,
      batch: c.batch,
      seed: c.seed,
      data: c.data?.name,
      sets: [...Object.entries(r.overrides ?? {}).map(([k, v]) => `${k}=${v}`), ...(r.settings ?? [])],
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    });
    const m = readMetricsSummary(found.real);
    const last = m.last;
    Object.assign(row, {
      epochs: m.epochs,
      lastLoss: finite(last?.loss),
      lastAccuracy: finite(last?.accuracy),
      lastValLoss: finite(last?.valLoss),
      lastValAccuracy: finite(last?.valAccuracy),
      lastLr: finite(last?.lr),
      bestValLoss: m.bestValLoss,
      bestValAccuracy: m.bestValAccuracy,
    });
    row.status = statusOf(found.real, readCheckpointState(found.real), r, m.epochs);
  } catch (e) {
    // whatever went wrong (a damaged file, one being rewritten, a bug) stays this run's problem
    row.error = e instanceof Error ? e.message : String(e);
  }
  return row;
}

/** At most this many points a curve: a browser draws a long run's curves no better with more. */
export const MAX_POINTS = 2000;

export interface RunMetrics {
  id: string;
  /** Epochs in metrics.jsonl. */
  total: number;
  /** Set when `lines` is every `stride`-th epoch (the last one always included). */
  downsampled: boolean;
  stride: number;
  lines: MetricsLine[];
}

export function readRunMetrics(found: FoundDir): RunMetrics {
  const all = readMetricLines(found.real);
  if (all.length <= MAX_POINTS) return { id: found.id, total: all.length, downsampled: false, stride: 1, lines: all };
  const stride = Math.ceil(all.length / MAX_POINTS);
  const lines = all.filter((_, i) => i % stride === 0 || i === all.length - 1);
  return { id: found.id, total: all.length, downsampled: true, stride, lines };
}

export { RunReadError };
