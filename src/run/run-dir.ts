import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { writeDurable, writeFileAtomic } from '../util/atomic.js';
import { describeFsError } from '../util/fs-errors.js';
import type { NetworkIR, TrainConfig } from '../ir/types.js';
import { irFromJson } from '../ir/serialize.js';

import { RunFileError, type MetricsLine, type RunSink, type TrainState } from '../backends/engine.js';

/** A problem with a run directory a person can fix: missing, corrupt, already there. (One class with the engines' RunFileError, so either is caught as the other.) */
export const RunDirError = RunFileError;
export type RunDirError = RunFileError;
export type { MetricsLine, TrainState };

export interface RunRecord {
  hwyVersion: string;
  specFile: string;
  network: string;
  overrides: Record<string, number>;
  config: TrainConfig;
  data: string;
  /** The engine that trained the run (absent in runs made before there were two: tfjs). */
  engine?: string;
  /** The engine's device (for tfjs, its backend: gpu, node, wasm, cpu). */
  device?: string;
  /** Kept for older readers: the tfjs backend, or the device of another engine. */
  backend: string;
  /** Engine facts: interpreter, library versions, worker processes. */
  engineDetails?: Record<string, string | number>;
  createdAt: string;
}

export const MODEL_DIR = 'model';
const TMP_DIR = '.checkpoint-new';
const OLD_DIR = '.checkpoint-old';

export function createRunDir(dir: string, force: boolean): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new RunDirError(`'${dir}' exists and is not a directory`);
    if (readdirSync(dir).length > 0) {
      if (!force) throw new RunDirError(`run directory '${dir}' already exists: use --force to replace it, --resume ${dir} to continue it, or --out for another`);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
}

export function writeRunFiles(dir: string, spec: string, ir: NetworkIR, record: RunRecord): void {
  writeFileAtomic(join(dir, 'spec.hwy'), spec);
  writeFileAtomic(join(dir, 'ir.json'), JSON.stringify(ir, null, 2) + '\n');
  writeFileAtomic(join(dir, 'run.json'), JSON.stringify(record, null, 2) + '\n');
}

export function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RunDirError(`${what}: cannot read ${path}: ${describeFsError(e)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new RunDirError(`${what}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

export function readRunRecord(dir: string): RunRecord {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunDirError(`'${dir}' is not a run directory (no such directory)`);
  const r = readJson<RunRecord>(join(dir, 'run.json'), `'${dir}' is not a complete run directory`);
  if (!r || typeof r !== 'object' || !r.config || typeof r.specFile !== 'string') throw new RunDirError(`${join(dir, 'run.json')}: not a hwy run record`);
  return r;
}

/**
 * Checkpoints of a run directory: an engine writes a checkpoint's files into a fresh staging
 * directory (`stageCheckpoint`), then `commitCheckpoint` writes state.json (whose presence
 * marks a complete checkpoint) and swaps the directory for `model/` by two renames. A crash at
 * any point leaves a complete checkpoint, which `recoverCheckpoint` finds.
 */
export class RunDirSink implements RunSink {
  constructor(readonly dir: string) {}

  stageCheckpoint(): string {
    const tmp = join(this.dir, TMP_DIR);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    return tmp;
  }

  commitCheckpoint(state: TrainState): void {
    const tmp = join(this.dir, TMP_DIR);
    if (!existsSync(tmp)) throw new Error('commitCheckpoint without stageCheckpoint');
    writeDurable(join(tmp, 'state.json'), JSON.stringify({ ...state, savedAt: state.savedAt || new Date().toISOString() }, null, 2) + '\n');
    fsyncDir(tmp);
    const model = join(this.dir, MODEL_DIR);
    const old = join(this.dir, OLD_DIR);
    rmSync(old, { recursive: true, force: true });
    if (existsSync(model)) renameSync(model, old);
    renameSync(tmp, model);
    fsyncDir(this.dir);
    rmSync(old, { recursive: true, force: true });
  }

  appendMetrics(line: MetricsLine): void {
    appendMetrics(this.dir, line);
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

/** The directory holding the newest complete checkpoint, repairing an interrupted swap; undefined if there is none. */
export function recoverCheckpoint(dir: string): string | undefined {
  const model = join(dir, MODEL_DIR);
  const tmp = join(dir, TMP_DIR);
  const old = join(dir, OLD_DIR);
  const complete = (d: string) => existsSync(join(d, 'state.json')) && existsSync(join(d, 'model.json')) && existsSync(join(d, 'weights.bin'));
  if (complete(model)) return model;
  for (const candidate of [tmp, old]) {
    if (complete(candidate)) {
      rmSync(model, { recursive: true, force: true });
      renameSync(candidate, model);
      return model;
    }
  }
  return undefined;
}

/** A trained run as eval and analyze need it: its record, its validated IR and its newest checkpoint. */
export function openRun(dir: string): { record: RunRecord; ir: NetworkIR; ckpt: string } {
  const record = readRunRecord(dir);
  let text: string;
  try {
    text = readFileSync(join(dir, 'ir.json'), 'utf8');
  } catch (e) {
    throw new RunDirError(`cannot read ${join(dir, 'ir.json')}: ${describeFsError(e)}: the run directory is incomplete`);
  }
  const parsed = irFromJson(text);
  if (!parsed.ok) throw new RunDirError(`${join(dir, 'ir.json')} is not valid hwy IR: ${parsed.errors.slice(0, 3).join('; ')}`);
  const ckpt = recoverCheckpoint(dir);
  if (!ckpt) throw new RunDirError(`'${dir}' has no checkpoint yet (no complete model/ directory): train it first`);
  return { record, ir: parsed.ir, ckpt };
}

export function readState(ckptDir: string): TrainState {
  const s = readJson<TrainState>(join(ckptDir, 'state.json'), 'checkpoint');
  if (typeof s?.epoch !== 'number' || typeof s.step !== 'number') throw new RunDirError(`${join(ckptDir, 'state.json')}: not a hwy training state`);
  return s;
}

export function appendMetrics(dir: string, line: MetricsLine): void {
  const fd = openSync(join(dir, 'metrics.jsonl'), 'a');
  try {
    writeSync(fd, JSON.stringify(line) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readMetrics(dir: string): MetricsLine[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const out: MetricsLine[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((l, i) => {
      if (!l.trim()) return;
      try {
        out.push(JSON.parse(l) as MetricsLine);
      } catch {
        throw new RunDirError(`${path}:${i + 1}: not a JSON line`);
      }
    });
  return out;
}

/** After a crash the metrics may run ahead of the checkpoint: keep only epochs the checkpoint has. */
export function truncateMetrics(dir: string, epochs: number): void {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return;
  const kept = readMetrics(dir).filter((m) => m.epoch <= epochs);
  writeFileAtomic(path, kept.map((m) => JSON.stringify(m) + '\n').join(''));
}

