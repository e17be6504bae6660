// The train command's body, loaded only when training (it pulls in tfjs).
import cliProgress from 'cli-progress';
import { checkpointLabel, plannedConfig, runTraining, stepsInto, type TrainOverrides } from '../../run/session.js';
import { resolveSettingPath, settingFlag, type SettingOverride } from '../../core/compile.js';
import type { ConstantValue, TrainConfig } from '../../ir/types.js';
import { optimizerText } from '../../language/optimizers.js';
import { RunDirError, readMetrics } from '../../run/run-dir.js';
import { DataError } from '../../data/index.js';
import { NotEnoughMemory } from '../../run/memory.js';
import { EngineKilled, EngineUnavailable } from '../../backends/engine.js';
import { constants as osConstants } from 'node:os';
import { MonitorError } from '../../run/monitor.js';
import { TensorboardUnavailable } from '../../run/tensorboard.js';
import { TorchEngineError } from '../../backends/torch/engine.js';
import { EXIT_SPEC, EXIT_USAGE, UsageError } from '../errors.js';
import { hwyCommand, printDiagnostics, readText, settingProblem, splitSets } from '../io.js';
import type { TrainOpts } from './train.js';
import type { ProgressInfo } from '../../backends/engine.js';
import { progressLine } from '../progress-line.js';
import { writeJson } from '../output.js';

/** What the bar shows besides the step count, set at each epoch start and update. */
interface BarPayload {
  epoch: number;
  epochs: number;
  loss: string;
  acc: string;
  sps: string;
  etaText: string;
}

/** The signals that stop training as Ctrl-C does. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** 128 + the signal's number, as a shell reports a process the signal ended (SIGINT 130, SIGTERM 143). */
function signalExit(signal: string): number {
  return 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 0);
}

/** A worker ended by a signal from outside: what happened, what is kept, how to go on. */
function killedMessage(e: EngineKilled): string {
  const dir = e.runDir ?? '';
  if (!e.kept.savedAt) {
    return `${e.message} before the first checkpoint: no checkpoint was written, so there is nothing to resume; train again (the same command, with --force to replace the run in ${dir})`;
  }
  return `${e.message}. The last checkpoint (${checkpointLabel(e.kept)}) is kept in ${dir}; continue with: ${hwyCommand('train', '--resume', dir)}`;
}

/** The exit status of an internal error, as main-core reports one. */
const EXIT_INTERNAL = 70;

const fmt = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** The flags that set what a train { } setting sets: giving both is refused rather than one silently winning. */
const FLAG_SETTINGS: [keyof TrainOverrides, string, string][] = [
  ['epochs', '--epochs', 'epochs.value'],
  ['batch', '--batch', 'batch.value'],
  ['lr', '--lr', 'lr.value'],
  ['seed', '--seed', 'seed.value'],
  ['data', '--data', 'data.name'],
];

function checkFlagsAgainstSettings(overrides: TrainOverrides, settings: SettingOverride[]): void {
  for (const o of settings) {
    const r = resolveSettingPath(o.path);
    if ('error' in r) continue;
    const f = FLAG_SETTINGS.find(([key, , path]) => path === `${r.kind}.${r.attr}` && overrides[key] !== undefined);
    if (f) throw new UsageError(`${f[1]} and ${settingFlag(o)} both set ${r.kind === 'data' ? 'the data set' : r.kind}: give one of them`);
  }
}

/**
 * A config as the train { } section that gives it: what --print-config shows. Only what the
 * chosen schedule uses is shown (as optimizerText shows only the optimizer's own settings):
 * gamma for exponential and multistep, steps for multistep, min_lr for cosine. A value the
 * schedule ignores (a spec's gamma kept when --set makes it cosine) would read as in force.
 */
export function configText(c: TrainConfig): string {
  const lr = c.lr;
  const lrAttrs = [
    `schedule=${lr.schedule}`,
    ...(lr.schedule === 'exponential' || lr.schedule === 'multistep' ? [`gamma=${lr.gamma}`] : []),
    ...(lr.schedule === 'multistep' ? [`steps=[${lr.steps.join(', ')}]`] : []),
    ...(lr.schedule === 'cosine' ? [`min_lr=${lr.minLr ?? 0}`] : []),
    ...(lr.warmup ? [`warmup=${lr.warmup}`] : []),
    ...(lr.warmupSteps ? [`warmup_steps=${lr.warmupSteps}`] : []),
  ];
  const d = c.data;
  const data = [d.name, ...(d.dir !== undefined ? [`dir=${JSON.stringify(d.dir)}`] : []), `normalize=${d.normalize}`, ...(d.augment.length ? [`augment=[${d.augment.join(', ')}]`] : []), `validation=${d.validation}`];
  return [
    'train {',
    `  data ${data.join(' ')}`,
    `  optimizer ${optimizerText(c.optimizer)}`,
    `  lr ${lr.value} ${lrAttrs.join(' ')}`,
    `  weight_decay ${c.weightDecay}`,
    `  batch ${c.batch}`,
    `  epochs ${c.epochs}`,
    `  seed ${c.seed}`,
    '}',
  ].join('\n');
}

