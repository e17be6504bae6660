import { basename, join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { compile, type CompileResult } from '../core/compile.js';
import type { ConstantValue, NetworkIR, TrainConfig } from '../ir/types.js';
import { dataArgument, loadData, DataError, type Splits } from '../data/index.js';
import { checkDataFits } from '../data/fits.js';
import { DATASETS } from '../language/vocabulary.js';
import { selectBackend, type BackendChoice } from '../backends/tfjs/runtime.js';
import { loadModel } from '../backends/tfjs/checkpoint.js';
import { evaluate } from '../backends/tfjs/train.js';
import { deviceProblem, EngineKilled, EngineUnavailable, freshState, type EngineInfo, type EngineName, type EngineWorker, type TrainHooks, type TrainOutcome } from '../backends/engine.js';
import { ENGINES } from '../backends/engines.js';
import { readRunRecord, RunDirSink, truncateMetrics, writeRunFiles, BEST_DIR, type CheckpointChoice, type RunRecord } from './run-dir.js';
import { defaultMonitor, Monitor, MonitorError, monitorProblem, type MonitorName, type MonitorSettings } from './monitor.js';
import { findTensorboardWriter, TensorboardWriter } from './tensorboard.js';

export type { EngineName, TrainHooks, TrainOutcome, EngineInfo };
import { VERSION } from '../version.js';
import { writeFileAtomic } from '../util/atomic.js';
import { claimNewRunDir, claimRunDirForResume } from './claim.js';
import type { DirLock } from './lock.js';
import { checkStateFitsData, monitorRecord, openForResume, openRun } from './open.js';
import { dataFileRecord, runDataConfig } from './data-file.js';
import type { SettingOverride } from '../core/compile.js';

export type { SettingOverride };
import { checkResumeFlags, recordResume, resumeConfig, runEnvironment } from './resume.js';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import { checkMemory, memoryAvailable } from './memory.js';

/** Command-line settings that override the spec's `train { }` section. */
export interface TrainOverrides {
  epochs?: number;
  momentum?: number;
  /** Decay factor of the learning-rate schedule (exponential when the spec's is constant). */
  gamma?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  data?: string;
  validation?: number;
}

export interface TrainRequest {
  specFile?: string;
  specText?: string;
  sets?: Record<string, ConstantValue>;
  /** Training settings (`--set train.momentum=0.95`), checked by the compiler as the spec's own. */
  settings?: SettingOverride[];
  overrides?: TrainOverrides;
  /** The engine (default tfjs; with resume, the run's). */
  engine?: EngineName;
  /** The engine's device (default auto). */
  device?: string;
  /** Deprecated alias of `device` for the tfjs engine. */
  backend?: BackendChoice;
  /** Worker processes (torch: data-parallel). */
  nproc?: number;
  /** CPU threads per worker (torch). */
  threads?: number;
  /** A worker the caller keeps between runs (a sweep's job slot: ENGINES[engine].openWorker()); the run trains in it where its engine can. */
  worker?: EngineWorker;
  dataDir?: string;
  out?: string;
  force?: boolean;
  resume?: string;
  /** The command line, recorded in run.json and beside the run directory's lock. */
  command?: string[];
  /** The metric the best checkpoint and early stopping follow (default val_loss, or loss without a validation split; with resume, the run's). */
  monitor?: MonitorName;
  /** Stop after this many epochs without improvement of the monitored metric. */
  patience?: number;
  /** The least change that counts as an improvement for early stopping. */
  minDelta?: number;
  /** Write TensorBoard event files into RUN/tensorboard (with resume: also when the run did). */
  tensorboard?: boolean;
  /** Preloaded data (tests); otherwise loaded from the config. */
  data?: Splits;
  hooks?: TrainHooks;
  log?: (line: string) => void;
}

export type TrainResult =
  | { kind: 'spec-errors'; compiled: CompileResult }
  | {
      kind: 'trained';
      runDir: string;
      outcome: TrainOutcome;
      engine: EngineInfo;
      record: RunRecord;
      /** Set when early stopping ended training before its last epoch. */
      stopped?: NonNullable<RunRecord['stopped']>;
      /** The best epoch by the monitored metric so far, and where its checkpoint is. */
      best?: { monitor: MonitorName; epoch: number; value: number; dir: string };
      /** Why the TensorBoard files are incomplete, when their writer failed during training. */
      tensorboardFailure?: string;
    };

export function effectiveConfig(base: TrainConfig, o: TrainOverrides = {}): TrainConfig {
  const c = structuredClone(base);
  if (o.epochs !== undefined) c.epochs = o.epochs;
  if (o.batch !== undefined) c.batch = o.batch;
  if (o.lr !== undefined) c.lr.value = o.lr;
  if (o.seed !== undefined) c.seed = o.seed;
  if (o.data !== undefined) {
    // a name, or the path of NumPy arrays (npz / npy)
    const { name, path } = dataArgument(o.data, DATASETS);
    c.data.name = name;
    if (path !== undefined) c.data.path = path;
    else delete c.data.path;
  }
  if (o.validation !== undefined) c.data.validation = o.validation;
  if (o.momentum !== undefined) {
    if (!('momentum' in c.optimizer)) throw new Error(`a momentum override for the ${c.optimizer.name} optimizer, which has none`);
    c.optimizer.momentum = o.momentum;
  }
  if (o.gamma !== undefined) {
    c.lr.gamma = o.gamma;
    if (c.lr.schedule === 'constant') c.lr.schedule = 'exponential';
  }
  return c;
}

/** --epochs / --lr of a resume, or what --set train.epochs / train.lr asked for. */
function resumeOverrides(o: TrainOverrides = {}, asked: { epochs?: number; lr?: number } = {}): TrainOverrides {
  return { ...o, epochs: o.epochs ?? asked.epochs, lr: o.lr ?? asked.lr };
}

/** What --print-config shows: the configuration a run would train with, nothing trained, started or written. */
export type PlannedConfig =
  | { kind: 'spec-errors'; compiled: CompileResult }
  | { kind: 'config'; specFile: string; network: string; constants: Record<string, ConstantValue>; settings: string[]; config: TrainConfig; resume?: string };

export function plannedConfig(req: TrainRequest): PlannedConfig {
  if (req.resume) {
    const record = readRunRecord(req.resume);
    const asked = checkResumeFlags(record, req, req.resume);
    const config = resumeConfig(record, resumeOverrides(req.overrides, asked));
    const constants = openRun(req.resume).ir.constants;
    return { kind: 'config', specFile: record.specFile, network: record.network, constants, settings: record.settings ?? [], config, resume: req.resume };
  }
  const specFile = req.specFile ?? 'spec.hwy';
  const compiled = compile(req.specText ?? '', specFile, { overrides: req.sets ?? {}, settings: req.settings });
  if (!compiled.ok || !compiled.ir) return { kind: 'spec-errors', compiled };
  const settings = (req.settings ?? []).map((o) => `${o.path}=${o.value}`);
  return { kind: 'config', specFile, network: compiled.ir.network.name, constants: compiled.ir.constants, settings, config: effectiveConfig(compiled.ir.train!, req.overrides) };
}

/** runs/<spec name>, or the first free runs/<spec name>-N: an existing run is never overwritten unasked. */
export function defaultRunDir(specFile: string): string {
  const base = join('runs', basename(specFile).replace(/\.hwy$/, ''));
  if (!existsSync(base) || readdirSync(base).length === 0) return base;
  for (let i = 2; ; i++) if (!existsSync(`${base}-${i}`)) return `${base}-${i}`;
}

export { checkDataFits };

/**
 * Training needs at least one training example after the validation split: with none,
 * every epoch would average over nothing and report NaN. Fewer than a batch is allowed
 * (each epoch is then one short step), as is an empty validation split (no validation
 * metrics are reported).
 */
export function checkEnoughExamples(data: Splits, config: TrainConfig): void {
  if (data.train.count > 0) return;
  const all = data.train.count + data.validation.count;
  throw new DataError(
    all === 0
      ? `${data.source} holds no training examples: there is nothing to train on`
      : `no training examples are left: ${data.source} holds ${all}, and the validation split (validation=${config.data.validation}) holds out ${data.validation.count}: lower 'validation' on the data line, or use more data`,
  );
}

/** Compile, prepare the engine and its device, load data, and train (fresh or from the newest checkpoint); the run directory is locked while it is written. */
export async function runTraining(req: TrainRequest): Promise<TrainResult> {
  const locks: DirLock[] = [];
  try {
    return await trainLocked(req, locks);
  } finally {
    for (const l of locks) await l.release();
  }
}

async function trainLocked(req: TrainRequest, locks: DirLock[]): Promise<TrainResult> {
  const log = req.log ?? (() => {});
  let specText: string;
  let specFile: string;
  let sets: Record<string, ConstantValue>;
  let config: TrainConfig | undefined;
  let runDir: string;
  let resumeFrom: string | undefined;
  let resumed: RunRecord | undefined;
  let state = freshState();
  let resumeAt: { engine: EngineName; device: string; epochs?: number; lr?: number } | undefined;

  if (req.resume) {
    runDir = req.resume;
    locks.push(await claimRunDirForResume(runDir, { log, command: req.command?.join(' ') }));
    resumeAt = checkResumeFlags(readRunRecord(runDir), req, runDir);
    const plan = openForResume(runDir, log);
    if (!plan.ok) return { kind: 'spec-errors', compiled: plan.compiled };
    const record = (resumed = plan.record);
    specFile = record.specFile;
    sets = record.overrides;
    specText = plan.specText;
    config = resumeConfig(record, resumeOverrides(req.overrides, resumeAt));
    resumeFrom = plan.ckpt;
    state = plan.state;
  } else {
    specFile = req.specFile ?? 'spec.hwy';
    specText = req.specText ?? '';
    sets = req.sets ?? {};
    runDir = req.out ?? defaultRunDir(specFile);
  }
  // a resumed run's settings were checked against its record; its spec compiles as it did (a
  // run recorded before hwy refused a misspelt --set was built without it)
  const compiled = compile(specText, specFile, { overrides: sets, settings: resumed ? undefined : req.settings, ignoreUnknownOverrides: !!resumed });
  if (!compiled.ok || !compiled.ir) return { kind: 'spec-errors', compiled };
  const ir = compiled.ir;
  config ??= effectiveConfig(ir.train!, req.overrides);
  // before the engine, the data or the run directory: a network that cannot fit allocates nothing
  checkMemory(ir, config);

  const engineName: EngineName = resumeAt?.engine ?? req.engine ?? 'tfjs';
  const device = resumeAt?.device ?? req.device ?? req.backend ?? 'auto';
  // a flag with no effect is refused rather than ignored
  if (req.minDelta !== undefined && req.patience === undefined && !resumed?.monitor?.patience) throw new MonitorError('--min-delta is the least improvement early stopping counts: give --patience N too');
  // before training starts: a TensorBoard writer that cannot start refuses the flag rather than training without it
  const tensorboard = req.tensorboard || resumed?.tensorboard ? findTensorboardWriter() : undefined;
  const problem = deviceProblem(engineName, device);
  if (problem) throw new EngineUnavailable(problem);
  const engine = await ENGINES[engineName].prepare({ device, nproc: req.nproc, threads: req.threads, worker: req.worker, log });
  log(`engine: ${engine.info.engine} on ${engine.info.device} (${engine.info.reason})`);
  const environment = runEnvironment(engine.info.device, { engine: engine.info.engine, ...(engineName === 'tfjs' ? { tfjs: tfjsVersion } : {}), ...(engine.info.details ?? {}) });
  if (resumed && state.epoch >= config.epochs && state.step === 0) {
    log(`nothing to do: ${runDir} has trained all ${config.epochs} epochs (raise --epochs to continue)`);
    return { kind: 'trained', runDir, outcome: { status: 'done', state }, engine: engine.info, record: resumed };
  }
  // NumPy data: a new run records where it is and what it holds (hashed before it is read);
  // a resumed run reads the file it recorded, from any directory, and refuses it changed
  const dataFile = req.data || resumed ? undefined : await dataFileRecord(config.data);
  const dataConfig = resumed && !req.data ? await runDataConfig(resumed, runDir, 'resume') : config.data;
  const data = req.data ?? (await loadData(dataConfig, req.dataDir, { log, network: ir, memory: memoryAvailable() }));
  checkDataFits(ir, data);
  checkEnoughExamples(data, config);
  if (resumed) checkStateFitsData(state, config, data.train.count, runDir);
  const recorded = resumed?.monitor;
  const monitorSettings: MonitorSettings = {
    monitor: recorded?.monitor ?? req.monitor ?? defaultMonitor(data.validation.count),
    ...((req.patience ?? recorded?.patience) !== undefined ? { patience: req.patience ?? recorded?.patience } : {}),
    minDelta: req.minDelta ?? recorded?.minDelta ?? 0,
  };
  const monitorIssue = monitorProblem(monitorSettings.monitor, data.validation.count);
  if (monitorIssue) throw new MonitorError(monitorIssue);
  const saved = monitorRecord(state);
  const monitor = new Monitor(monitorSettings, saved?.monitor === monitorSettings.monitor ? saved : undefined);
  if (resumed && state.step === 0 && monitor.shouldStop()) {
    log(`nothing to do: ${runDir} stopped early after epoch ${state.epoch} (${monitor.stopMessage()}); give a larger --patience to continue`);
    return { kind: 'trained', runDir, outcome: { status: 'done', state }, engine: engine.info, record: resumed, ...(resumed.stopped ? { stopped: resumed.stopped } : {}) };
  }
  log(`data: ${data.source}: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test examples`);

  let record: RunRecord;
  if (resumed) {
    // every check has passed: metrics past the checkpoint go (training writes them again)
    truncateMetrics(runDir, state.epoch);
    record = recordResume(runDir, resumed, { config, state, command: req.command, lr: req.overrides?.lr ?? resumeAt?.lr, dataDir: req.dataDir, environment, monitor: monitorSettings, tensorboard: !!tensorboard });
  } else {
    locks.push(await claimNewRunDir(runDir, { force: req.force, log, command: req.command?.join(' ') }));
    const { info } = engine;
    record = {
      hwyVersion: VERSION,
      specFile,
      network: ir.network.name,
      overrides: sets,
      ...(req.settings?.length ? { settings: req.settings.map((o) => `${o.path}=${o.value}`) } : {}),
      config,
      data: data.source,
      ...(dataFile ? { dataFile } : {}),
      engine: info.engine,
      device: info.device,
      backend: info.device,
      ...(info.details ? { engineDetails: info.details } : {}),
      createdAt: new Date().toISOString(),
      ...(req.command ? { command: req.command } : {}),
      environment,
      monitor: monitorSettings,
      ...(tensorboard ? { tensorboard: true } : {}),
    };
    writeRunFiles(runDir, specText, ir, record);
  }
  if (resumeFrom) log(`resuming ${runDir} after epoch ${state.epoch}${state.step ? `, step ${state.step}` : ''}`);
  let tb: TensorboardWriter | undefined;
  if (tensorboard) {
    tb = new TensorboardWriter(runDir, tensorboard, resumed ? state.epoch + 1 : undefined);
    log(`tensorboard: ${join(runDir, 'tensorboard')} (${tensorboard.library}, Python ${tensorboard.python}); view with: tensorboard --logdir ${join(runDir, 'tensorboard')}`);
  }
  const userStop = () => req.hooks?.shouldStop?.() === true;
  const sink = new RunDirSink(runDir, { monitor, onMetrics: tb ? (m) => tb!.write(m) : undefined, stopAsked: userStop });
  // early stopping asks the engine to stop as Ctrl-C does, after the epoch's checkpoint
  const hooks: TrainHooks = { ...req.hooks, shouldStop: () => sink.earlyStop || userStop() };
  let outcome: TrainOutcome;
  let tensorboardFailure: string | undefined;
  try {
    outcome = await engine.train({ ir, config, data, sink, state, resumeFrom, hooks, log });
  } catch (e) {
    // a resume that failed before it wrote anything did not happen: run.json's history says so
    if (resumed && sink.commits === 0) writeFileAtomic(join(runDir, 'run.json'), JSON.stringify(resumed, null, 2) + '\n');
    sink.discardStaged();
    if (e instanceof EngineKilled) e.runDir = runDir;
    throw e;
  } finally {
    tensorboardFailure = await tb?.close();
  }
  let stopped: RunRecord['stopped'];
  if (outcome.status === 'interrupted' && outcome.state.step === 0 && sink.earlyStop && !userStop()) {
    const at = new Date().toISOString();
    stopped = { reason: 'early-stopping', epoch: outcome.state.epoch, at, message: monitor.stopMessage() };
    outcome = { status: 'done', state: { ...outcome.state, status: 'done' } };
    record = { ...record, stopped, updatedAt: at };
    writeFileAtomic(join(runDir, 'run.json'), JSON.stringify(record, null, 2) + '\n');
  }
  const b = monitor.record.best;
  const best = b ? { monitor: monitor.settings.monitor, epoch: b.epoch, value: b.value, dir: join(runDir, BEST_DIR) } : undefined;
  return { kind: 'trained', runDir, outcome, engine: engine.info, record, ...(stopped ? { stopped } : {}), ...(best ? { best } : {}), ...(tensorboardFailure ? { tensorboardFailure } : {}) };
}

export interface EvalResult {
  runDir: string;
  split: string;
  count: number;
  loss: number;
  accuracy: number;
  confusion: number[][];
  /** Epochs the checkpoint completed. */
  epoch: number;
  /** Steps of epoch `epoch + 1` it holds too (non-zero when training was stopped mid-epoch). */
  step: number;
  /** Where in training the weights are, in words: "after epoch 2", or "5 steps into epoch 3 (interrupted)". */
  checkpoint: string;
  /** Which checkpoint was evaluated: the newest (model/) or the best by the monitored metric (best/). */
  which: CheckpointChoice;
  backend: string;
}

/**
 * Where a checkpoint stands in training, in words: "after epoch 3", or for weights saved
 * mid-epoch, "12 steps into epoch 1 (interrupted)" (never "after epoch 0 and …").
 */
export function checkpointLabel(s: { epoch: number; step: number }): string {
  return s.step > 0 ? `${stepsInto(s)} (interrupted)` : `after epoch ${s.epoch}`;
}

/** "12 steps into epoch 1": a position inside the epoch after `epoch`. */
export function stepsInto(s: { epoch: number; step: number }): string {
  return `${s.step} step${s.step === 1 ? '' : 's'} into epoch ${s.epoch + 1}`;
}

/** Evaluates the newest (or the best) checkpoint of a run on one split of its data (or of other data). */
export async function runEval(opts: { runDir: string; split?: 'train' | 'validation' | 'test'; data?: string; dataDir?: string; backend?: BackendChoice; preloaded?: Splits; checkpoint?: CheckpointChoice }): Promise<EvalResult> {
  const which = opts.checkpoint ?? 'latest';
  const { record, ir, ckpt, state } = openRun(opts.runDir, which);
  const runtime = await selectBackend(opts.backend ?? 'auto');
  // other data when asked for (--data), else the run's own, checked against what it was trained on
  const dataConfig = opts.data !== undefined ? effectiveConfig(record.config, { data: opts.data }).data : await runDataConfig(record, opts.runDir, 'evaluate');
  const data = opts.preloaded ?? (await loadData(dataConfig, opts.dataDir, { network: ir }));
  checkDataFits(ir, data);
  // the checkpoint's step must exist in the run's own data (other data says nothing about it)
  if (opts.data === undefined) checkStateFitsData(state, record.config, data.train.count, opts.runDir, ckpt);
  const model = await loadModel(ckpt);
  const split = opts.split ?? 'validation';
  if (data[split].count === 0) throw new DataError(`the ${split} split of ${opts.runDir} holds no examples: there is nothing to evaluate (try --split ${split === 'test' ? 'validation' : 'test'})`);
  const r = await evaluate(model, ir, data[split]);
  model.dispose();
  return { runDir: opts.runDir, split, count: data[split].count, ...r, epoch: state.epoch, step: state.step, checkpoint: checkpointLabel(state), which, backend: runtime.kind };
}

