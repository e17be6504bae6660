import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, openSync, writeSync, fsyncSync, closeSync, linkSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDurable, writeFileAtomic } from '../util/atomic.js';
import { describeFsError } from '../util/fs-errors.js';
import type { ConstantValue, NetworkIR, TrainConfig } from '../ir/types.js';
import { irToJson } from '../ir/write.js';
import { schemaProblems, RUN_RECORD_SCHEMA, TRAIN_STATE_SCHEMA } from './records.js';
import { createHash } from 'node:crypto';
import { constants as bufferConstants } from 'node:buffer';
import { readRegularFile } from '../util/read-regular.js';

import { RunFileError, type MetricsLine, type RunSink, type TrainState } from '../backends/engine.js';
import type { Monitor, MonitorSettings } from './monitor.js';

/** A problem with a run directory a person can fix: missing, corrupt, already there. (One class with the engines' RunFileError, so either is caught as the other.) */
export const RunDirError = RunFileError;
export type RunDirError = RunFileError;
export type { MetricsLine, TrainState };

export interface RunRecord {
  hwyVersion: string;
  specFile: string;
  network: string;
  overrides: Record<string, ConstantValue>;
  /** Training settings given with --set (`train.momentum=0.95`), as given; config holds their effect. */
  settings?: string[];
  config: TrainConfig;
  data: string;
  /**
   * NumPy data (npz / npy): the absolute path it was read from and its content hash, so that
   * a resume or eval from any directory reads the same file and refuses one changed since.
   * Absent in runs on named data sets, and in runs recorded before hwy kept it.
   */
  dataFile?: DataFileRecord;
  /** The engine that trained the run (absent in runs made before there were two: tfjs). */
  engine?: string;
  /** The engine's device (for tfjs, its backend: gpu, node, wasm, cpu). */
  device?: string;
  /** Kept for older readers: the tfjs backend, or the device of another engine. */
  backend: string;
  /** Engine facts: interpreter, library versions, worker processes. */
  engineDetails?: Record<string, string | number>;
  createdAt: string;
  /** When run.json was last rewritten (after a resume). */
  updatedAt?: string;
  /** The command line that started the run. */
  command?: string[];
  /** What the result depends on besides the spec: versions, backend, platform. */
  environment?: RunEnvironment;
  /** Every resume: when, from where, with what command and settings. */
  history?: ResumeEntry[];
  /** The monitored metric (best checkpoint) and early stopping's settings. */
  monitor?: MonitorSettings;
  /** Whether the run writes TensorBoard event files (a resume goes on writing them). */
  tensorboard?: boolean;
  /** Why training ended before its last epoch, when it did so on its own (early stopping). */
  stopped?: { reason: 'early-stopping'; epoch: number; at: string; message: string };
}

export interface DataFileRecord {
  /** Absolute. */
  path: string;
  /** numpyDigest of the file (or directory of .npy files). */
  sha256: string;
}

export interface RunEnvironment {
  hwy: string;
  node: string;
  tfjs?: string;
  backend: string;
  platform: string;
  [engineSpecific: string]: string | undefined;
}

export interface ResumeEntry {
  at: string;
  command?: string[];
  fromEpoch: number;
  fromStep?: number;
  /** Epochs the run trains to from here. */
  epochs: number;
  /** A new learning rate given with the resume. */
  lr?: number;
  dataDir?: string;
  environment?: RunEnvironment;
  /** Early stopping's settings from this resume on, when they changed. */
  patience?: number;
  minDelta?: number;
}

export const MODEL_DIR = 'model';
const TMP_DIR = '.checkpoint-new';
const OLD_DIR = '.checkpoint-old';
/** The best checkpoint by the monitored metric, swapped in as model/ is. */
export const BEST_DIR = 'best';
const BEST_TMP = '.best-new';
const BEST_OLD = '.best-old';
export const TENSORBOARD_DIR = 'tensorboard';
/** The checkpoints a run directory may hold, by the name `--checkpoint` takes. */
export const CHECKPOINT_DIRS = { latest: MODEL_DIR, best: BEST_DIR } as const;
export type CheckpointChoice = keyof typeof CHECKPOINT_DIRS;