/** --print-config: the effective configuration, and nothing trained. */
function printConfig(file: string | undefined, opts: TrainOpts, sets: Record<string, ConstantValue>, settings: SettingOverride[], overrides: TrainOverrides): void {
  let p;
  try {
    p = plannedConfig({ specFile: file, specText: file ? readText(file, 'spec') : undefined, sets, settings, overrides, resume: opts.resume, engine: opts.engine, device: opts.device, backend: opts.backend, dataDir: opts.dataDir, out: opts.out, force: opts.force });
  } catch (e) {
    if (e instanceof RunDirError) throw new UsageError(e.message, EXIT_USAGE);
    throw e;
  }
  if (p.kind === 'spec-errors') {
    const bad = settingProblem(p.compiled);
    if (bad) throw bad;
    printDiagnostics(p.compiled, { errorsOnly: true });
    process.stderr.write(`${p.compiled.file}: has errors\n`);
    process.exitCode = EXIT_SPEC;
    return;
  }
  if (opts.format === 'json') {
    writeJson({ file: p.specFile, network: p.network, constants: p.constants, settings: p.settings, config: p.config, ...(p.resume ? { resume: p.resume } : {}) });
    return;
  }
  const given = [...Object.entries(sets).map(([k, v]) => `--set ${k}=${v}`), ...settings.map(settingFlag)];
  const what = p.resume ? `resuming ${p.resume} (${p.specFile}, network ${p.network})` : `${p.specFile} (network ${p.network})${given.length ? ` with ${given.join(' ')}` : ''}`;
  process.stdout.write(`# the configuration hwy train uses for ${what}\n${configText(p.config)}\n`);
}

