// What a resumed run may change. The run fixes what its checkpoint depends on (the
// network's constants, the batch size, the seed, the data, the engine and its device): a flag asking
// to change one is refused, never ignored. It may train longer (--epochs) and continue
// with a new learning rate (--lr); those are recorded in run.json's history.
import { join } from 'node:path';
import type { TrainConfig } from '../ir/types.js';
import { deviceProblem, ENGINE_NAMES, type EngineName } from '../backends/engine.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VERSION } from '../version.js';
import { RunDirError, type RunEnvironment, type RunRecord, type TrainState } from './run-dir.js';
import type { TrainOverrides } from './session.js';
import type { MonitorSettings } from './monitor.js';

/** What a resume asks for, as the command line gave it. */
export interface ResumeAsk {
  overrides?: TrainOverrides;
  sets?: Record<string, number>;
  engine?: string;
  device?: string;
  /** The deprecated alias of --device. */
  backend?: string;
  dataDir?: string;
  out?: string;
  force?: boolean;
  monitor?: string;
}

/** Refuses the flags a resumed run cannot honour, naming each; returns the engine and device to continue on. */
export function checkResumeFlags(record: RunRecord, ask: ResumeAsk, dir: string): { engine: EngineName; device: string } {
  const o = ask.overrides ?? {};
  const fixed = (flag: string, what: string, was: unknown) => `${flag}: a resumed run keeps the ${what} it was trained with (${was}); leave ${flag} out, or start a new run with --out`;
  const problems: string[] = [];
  if (o.batch !== undefined && o.batch !== record.config.batch) problems.push(fixed('--batch', 'batch size', record.config.batch));
  if (o.seed !== undefined && o.seed !== record.config.seed) problems.push(fixed('--seed', 'seed', record.config.seed));
  if (o.data !== undefined && o.data !== record.config.data.name) problems.push(fixed('--data', 'data set', record.config.data.name));
  if (o.validation !== undefined && o.validation !== record.config.data.validation) problems.push(fixed('--validation', 'validation split', record.config.data.validation));
  if (o.momentum !== undefined && o.momentum !== record.config.optimizer.momentum) problems.push(fixed('--momentum', 'momentum', record.config.optimizer.momentum));
  if (o.gamma !== undefined && o.gamma !== record.config.lr.gamma) problems.push(fixed('--gamma', 'decay factor', record.config.lr.gamma));
  const sets = Object.entries(ask.sets ?? {});
  if (sets.length) {
    const was = Object.entries(record.overrides).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
    problems.push(`--set ${sets.map(([k, v]) => `${k}=${v}`).join(' --set ')}: a resumed run keeps the network it was trained with (--set values: ${was}); leave --set out, or start a new run with --out`);
  }
  // runs from before there were two engines record only the tfjs backend
  const engine = (record.engine ?? 'tfjs') as EngineName;
  const device = record.device ?? record.backend;
  if (!ENGINE_NAMES.includes(engine)) throw new RunDirError(`run.json records engine '${record.engine}', which hwy does not know (it has ${ENGINE_NAMES.join(', ')})`);
  if (device === 'auto' || deviceProblem(engine, device)) throw new RunDirError(`run.json records device '${device}' for the ${engine} engine, which hwy does not know`);
  if (ask.engine !== undefined && ask.engine !== engine) problems.push(`--engine ${ask.engine}: the run was trained with the ${engine} engine, and a run continues with its own engine; leave --engine out, or start a new run with --out to use ${ask.engine}`);
  const askDevice = ask.device ?? ask.backend;
  const flag = ask.device !== undefined ? '--device' : '--backend';
  const invalid = askDevice !== undefined ? deviceProblem(engine, askDevice) : undefined;
  if (invalid) problems.push(ask.device !== undefined ? invalid : invalid.replace(/^--device/, '--backend'));
  else if (askDevice !== undefined && askDevice !== device) problems.push(fixed(`${flag} ${askDevice}`, engine === 'tfjs' ? 'backend' : 'device', device).replace(`leave ${flag} ${askDevice} out`, `leave ${flag} out`));
  if (ask.out !== undefined) problems.push(`--out: a resumed run continues in its own directory ('${dir}'); leave --out out (copy the directory first to continue a copy)`);
  if (ask.monitor !== undefined && record.monitor && ask.monitor !== record.monitor.monitor) problems.push(`--monitor ${ask.monitor}: the run's best checkpoint follows ${record.monitor.monitor}, and a resumed run keeps it; leave --monitor out, or start a new run with --out`);
  if (ask.force) problems.push(`--force: a resume never replaces a run; leave --force out`);
  if (problems.length) throw new RunDirError(problems.join('\n'));
  return { engine, device };
}

/** The resumed run's settings: the recorded ones, trained to --epochs, with a new --lr from here on. */
export function resumeConfig(record: RunRecord, o: TrainOverrides = {}): TrainConfig {
  const c = structuredClone(record.config);
  if (o.epochs !== undefined) c.epochs = o.epochs;
  if (o.lr !== undefined) c.lr.value = o.lr;
  return c;
}

/** What a result depends on besides the spec. */
export function runEnvironment(backend: string, versions: Record<string, string | number>): RunEnvironment {
  const strings = Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, String(v)]));
  return { hwy: VERSION, node: process.version, ...strings, backend, platform: `${process.platform}-${process.arch}` };
}

/** run.json after a resume: its settings as they now are, and the resume added to its history; replaced atomically. */
export function recordResume(
  dir: string,
  record: RunRecord,
  update: { config: TrainConfig; state: TrainState; command?: string[]; lr?: number; dataDir?: string; environment: RunEnvironment; monitor?: MonitorSettings; tensorboard?: boolean },
): RunRecord {
  const at = new Date().toISOString();
  // training goes on: an earlier early stop no longer describes how the run ended
  const { stopped: _ended, ...rest } = record;
  const was = record.monitor;
  const m = update.monitor;
  const next: RunRecord = {
    ...rest,
    config: update.config,
    ...(m ? { monitor: m } : {}),
    ...(update.tensorboard ? { tensorboard: true } : {}),
    updatedAt: at,
    history: [
      ...(record.history ?? []),
      {
        at,
        ...(update.command ? { command: update.command } : {}),
        fromEpoch: update.state.epoch,
        ...(update.state.step ? { fromStep: update.state.step } : {}),
        epochs: update.config.epochs,
        ...(update.lr !== undefined ? { lr: update.lr } : {}),
        ...(update.dataDir !== undefined ? { dataDir: update.dataDir } : {}),
        ...(m?.patience !== undefined && m.patience !== was?.patience ? { patience: m.patience } : {}),
        ...(m && m.minDelta !== (was?.minDelta ?? 0) ? { minDelta: m.minDelta } : {}),
        environment: update.environment,
      },
    ],
  };
  writeFileAtomic(join(dir, 'run.json'), JSON.stringify(next, null, 2) + '\n');
  return next;
}