/** What hwy itself writes into a run directory; `--force` removes these and nothing else. */
export const RUN_FILES = ['spec.hwy', 'ir.json', 'run.json', 'metrics.jsonl', 'metrics.csv', MODEL_DIR, TMP_DIR, OLD_DIR, BEST_DIR, BEST_TMP, BEST_OLD, TENSORBOARD_DIR];
/** The lock of a directory and the record of its holder (see ./lock.ts). */
export const LOCK_DIR = '.hwy.lock';
export const LOCK_OWNER = '.hwy.lock.json';
/** Lock files: their holder removes them, never `--force`. */
export const LOCK_FILES = [LOCK_DIR, LOCK_OWNER];
/** Temporary files of writeFileAtomic that a killed run may leave behind. */
const RUN_TEMP = /^\.(spec\.hwy|ir\.json|run\.json|metrics\.jsonl|metrics\.csv)\.\d+\.\d+\.tmp$/;

/** Whether `dir` holds a hwy run record that passes validation; the reason when not. */
export function runDirProblem(dir: string): string | undefined {
  try {
    readRunRecord(dir);
    return undefined;
  } catch (e) {
    if (e instanceof RunDirError) return e.message;
    throw e;
  }
}

/**
 * Prepares `dir` for a new run. An empty or missing directory is used as it is. A run
 * directory (a valid run.json) is refused without `force`; with it, only hwy's own files
 * go, and whatever else is there stays. Any other non-empty directory is never written
 * into, whatever the flags: it may be a project, and hwy deletes only what it wrote.
 */
/** The files an engine writes into a checkpoint directory; anything else there is someone else's. */
export const CHECKPOINT_FILES = new Set(['model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'state.json', 'torch.pt']);

/** What a checkpoint directory holds that no engine wrote there. */
function foreignFiles(ckptDir: string): string[] {
  // lstat: a link in a directory's place is not that directory (checkRunLayout refuses it)
  if (!existsSync(ckptDir) || !lstatSync(ckptDir).isDirectory()) return [];
  return readdirSync(ckptDir).filter((n) => !CHECKPOINT_FILES.has(n));
}

/** What tensorboard/ holds besides the event files hwy's writer made (TensorBoard names them events.out.tfevents.*). */
function foreignTensorboardFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir).filter((n) => !/^events\.out\.tfevents\./.test(n));
}

/**
 * Every entry hwy writes or deletes in a run directory is what it should be: the checkpoint
 * and tensorboard directories real directories, the records regular files. A link there (a
 * best/ that points elsewhere, say) would make a resume or --force write, move or delete
 * files outside the run: refused before anything is changed.
 */
export function checkRunLayout(dir: string): void {
  for (const name of [...RUN_FILES, ...LOCK_FILES]) {
    let st;
    try {
      st = lstatSync(join(dir, name));
    } catch {
      continue;
    }
    const wantDir = !['spec.hwy', 'ir.json', 'run.json', 'metrics.jsonl', 'metrics.csv', LOCK_OWNER].includes(name);
    if (st.isSymbolicLink()) throw new RunDirError(`${join(dir, name)} is a symbolic link: hwy writes only inside the run directory, never through a link; replace it with the ${wantDir ? 'directory' : 'file'} itself (or move the run), then try again`);
    if (wantDir ? !st.isDirectory() : !st.isFile()) throw new RunDirError(`${join(dir, name)} is not a ${wantDir ? 'directory' : 'regular file'}: the run directory is damaged; move it away, then try again`);
    if (wantDir && name !== LOCK_DIR && name !== TENSORBOARD_DIR) {
      for (const f of readdirSync(join(dir, name))) {
        if (!CHECKPOINT_FILES.has(f)) continue;
        const fst = lstatSync(join(dir, name, f));
        if (!fst.isFile()) throw new RunDirError(`${join(dir, name, f)} is ${fst.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: a checkpoint holds only the files hwy wrote; remove it, then try again`);
      }
    }
  }
}

