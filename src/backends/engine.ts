// The contract between a training engine (tfjs in-process, torch in a Python child) and the
// rest of hwy. Engines get everything they write through a RunSink, so that no engine imports
// run/: run/ implements the sink over a run directory; tests or embedders can supply another.
import type { NetworkIR, TrainConfig } from '../ir/types.js';
import type { Splits } from '../data/dataset.js';
import { didYouMean } from '../language/suggest.js';

/** The engines hwy trains with. */
export type EngineName = 'tfjs' | 'torch';
export const ENGINE_NAMES: readonly EngineName[] = ['tfjs', 'torch'];

/** Devices per engine: tfjs's are its backends, torch's are torch devices. `auto` picks the fastest available. */
export const DEVICES = {
  tfjs: ['auto', 'gpu', 'node', 'wasm', 'cpu'],
  torch: ['auto', 'cpu', 'cuda'],
} as const satisfies Record<EngineName, readonly string[]>;
export type DeviceChoice<E extends EngineName = EngineName> = (typeof DEVICES)[E][number];

/** Why a device cannot be used with an engine, or undefined when it can. */
export function deviceProblem(engine: EngineName, device: string): string | undefined {
  if ((DEVICES[engine] as readonly string[]).includes(device)) return undefined;
  const other = ENGINE_NAMES.find((e) => e !== engine && (DEVICES[e] as readonly string[]).includes(device));
  const near = other ? undefined : didYouMean(device, DEVICES[engine]);
  const hint = other ? ` ('${device}' is a device of the ${other} engine: add --engine ${other})` : near ? `; ${near}` : '';
  return `--device ${device} is not a device of the ${engine} engine, which has ${DEVICES[engine].join(', ')}${hint}`;
}

/** A problem with the files of a run or checkpoint that a person can fix: missing, corrupt, already there. */
export class RunFileError extends Error {}

/**
 * A worker process of an engine was ended by a signal nobody in hwy sent: the kernel's OOM
 * killer (SIGKILL), a kill, a crash in native code (SIGSEGV). Not a bug to report: the run
 * keeps its newest checkpoint, `kept` (none when its `savedAt` is empty), and the session
 * names the run directory (`runDir`) for the message.
 */
export class EngineKilled extends Error {
  runDir?: string;
  constructor(
    readonly signal: string,
    readonly worker: string,
    readonly kept: TrainState,
  ) {
    super(`${worker} was killed by ${signal}${signal === 'SIGKILL' ? ' (perhaps out of memory: the kernel\'s OOM killer sends SIGKILL; dmesg would say)' : signal === 'SIGSEGV' || signal === 'SIGBUS' ? ' (a crash in PyTorch or a library it uses)' : ''}`);
  }
}

/** Where training stands; written last in a checkpoint, so its presence marks a complete one. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Steps already done in epoch `epoch + 1` (non-zero after an interrupt mid-epoch). */
  step: number;
  /** Running sums of the partial epoch, so a resumed epoch reports whole-epoch metrics. */
  partial: { lossSum: number; correct: number; seen: number; seconds: number };
  status: 'running' | 'interrupted' | 'done' | 'diverged';
  savedAt: string;
  /** sha256 of weights.bin, written with the checkpoint and checked whenever it is read. */
  weightsSha256?: string;
  /** sha256 of every other checkpoint file by name (torch.pt, optimizer.bin…): a file that is not listed, or does not match, is never loaded. */
  sha256?: Record<string, string>;
  /** The size of every file `sha256` lists: a file of another size is refused before it is read (a 20 GB file takes a minute to hash). */
  bytes?: Record<string, number>;
}

export function freshState(): TrainState {
  return { epoch: 0, step: 0, partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 }, status: 'running', savedAt: '' };
}

/** One line of metrics.jsonl: one epoch. */
export interface MetricsLine {
  epoch: number;
  loss: number;
  accuracy: number;
  /** null when the validation split holds no examples: there is nothing to report, not NaN. */
  valLoss: number | null;
  valAccuracy: number | null;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

export interface ProgressInfo {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  samplesPerSec: number;
}

export interface TrainHooks {
  onEpochStart?(epoch: number, epochs: number, steps: number, lr: number): void;
  onProgress?(p: ProgressInfo): void;
  onEpochEnd?(m: MetricsLine): void;
  /** Polled between steps; true stops the run after checkpointing (Ctrl-C). */
  shouldStop?(): boolean;
}

export type TrainOutcome = { status: 'done' | 'interrupted'; state: TrainState } | { status: 'diverged'; state: TrainState; message: string };

/** Where an engine puts what it produces. */
export interface RunSink {
  /** An empty directory to write the next checkpoint's files into (model.json, weights.bin, engine state). */
  stageCheckpoint(): string;
  /** Writes state.json into the staged directory and atomically makes it the newest checkpoint. */
  commitCheckpoint(state: TrainState): void;
  appendMetrics(line: MetricsLine): void;
}

/** What the engine found to train on, for the log and the run record. */
export interface EngineInfo {
  engine: EngineName;
  /** The device actually used (never `auto`). */
  device: string;
  /** One line for the log: why this device, and versions where they matter. */
  reason: string;
  /** Extra facts for run.json (interpreter, library versions). */
  details?: Record<string, string | number>;
}

/** An engine prepared for one run: device chosen, ready to train. */
export interface PreparedEngine {
  info: EngineInfo;
  train(args: EngineTrainArgs): Promise<TrainOutcome>;
}

export interface EngineTrainArgs {
  ir: NetworkIR;
  config: TrainConfig;
  data: Splits;
  sink: RunSink;
  state: TrainState;
  /** The newest checkpoint to continue from (resume), or undefined for a fresh start. */
  resumeFrom?: string;
  hooks?: TrainHooks;
  log: (line: string) => void;
}

export interface EngineOptions {
  device: string;
  /** Worker processes (data-parallel); engines that cannot honour more than 1 refuse it. */
  nproc?: number;
  /** CPU threads per worker; undefined: the engine's default. */
  threads?: number;
  /** A worker kept between runs (Engine.openWorker) to train this run in; another engine's, or one the engine cannot use here (several processes), is not used. */
  worker?: EngineWorker;
  log: (line: string) => void;
}

/**
 * A worker an engine keeps between runs, for a caller that trains many one after another (a
 * sweep's job slot): torch's is one Python process that imports torch once, instead of one a
 * run. Each run in it starts as it would in a fresh one. The caller owns it: one run at a
 * time, and close() when done (it ends the process).
 */
export interface EngineWorker {
  readonly engine: EngineName;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** Chooses and checks the device (and any runtime the engine needs); throws EngineUnavailable with how to fix it. */
  prepare(opts: EngineOptions): Promise<PreparedEngine>;
  /** A worker to train several runs in (see EngineWorker); absent where a run costs no start-up (tfjs trains in this process). */
  openWorker?(): EngineWorker;
}

/** An engine or device that cannot start here: one line saying how to make it available. */
export class EngineUnavailable extends Error {}