export async function trainCommand(file: string | undefined, opts: TrainOpts): Promise<void> {
  const { lets: sets, settings } = splitSets(opts.set);
  const overrides: TrainOverrides = { epochs: opts.epochs, batch: opts.batch, lr: opts.lr, seed: opts.seed, data: opts.data };
  checkFlagsAgainstSettings(overrides, settings);
  if (opts.printConfig) return printConfig(file, opts, sets, settings, overrides);
  const tty = opts.progress && process.stderr.isTTY === true;
  const json = opts.format === 'json';
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          // the line is fitted to the terminal's width at every redraw (maxWidth is its current width)
          format: (options, params, payload: BarPayload) =>
            progressLine(
              { epoch: payload.epoch, epochs: payload.epochs, step: params.value, steps: params.total, loss: payload.loss, acc: payload.acc, sps: payload.sps, eta: payload.etaText },
              params.maxWidth,
              { complete: options.barCompleteChar ?? '█', incomplete: options.barIncompleteChar ?? '░' },
            ),
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let barShown = false;
  // redraw at the new width at once rather than at the next step
  const onResize = () => {
    if (barShown) bar?.render();
  };
  if (bar) process.stderr.on('resize', onResize);
  const stopBar = () => {
    barShown = false;
    bar?.stop();
  };
  // Ctrl-C, SIGTERM (kill, a job scheduler, timeout) and SIGHUP (the terminal closed) all stop
  // training at the next step with a checkpoint, release the run directory and say how to
  // continue; a second one quits at once, through process.exit so that 'exit' handlers still
  // end the workers and remove temporary files. The exit status is 128 + the signal's number.
  let stopRequested = false;
  let stopSignal: NodeJS.Signals = 'SIGINT';
  const onStopSignal = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') process.stderr.on('error', () => {}); // a closed terminal: the messages have nowhere to go, which must not end the run first
    if (stopRequested) process.exit(signalExit(signal));
    stopRequested = true;
    stopSignal = signal;
    stopBar();
    process.stderr.write(`\n${signal === 'SIGINT' ? '' : `${signal}: `}stopping: writing a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : 'the same signal'} again to quit at once)…\n`);
  };
  for (const s of STOP_SIGNALS) process.on(s, onStopSignal);
  let lastPlain = 0;
  let epochStart = Date.now();
  const log = (s: string) => {
    stopBar();
    process.stderr.write(s + '\n');
  };
  try {
    const r = await runTraining({
      specFile: file,
      specText: file ? readText(file, 'spec') : undefined,
      sets,
      settings,
      overrides,
      engine: opts.engine,
      device: opts.device,
      backend: opts.backend,
      nproc: opts.nproc,
      threads: opts.threads,
      dataDir: opts.dataDir,
      out: opts.out,
      force: opts.force,
      resume: opts.resume,
      monitor: opts.monitor,
      patience: opts.patience,
      minDelta: opts.minDelta,
      tensorboard: opts.tensorboard,
      command: ['hwy', ...process.argv.slice(2)],
      log,
      hooks: {
        shouldStop: () => stopRequested,
        onEpochStart(epoch, epochs, steps) {
          epochStart = Date.now();
          const payload: BarPayload = { epoch, epochs, loss: '-', acc: '-', sps: '-', etaText: '?' };
          bar?.start(steps, 0, payload);
          barShown = !!bar;
        },
        // Steps show only on the terminal's bar: elsewhere (a log, a pipe, CI) one line an epoch
        // is what a reader wants, and per-step lines would fill the log.
        onProgress(p: ProgressInfo) {
          if (!bar) return;
          const remaining = ((p.steps - p.step) * (Date.now() - epochStart)) / 1000 / Math.max(1, p.step);
          bar.update(p.step, { loss: fmt(p.loss), acc: fmt(p.accuracy, 3), sps: String(Math.round(p.samplesPerSec)), etaText: eta(remaining) });
        },
        onEpochEnd(m) {
          stopBar();
          process.stderr.write(
            `epoch ${m.epoch}: loss ${fmt(m.loss)} acc ${fmt(m.accuracy)} | ${m.valLoss === null || m.valAccuracy === null ? 'no validation examples' : `val loss ${fmt(m.valLoss)} val acc ${fmt(m.valAccuracy)}`} | lr ${m.lr.toPrecision(3)} | ${m.seconds.toFixed(1)}s, ${Math.round(m.samplesPerSec)} samples/s\n`,
          );
        },
      },
    });
    if (r.kind === 'spec-errors') {
      // a bad --set train.… is the command line's mistake, said as one line naming the flag
      const bad = settingProblem(r.compiled);
      if (bad) throw bad;
      printDiagnostics(r.compiled, { errorsOnly: true });
      process.stderr.write(`${r.compiled.file}: has errors; nothing was trained\n`);
      if (json) writeJson({ outcome: 'spec-errors', file: r.compiled.file, diagnostics: r.compiled.diagnostics.filter((d) => d.severity === 'error') });
      process.exitCode = EXIT_SPEC;
      return;
    }
    const o = r.outcome;
    if (r.tensorboardFailure) process.stderr.write(`hwy: the TensorBoard files in ${r.runDir}/tensorboard are incomplete: ${r.tensorboardFailure}\n`);
    if (r.stopped) process.stderr.write(`stopped early after epoch ${r.stopped.epoch} of ${r.record.config.epochs}: ${r.stopped.message}\n`);
    if (r.best && o.status !== 'diverged') process.stderr.write(`best checkpoint: epoch ${r.best.epoch} (${r.best.monitor} ${fmt(r.best.value)}) in ${r.best.dir}\n`);
    if (json) {
      // the metrics of the epoch the newest checkpoint holds (a diverged epoch has none)
      const metrics = readMetrics(r.runDir).find((m) => m.epoch === o.state.epoch) ?? null;
      writeJson({
        runDir: r.runDir,
        outcome: r.stopped ? 'stopped-early' : o.status,
        ...(o.status === 'diverged' ? { message: o.message } : {}),
        ...(r.stopped ? { message: r.stopped.message } : {}),
        epoch: o.state.epoch,
        step: o.state.step,
        metrics,
        best: r.best ?? null,
        engine: r.engine,
      });
    }
    if (o.status === 'diverged') {
      // name the checkpoint actually on disk: none when it diverged before the first one
      const kept = o.state.savedAt ? `The last good checkpoint (${checkpointLabel(o.state)}) is kept in ${r.runDir}` : `No checkpoint was kept: it diverged before the first one was written`;
      process.stderr.write(`hwy: ${o.message}. ${kept}. Try a lower --lr.\n`);
      process.exitCode = 1;
      return;
    }
    if (o.status === 'interrupted') {
      process.stderr.write(`stopped ${o.state.step ? stepsInto(o.state) : `after epoch ${o.state.epoch}`}; checkpoint in ${r.runDir}\ncontinue with: ${hwyCommand('train', '--resume', r.runDir)}\n`);
      process.exitCode = signalExit(stopSignal);
      return;
    }
    if (!json) process.stdout.write(`run directory: ${r.runDir}\nevaluate with: ${hwyCommand('eval', r.runDir)}${r.best ? ` (the best epoch: ${hwyCommand('eval', r.runDir, '--checkpoint', 'best')})` : ''}\n`);
  } catch (e) {
    stopBar();
    if (e instanceof DataError || e instanceof RunDirError || e instanceof EngineUnavailable || e instanceof NotEnoughMemory || e instanceof MonitorError || e instanceof TensorboardUnavailable) throw new UsageError(e.message, EXIT_USAGE);
    if (e instanceof EngineKilled) throw new UsageError(killedMessage(e), signalExit(e.signal));
    // the Python side failed: its own traceback (in the message) is what helps, not Node's stack
    if (e instanceof TorchEngineError) throw new UsageError(`${e.message}\nPlease report this.`, EXIT_INTERNAL);
    throw e;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onStopSignal);
    process.stderr.off('resize', onResize);
  }
}