export function createRunDir(dir: string, force: boolean, log: (line: string) => void = () => {}): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new RunDirError(`'${dir}' exists and is not a directory: choose another --out`);
    checkRunLayout(dir);
    const entries = readdirSync(dir).filter((n) => !LOCK_FILES.includes(n));
    if (entries.length > 0) {
      const problem = runDirProblem(dir);
      if (problem) throw new RunDirError(`'${dir}' already exists, is not empty and is not a hwy run directory (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, no valid run.json): hwy does not write into it, with or without --force; choose a new or empty --out`);
      if (!force) throw new RunDirError(`run directory '${dir}' already exists: use --force to replace its run, --resume ${dir} to continue it, or --out for another`);
      // model/ and the staging directories are hwy's, but a file put there by hand is not: refuse rather than delete it
      const foreign = [MODEL_DIR, TMP_DIR, OLD_DIR, BEST_DIR, BEST_TMP, BEST_OLD].flatMap((d) => foreignFiles(join(dir, d)).map((n) => `${d}/${n}`));
      foreign.push(...foreignTensorboardFiles(join(dir, TENSORBOARD_DIR)).map((n) => `${TENSORBOARD_DIR}/${n}`));
      if (foreign.length) throw new RunDirError(`--force: ${join(dir, foreign[0].split('/')[0])} holds files hwy did not write (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ` and ${foreign.length - 5} more` : ''}); move them out first, or choose another --out`);
      const others: string[] = [];
      for (const name of entries) {
        if (RUN_FILES.includes(name) || RUN_TEMP.test(name)) rmSync(join(dir, name), { recursive: true, force: true });
        else others.push(name);
      }
      if (others.length) log(`--force: replaced the run in ${dir}; kept what hwy did not write there: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}`);
    }
  }
  mkdirSync(dir, { recursive: true });
}

export function writeRunFiles(dir: string, spec: string, ir: NetworkIR, record: RunRecord): void {
  writeFileAtomic(join(dir, 'spec.hwy'), spec);
  writeFileAtomic(join(dir, 'ir.json'), irToJson(ir));
  writeFileAtomic(join(dir, 'run.json'), JSON.stringify(record, null, 2) + '\n');
}

/**
 * Ceilings on the files hwy reads from a run directory. A run directory may come from
 * anywhere (copied, downloaded, edited): no file in it may make a reader wait or allocate
 * without end, so each is read only if it is a regular file (a link to /dev/zero or a FIFO
 * is refused) and never past its bound. The weights' bound is the size model.json's
 * manifest gives them (see `manifestBytes`).
 */
export const RUN_FILE_BYTES = {
  /** run.json, state.json, a lock's owner: small records (run.json grows by an entry a resume). */
  record: 16 * 2 ** 20,
  /** spec.hwy: as `hwy check` reads specs (DEFAULT_LIMITS.maxSpecBytes in src/passes/limits.ts). */
  spec: 8 * 2 ** 20,
  /** ir.json, model.json, optimizer.json: the topology of a network of 200,000 layers (the passes' limit) fits. */
  model: 256 * 2 ** 20,
  /** metrics.jsonl: a line of about 200 bytes an epoch. */
  metrics: 64 * 2 ** 20,
  /** Weights whose size no manifest gives (a file hwy staged itself): the most one buffer holds. */
  weights: bufferConstants.MAX_LENGTH,
};

/** A file of a run directory, read as `readRegularFile` reads (`what` with its article: 'a run record'). */
export function readRunBytes(path: string, maxBytes: number, what: string): Buffer {
  return readRegularFile(path, { maxBytes, what, error: (m) => new RunDirError(m) });
}

