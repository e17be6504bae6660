// What a resumed run may change. The run fixes what its checkpoint depends on (the
// network's constants, the batch size, the seed, the data, the engine and its device): a flag asking
// to change one is refused, never ignored. It may train longer (--epochs) and continue
// with a new learning rate (--lr); those are recorded in run.json's history.
import { join } from 'node:path';
import { compile, resolveSettingPath, settingFlag, type SettingOverride } from '../core/compile.js';
import { optimizerText } from '../language/optimizers.js';
import type { ConstantValue, TrainConfig } from '../ir/types.js';
import { deviceProblem, ENGINE_NAMES, type EngineName } from '../backends/engine.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VERSION } from '../version.js';
import { dataArgument } from '../data/index.js';
import { DATASETS } from '../language/vocabulary.js';
import { readRunBytes, RunDirError, RUN_FILE_BYTES, type RunEnvironment, type RunRecord, type TrainState } from './run-dir.js';
import type { TrainOverrides } from './session.js';
import type { MonitorSettings } from './monitor.js';
import { sameDataPath } from './data-file.js';

/** What a resume asks for, as the command line gave it. */
export interface ResumeAsk {
  overrides?: TrainOverrides;
  sets?: Record<string, ConstantValue>;
  engine?: string;
  device?: string;
  /** The deprecated alias of --device. */
  backend?: string;
  dataDir?: string;
  out?: string;
  force?: boolean;
  /** Training settings (`--set train.momentum=0.95`). */
  settings?: SettingOverride[];
  monitor?: string;
}

/** Refuses the flags a resumed run cannot honour, naming each; returns the engine and device to continue on, and the epochs and rate that --set train.epochs / train.lr ask for. */
export function checkResumeFlags(record: RunRecord, ask: ResumeAsk, dir: string): { engine: EngineName; device: string; epochs?: number; lr?: number } {
  const o = ask.overrides ?? {};
  const fixed = (flag: string, what: string, was: unknown) => `${flag}: a resumed run keeps the ${what} it was trained with (${was}); leave ${flag} out, or start a new run with --out`;
  const problems: string[] = [];
  if (o.batch !== undefined && o.batch !== record.config.batch) problems.push(fixed('--batch', 'batch size', record.config.batch));
  if (o.seed !== undefined && o.seed !== record.config.seed) problems.push(fixed('--seed', 'seed', record.config.seed));
  const was = record.config.data;
  const askedData = o.data !== undefined ? dataArgument(o.data, DATASETS) : undefined;
  if (askedData && (askedData.name !== was.name || (askedData.path !== undefined && !sameDataPath(record, askedData.path)))) problems.push(fixed('--data', 'data set', record.dataFile?.path ?? was.path ?? was.name));
  if (o.validation !== undefined && o.validation !== record.config.data.validation) problems.push(fixed('--validation', 'validation split', record.config.data.validation));
  const recorded = record.config.optimizer;
  if (o.momentum !== undefined && (!('momentum' in recorded) || o.momentum !== recorded.momentum)) problems.push(fixed('--momentum', 'momentum', 'momentum' in recorded ? recorded.momentum : `none: ${recorded.name}`));
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
  const asked = ask.settings?.length ? checkResumeSettings(record, ask.settings, dir, problems) : {};
  if (problems.length) throw new RunDirError(problems.join('\n'));
  return { engine, device, ...asked };
}

/** `momentum` -> the config's field name (`min_lr` -> `minLr`). */
const fieldOf = (attr: string) => attr.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A config recorded before warm-up and cosine existed, with their defaults (none). */
export function normalizeConfig(c: TrainConfig): TrainConfig {
  return { ...c, lr: { ...c.lr, minLr: c.lr.minLr ?? 0, warmup: c.lr.warmup ?? 0, warmupSteps: c.lr.warmupSteps ?? 0 } };
}

/**
 * `--set train.…` on a resume: the run's spec with the settings it started with and these
 * compiled, each setting's value compared with the recorded one. train.epochs and train.lr
 * are what --epochs and --lr are (returned); any other change is refused, naming the flag.
 */
function checkResumeSettings(record: RunRecord, settings: SettingOverride[], dir: string, problems: string[]): { epochs?: number; lr?: number } {
  let specText: string;
  try {
    specText = readRunBytes(join(dir, 'spec.hwy'), RUN_FILE_BYTES.spec, 'a spec').toString('utf8');
  } catch {
    return {}; // opening the run reports the missing (or unreadable) spec
  }
  const key = (o: SettingOverride) => {
    const r = resolveSettingPath(o.path);
    return 'error' in r ? o.path : `${r.kind}.${r.attr}`;
  };
  const given = new Set(settings.map(key));
  const before = (record.settings ?? []).flatMap((s) => {
    const i = s.indexOf('=');
    return i > 0 ? [{ path: s.slice(0, i), value: s.slice(i + 1) }] : [];
  });
  const compiled = compile(specText, record.specFile, { overrides: record.overrides, settings: [...before.filter((o) => !given.has(key(o))), ...settings], ignoreUnknownOverrides: true });
  const bad = compiled.diagnostics.find((d) => d.severity === 'error' && d.span.file.startsWith('--set '));
  if (bad) {
    problems.push(`${bad.span.file}: ${bad.message}${bad.hint ? ` (${bad.hint})` : ''}`);
    return {};
  }
  const now = compiled.ir?.train;
  if (!now) return {}; // opening the run reports a spec that no longer compiles
  const was = normalizeConfig(record.config);
  const out: { epochs?: number; lr?: number } = {};
  for (const o of settings) {
    const r = resolveSettingPath(o.path);
    if ('error' in r) continue;
    const flag = settingFlag(o);
    const keeps = (what: string, a: unknown, b: unknown, shown: string) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${flag}: a resumed run keeps the ${what} it was trained with (${shown}); leave it out, or start a new run with --out`);
    };
    if (r.kind === 'epochs') out.epochs = now.epochs;
    else if (r.kind === 'lr' && r.attr === 'value') out.lr = now.lr.value;
    else if (r.kind === 'optimizer' && r.attr === 'name') keeps('optimizer', now.optimizer, was.optimizer, optimizerText(was.optimizer));
    else if (r.kind === 'optimizer') {
      const f = fieldOf(r.attr);
      const old = (was.optimizer as unknown as Record<string, unknown>)[f];
      keeps(`optimizer's ${r.attr}`, (now.optimizer as unknown as Record<string, unknown>)[f], old, old === undefined ? `${was.optimizer.name}, which has no ${r.attr}` : String(old));
    } else if (r.kind === 'lr' || r.kind === 'data') {
      const f = fieldOf(r.attr);
      const old = (was[r.kind] as unknown as Record<string, unknown>)[f];
      keeps(`${r.kind === 'lr' ? 'learning-rate' : 'data'} setting ${r.attr}`, (now[r.kind] as unknown as Record<string, unknown>)[f], old, JSON.stringify(old ?? null));
    } else {
      const f = fieldOf(r.kind) as 'weightDecay' | 'batch' | 'seed';
      keeps(r.kind === 'batch' ? 'batch size' : r.kind.replace('_', ' '), now[f], was[f], String(was[f]));
    }
  }
  return out;
}

/** The resumed run's settings: the recorded ones, trained to --epochs, with a new --lr from here on. */
export function resumeConfig(record: RunRecord, o: TrainOverrides = {}): TrainConfig {
  const c = structuredClone(normalizeConfig(record.config));
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