export function readJson<T>(path: string, what: string, maxBytes = RUN_FILE_BYTES.record): T {
  let text: string;
  try {
    text = readRunBytes(path, maxBytes, 'a JSON record').toString('utf8');
  } catch (e) {
    if (e instanceof RunDirError) throw new RunDirError(`${what}: ${e.message}`);
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new RunDirError(`${what}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

export function readRunRecord(dir: string): RunRecord {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunDirError(`'${dir}' is not a run directory (no such directory)`);
  const path = join(dir, 'run.json');
  const r = readJson<unknown>(path, `'${dir}' is not a complete run directory`);
  const problems = schemaProblems(RUN_RECORD_SCHEMA, r);
  if (problems.length) throw new RunDirError(`${path} is not a valid hwy run record: ${problems.slice(0, 3).join('; ')}`);
  return r as RunRecord;
}

/**
 * Checkpoints of a run directory: an engine writes a checkpoint's files into a fresh staging
 * directory (`stageCheckpoint`), then `commitCheckpoint` writes state.json (whose presence
 * marks a complete checkpoint) and swaps the directory for `model/` by two renames. A crash at
 * any point leaves a complete checkpoint, which `recoverCheckpoint` finds.
 */
export class RunDirSink implements RunSink {
  /** Checkpoints committed through this sink. */
  commits = 0;
  /** The epoch whose metrics were the monitor's new best, until its checkpoint is committed and copied to best/. */
  private pendingBest: number | undefined;
  constructor(
    readonly dir: string,
    readonly opts: {
      monitor?: Monitor;
      onMetrics?: (line: MetricsLine) => void;
      /** Whether the user asked the run to stop (Ctrl-C, SIGTERM, SIGHUP, a caller's hook). */
      stopAsked?: () => boolean;
    } = {},
  ) {}

  stageCheckpoint(): string {
    const tmp = join(this.dir, TMP_DIR);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    return tmp;
  }

  commitCheckpoint(state: TrainState): void {
    const tmp = join(this.dir, TMP_DIR);
    if (!existsSync(tmp)) throw new Error('commitCheckpoint without stageCheckpoint');
    // the checksum of the weights goes into state.json, which is written last: whoever reads the checkpoint can tell a damaged weights.bin
    // every file's checksum, torch.pt's included: nothing in a checkpoint is loaded unless it is the file written here
    const sums = Object.fromEntries(readdirSync(tmp).filter((n) => CHECKPOINT_FILES.has(n) && n !== 'state.json').sort().map((n) => [n, sha256(readFileSync(join(tmp, n)))]));
    const weightsSha256 = sums['weights.bin'];
    const bytes = Object.fromEntries(Object.keys(sums).map((n) => [n, statSync(join(tmp, n)).size]));
    // the monitor's standing goes with the checkpoint it belongs to, so a resume continues from both
    const monitor = this.opts.monitor ? { monitor: this.opts.monitor.record } : {};
    // An epoch's checkpoint committed after the user asked to stop is the run's last, and says
    // so: the engines write it as "running" and see the request only after it, when they stop,
    // which left a run stopped at an epoch's end reading as one still training.
    const status = state.step === 0 && state.status === 'running' && this.opts.stopAsked?.() === true ? 'interrupted' : state.status;
    writeDurable(join(tmp, 'state.json'), JSON.stringify({ ...state, status, ...monitor, weightsSha256, sha256: sums, bytes, savedAt: state.savedAt || new Date().toISOString() }, null, 2) + '\n');
    fsyncDir(tmp);
    swapIn(this.dir, tmp, MODEL_DIR, OLD_DIR);
    this.commits++;
    if (this.pendingBest !== undefined && state.step === 0 && state.epoch === this.pendingBest) {
      this.pendingBest = undefined;
      copyToBest(this.dir);
    }
  }

  /**
   * After an engine failed: a checkpoint it was staging and never committed (no state.json)
   * is only in the way. A complete one stays: recoverCheckpoint swaps it in.
   */
  discardStaged(): void {
    const tmp = join(this.dir, TMP_DIR);
    if (!existsSync(join(tmp, 'state.json'))) rmSync(tmp, { recursive: true, force: true });
  }

  /** Set when an epoch's metrics used up early stopping's patience: training stops after that epoch's checkpoint. */
  earlyStop = false;

  appendMetrics(line: MetricsLine): void {
    appendMetrics(this.dir, line);
    const r = this.opts.monitor?.update(line);
    if (r?.best) this.pendingBest = line.epoch;
    // decided only here, at the end of an epoch: a smaller --patience given to a run resumed mid-epoch takes effect when that epoch ends
    if (r?.stop) this.earlyStop = true;
    this.opts.onMetrics?.(line);
  }
}

/**
 * Makes `staged` the directory `name` of `dir` by two renames (`name` to `old`, `staged` to
 * `name`): a crash leaves a complete one under one of the three names. Files someone put
 * into `name` by hand move on with it instead of going with the old checkpoint.
 */
function swapIn(dir: string, staged: string, name: string, oldName: string): void {
  const target = join(dir, name);
  const old = join(dir, oldName);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(staged, target);
  for (const f of foreignFiles(old)) if (!existsSync(join(target, f))) renameSync(join(old, f), join(target, f));
  fsyncDir(dir);
  rmSync(old, { recursive: true, force: true });
}

/**
 * best/ becomes a copy of the newest checkpoint (model/), atomically as model/ is replaced.
 * The files are hard links where the file system allows: a checkpoint's files are never
 * rewritten in place (each checkpoint is written into a fresh staging directory), so a link
 * keeps the best epoch's bytes when model/ moves on.
 */
export function copyToBest(dir: string): void {
  const model = join(dir, MODEL_DIR);
  const tmp = join(dir, BEST_TMP);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  // state.json last: its presence marks a complete checkpoint
  const names = readdirSync(model).filter((n) => CHECKPOINT_FILES.has(n) && n !== 'state.json');
  for (const n of [...names, 'state.json']) {
    try {
      linkSync(join(model, n), join(tmp, n));
    } catch {
      copyFileSync(join(model, n), join(tmp, n));
      fsyncFile(join(tmp, n));
    }
  }
  fsyncDir(tmp);
  swapIn(dir, tmp, BEST_DIR, BEST_OLD);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the names in a directory durable (renames, new files); not possible on every platform, where it is skipped. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // directories cannot be opened for fsync on Windows; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const completeCheckpoint = (d: string) => existsSync(join(d, 'state.json')) && existsSync(join(d, 'model.json')) && existsSync(join(d, 'weights.bin'));

/** The directory holding the newest complete checkpoint (or the best one), as it is: readers (eval, analyze) never repair. */
export function findCheckpoint(dir: string, which: CheckpointChoice = 'latest'): string | undefined {
  const names = which === 'best' ? [BEST_DIR, BEST_TMP, BEST_OLD] : [MODEL_DIR, TMP_DIR, OLD_DIR];
  return names.map((d) => join(dir, d)).find(completeCheckpoint);
}

/** The directory holding the newest complete checkpoint, repairing an interrupted swap; undefined if there is none. */
export function recoverCheckpoint(dir: string): string | undefined {
  const model = join(dir, MODEL_DIR);
  const tmp = join(dir, TMP_DIR);
  const old = join(dir, OLD_DIR);
  if (completeCheckpoint(model)) return model;
  for (const candidate of [tmp, old]) {
    if (completeCheckpoint(candidate)) {
      rmSync(model, { recursive: true, force: true });
      renameSync(candidate, model);
      return model;
    }
  }
  return undefined;
}

/**
 * The checkpoint a resumed run continues from, repairing an interrupted swap. Without a
 * complete one, resuming would start over and overwrite the run: refused, saying what is
 * missing and how to go on.
 */
export function checkpointForResume(dir: string): string {
  const ckpt = recoverCheckpoint(dir);
  if (ckpt) return ckpt;
  const model = join(dir, MODEL_DIR);
  const missing = existsSync(model) ? ['state.json', 'model.json', 'weights.bin'].filter((f) => !existsSync(join(model, f))).map((f) => `${MODEL_DIR}/${f}`) : [`${MODEL_DIR}/`];
  const epochs = readMetrics(dir).length;
  // killed (or stopped by a failure) before its first checkpoint: there never was one to restore
  if (!existsSync(model) && !existsSync(join(dir, OLD_DIR)) && epochs === 0) {
    throw new RunDirError(`cannot resume '${dir}': no checkpoint was ever written there (training ended before its first); nothing was changed. Train it anew (the command that started it, with --force to replace the run; run.json records it)`);
  }
  throw new RunDirError(
    `cannot resume '${dir}': its checkpoint is incomplete (missing ${missing.join(', ')})${epochs ? `, though metrics.jsonl records ${epochs} epoch${epochs === 1 ? '' : 's'}` : ''}; ` +
      `nothing was changed. Restore ${MODEL_DIR}/ from a copy to continue, or train anew from its spec: hwy train ${join(dir, 'spec.hwy')} --out NEW_DIR`,
  );
}

export function readState(ckptDir: string): TrainState {
  const path = join(ckptDir, 'state.json');
  const s = readJson<unknown>(path, 'checkpoint');
  const problems = schemaProblems(TRAIN_STATE_SCHEMA, s);
  if (problems.length) throw new RunDirError(`${path} is not a valid hwy training state: ${problems.slice(0, 3).join('; ')}`);
  return s as TrainState;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** metrics.csv's columns: the fields of a metrics.jsonl line, in its order. */
export const METRICS_COLUMNS: (keyof MetricsLine)[] = ['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'seconds', 'samplesPerSec'];

/** One metrics line as a CSV row: numbers as JavaScript prints them (no precision lost), an absent value (null, NaN) empty. */
function csvRow(line: MetricsLine): string {
  return METRICS_COLUMNS.map((k) => {
    const v = line[k];
    return typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
  }).join(',') + '\n';
}
const CSV_HEADER = METRICS_COLUMNS.join(',') + '\n';

function appendDurable(path: string, text: string): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends an epoch to metrics.jsonl and the same row to metrics.csv (the header first when
 * the file is new). metrics.jsonl is the record: a crash between the two appends leaves the
 * CSV a row behind, and a resume rewrites it from metrics.jsonl (truncateMetrics).
 */
export function appendMetrics(dir: string, line: MetricsLine): void {
  appendDurable(join(dir, 'metrics.jsonl'), JSON.stringify(line) + '\n');
  const csv = join(dir, 'metrics.csv');
  const fresh = !existsSync(csv) || statSync(csv).size === 0;
  appendDurable(csv, (fresh ? CSV_HEADER : '') + csvRow(line));
}

export function readMetrics(dir: string, opts: { dropTornTail?: boolean } = {}): MetricsLine[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const out: MetricsLine[] = [];
  const text = readRunBytes(path, RUN_FILE_BYTES.metrics, 'a metrics file').toString('utf8');
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    let m: MetricsLine;
    try {
      m = JSON.parse(l) as MetricsLine;
    } catch {
      // the last line without its newline is an append a crash cut short: the checkpoint never saw that epoch
      if (opts.dropTornTail && i === lines.length - 1) return;
      throw new RunDirError(`${path}:${i + 1}: not a JSON line`);
    }
    // the epoch decides which lines a resume keeps: it must be one
    if (!Number.isInteger(m?.epoch) || m.epoch < 1) throw new RunDirError(`${path}:${i + 1}: not a metrics line (no whole epoch number)`);
    out.push(m);
  });
  return out;
}

/**
 * After a crash the metrics may run ahead of the checkpoint (or end in a line cut short):
 * keep only epochs the checkpoint has, in metrics.jsonl and, from it, metrics.csv.
 */
export function truncateMetrics(dir: string, epochs: number): void {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return;
  const kept = readMetrics(dir, { dropTornTail: true }).filter((m) => m.epoch <= epochs);
  writeFileAtomic(path, kept.map((m) => JSON.stringify(m) + '\n').join(''));
  writeFileAtomic(join(dir, 'metrics.csv'), CSV_HEADER + kept.map(csvRow).join(''));
}
