import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_USAGE, UsageError } from '../errors.js';
import { notAChoice } from '../choice.js';
import { backendAliasOption, engineName, resolveDevice } from '../device.js';
import { DEVICES, ENGINE_NAMES, type EngineName } from '../../backends/engine.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';
import { collectSet, settingProblem, splitSets } from '../io.js';
import { compile, resolveSettingPath, settingFlag, type SettingOverride } from '../../core/compile.js';
import { packageRoot } from '../../util/package-root.js';
import { availableParallelism, constants as osConstants } from 'node:os';
import { DEFAULT_CLAIMS, DEFAULT_STOP } from '../../analysis/sweep-protocol.js';
import { sweepProgress } from './sweep-progress.js';
import { loadPlan, planWithOverrides, refuseUnusablePython, RETIRED_WITH_FILE, runSweepCommand, SAMPLERS } from './sweep-file.js';
import type { SamplerName } from '../../ir/experiment.js';

/**
 * The deepest network a sweep trains: the paper's figure 1 goes to 100 layers, its deepest
 * networks to 900. Far deeper ones compile (up to the passes' 200,000 layers) but a trial of
 * 150,000 layers ran out of stack building the model after minutes.
 */
const MAX_SWEEP_DEPTH = 1000;

const ints = (name: string) => (v: string) => {
  const xs = v.split(',').map(Number);
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 2)) throw new UsageError(`${name} expects whole numbers of at least 2 such as 10,20,50,100, not '${v}'`);
  const deep = xs.find((x) => x > MAX_SWEEP_DEPTH);
  if (deep !== undefined) throw new UsageError(`${name} ${v}: a sweep trains networks of at most ${MAX_SWEEP_DEPTH} layers (the paper's deepest are 900), not ${deep}`);
  return xs;
};
const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} expects a positive whole number, not '${v}'`);
  return n;
};

/**
 * A sweep's --set: training settings only (the networks are the paper's, their depth the
 * sweep's), and none that the sweep's own flags or its random search decide.
 */
function sweepSettings(sets: string[] | undefined, trials: number): SettingOverride[] {
  const { lets, settings } = splitSets(sets);
  const name = Object.keys(lets)[0];
  if (name !== undefined) throw new UsageError(`--set ${name}=${lets[name]}: the sweep trains the paper's networks at the depths of --depths; only training settings (--set train.…) can be set`);
  for (const o of settings) {
    const r = resolveSettingPath(o.path);
    if ('error' in r) continue; // the compiler says so, naming the flag
    const key = `${r.kind}.${r.attr}`;
    const own = r.kind === 'data' ? '--data (the sweep loads its data once, scaled)' : key === 'epochs.value' ? '--epochs' : key === 'seed.value' ? '--seed' : undefined;
    if (own) throw new UsageError(`${settingFlag(o)}: the sweep sets this with ${own}`);
    if (trials > 1 && (r.kind === 'optimizer' || key === 'lr.value' || key === 'lr.gamma' || key === 'lr.schedule')) throw new UsageError(`${settingFlag(o)}: with --trials ${trials} the random search draws the rate, momentum (SGD) and decay of every run`);
  }
  // checked once, before any run, against the spec every run starts from
  if (settings.length) {
    const file = join(packageRoot(), 'specs', 'paper', 'mlp-highway.hwy');
    const bad = settingProblem(compile(readFileSync(file, 'utf8'), file, { settings }));
    if (bad) throw bad;
  }
  return settings;
}

/**
 * Every depth of --depths must give networks the compiler accepts (its limits bound the
 * layers, parameters and activations), checked before the sweep starts rather than as a
 * failed trial: `--depths 1000000` is one line naming the flag.
 */
function checkDepths(depths: number[], settings: SettingOverride[]): void {
  for (const kind of ['plain', 'highway'] as const) {
    const file = join(packageRoot(), 'specs', 'paper', `mlp-${kind}.hwy`);
    const text = readFileSync(file, 'utf8');
    for (const depth of depths) {
      const r = compile(text, file, { overrides: { depth }, settings });
      const bad = r.diagnostics.find((d) => d.severity === 'error');
      if (bad) throw new UsageError(`--depths ${depth}: the paper's ${kind} network does not compile at depth ${depth}: ${bad.message}`);
    }
  }
}

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} expects a positive number such as 1e-4, not '${v}'`);
  return n;
};
const fraction = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new UsageError(`${name} expects a fraction from 0 up to (not including) 1 such as 0.01, not '${v}'`);
  return n;
};
const whole = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} expects a whole number >= 0, not '${v}'`);
  return n;
};

/** The best loss so far of each network, shortest first: 'plain-10 3.1e-3, highway-10 …'. */
function bestText(best: Record<string, number>): string {
  return Object.entries(best)
    .map(([k, v]) => `${k} ${v.toExponential(1)}`)
    .join(', ');
}

interface SweepOpts {
  depths: number[];
  epochs: number;
  trials: number;
  /** Not given: runs/SWEEP_NAME with a file, runs/sweep without (commander's default cannot say both). */
  out?: string;
  seed: number;
  data: string;
  dataDir?: string;
  engine?: EngineName;
  device?: string;
  backend?: string;
  jobs?: number;
  threads?: number;
  targetLoss: number;
  patience: number;
  minImprovement: number;
  low: number;
  progress: boolean;
  set?: string[];
  storage?: string;
  sampler?: SamplerName;
  format: OutputFormat;
}

const sampler = (v: string): SamplerName => {
  if (!(SAMPLERS as string[]).includes(v)) throw notAChoice(`--sampler must be one of ${SAMPLERS.join(', ')}, not '${v}'`, v, SAMPLERS);
  return v as SamplerName;
};

/** hwy sweep FILE.hwy: the paper sweep's flags that mean the same in a plan override it; the others are refused, saying what to write instead. */
async function sweepFile(file: string, opts: SweepOpts, cmd: Command): Promise<void> {
  const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
  for (const k of Object.keys(RETIRED_WITH_FILE)) if (given(k)) throw new UsageError(RETIRED_WITH_FILE[k]);
  const device = resolveDevice(opts);
  const plan = planWithOverrides(loadPlan(file), {
    ...(given('trials') ? { trials: opts.trials } : {}),
    ...(given('epochs') ? { epochs: opts.epochs } : {}),
    ...(given('seed') ? { seed: opts.seed } : {}),
    ...(given('targetLoss') ? { targetLoss: opts.targetLoss } : {}),
    ...(given('patience') ? { patience: opts.patience } : {}),
    ...(given('minImprovement') ? { minImprovement: opts.minImprovement } : {}),
    sampler: opts.sampler,
    format: opts.format,
    progress: opts.progress,
  });
  await runSweepCommand(plan, { out: opts.out, engine: opts.engine, device, jobs: opts.jobs, threads: opts.threads, dataDir: opts.dataDir, storage: opts.storage, format: opts.format, progress: opts.progress });
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .argument('[file]', 'a spec with a sweep section: runs the sweep it declares (without one: figure 1 of the paper)')
    .description('run the sweep a spec declares (grid and random search in-process, tpe and pruners through Optuna), trials x seeds trained to convergence, with a summary, every trial as CSV and JSON, and figures; without a file, figure 1 of the paper: plain vs highway networks of growing depth, the best of a random search, the claims checked')
    .option('--depths <list>', `depths, from 2 to ${MAX_SWEEP_DEPTH}`, ints('--depths'), [10, 20, 50, 100])
    .option('--epochs <n>', 'the most epochs a trial trains (it stops earlier once converged)', int('--epochs'), 5)
    .option('--trials <n>', 'random-search trials a network (the paper: 100); 1 uses the specs as they are', int('--trials'), 1)
    .option('--target-loss <x>', 'a trial stops once its training loss is at most this (the paper: 1e-4)', positive('--target-loss'), DEFAULT_STOP.targetLoss)
    .option('--patience <k>', 'a trial stops when its best training loss of the last k epochs is not --min-improvement below the best before them (0: never)', whole('--patience'), DEFAULT_STOP.patience)
    .option('--min-improvement <f>', 'relative improvement that counts as still falling (0.01: 1%)', fraction('--min-improvement'), DEFAULT_STOP.minImprovement)
    .option('--low <x>', 'the training loss the claims call low', positive('--low'), DEFAULT_CLAIMS.low)
    .option('--jobs <n>', 'trials trained at once (torch: default the CPU cores / --threads; tfjs trains in this process: 1)', int('--jobs'))
    .option('--threads <n>', 'torch: CPU threads a trial (or HWY_THREADS; default 1)', int('--threads'))
    .option('--out <dir>', 'sweep directory (one run directory a network and trial; default runs/SWEEP_NAME with a file, runs/sweep without)')
    .option(
      '--seed <n>',
      'seed of runs and search',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--seed expects a whole number >= 0, not '${v}'`);
        return n;
      },
      1,
    )
    .option('--data <name>', 'mnist (bundled) or mnist_full', 'mnist')
    .option('--engine <e>', `training engine of every run: ${ENGINE_NAMES.join(' | ')} (default tfjs)`, engineName)
    .option('--device <d>', `tfjs: ${DEVICES.tfjs.join(' | ')}; torch: ${DEVICES.torch.join(' | ')} (default auto)`)
    .addOption(backendAliasOption())
    .option('--data-dir <dir>', 'directory with the full MNIST files')
    .option('--set <train.setting=value>', 'a training setting every run takes, as hwy train --set (train.optimizer=adam, train.batch=64); repeatable', collectSet)
    .option('--sampler <s>', `a sweep file: the search, overriding the file's (${SAMPLERS.join(' | ')}; tpe needs Optuna)`, sampler)
    .option('--storage <url>', "a sweep file: Optuna's storage shared by several processes (sqlite:///…, postgresql://…); needs Optuna")
    .option('--no-progress', 'plain progress lines even on a terminal')
    .addOption(formatOption())
    .addHelpText(
      'after',
      [
        '',
        'With a FILE: the sweep section of the spec says what varies (networks, grid, search space), how many',
        'trials and seeds, the objective and when a run stops; every grid point\'s network is checked first.',
        'Written into --out (default runs/SWEEP_NAME): sweep.md (the best trial of each group, mean ± std over',
        'seeds, verdicts), sweep.json, trials.csv (one row a run), runs/ and trials/, and the figures',
        '(objective, parallel, curves, importances; .svg, .png, their data and vega-lite specs).',
        'Flags that override the file: --trials, --epochs (the cap), --seed (the search\'s), --target-loss,',
        '--patience, --min-improvement, --sampler, when given (the defaults above are the paper sweep\'s, not the',
        'file\'s); --depths, --low, --set and --data are refused with a file.',
        '',
        'Starting the same sweep again skips finished trials (trials/ records them) and resumes unfinished ones;',
        'a directory holding another sweep is refused. More --trials or a larger --epochs continue a sweep.',
        'Progress over the whole sweep goes to standard error: trials done, the best so far of each group, the time left.',
        '--format json prints the summary (verdicts, best of each group, every trial) and the files.',
        'Several processes, on any machines, run one sweep that goes through Optuna (sampler tpe, a pruner or',
        '--storage): the same command with one --out (a shared directory), or each its own --out with one',
        '--storage postgresql://…; a trial whose process dies is taken over (from its checkpoint in a shared --out).',
        '',
        'Examples:',
        '  npx hwy sweep specs/paper/figure1.hwy --engine torch --jobs 2',
        '  npx hwy sweep my-sweep.hwy --trials 20 --epochs 50 --out runs/my-sweep --format json',
        '  npx hwy sweep my-sweep.hwy --out runs/my-sweep --storage postgresql://hwy:PASSWORD@db-host/hwy   # on each machine',
        '',
        "Without a file, the paper's protocol (figure 1):",
        '  npx hwy sweep --engine torch --trials 10 --epochs 25 --patience 5 --out runs/sweep-paper',
      ].join('\n'),
    )
    .action(async (file: string | undefined, opts: SweepOpts, cmd: Command) => {
      if (file !== undefined) return sweepFile(file, opts, cmd);
      const out = opts.out ?? 'runs/sweep';
      for (const k of ['sampler', 'storage'] as const) if (opts[k] !== undefined) throw new UsageError(`--${k} is for sweep files (hwy sweep FILE.hwy --${k} …): without a file hwy sweep runs the paper's random search in-process`);
      const device = resolveDevice(opts);
      const settings = sweepSettings(opts.set, opts.trials);
      checkDepths(opts.depths, settings);
      if (opts.data !== 'mnist' && opts.data !== 'mnist_full') throw notAChoice(`--data must be mnist or mnist_full, not '${opts.data}'`, opts.data, ['mnist', 'mnist_full']);
      const engine = opts.engine ?? 'tfjs';
      // tfjs trains in this process: two trials at once would take turns on one thread
      if (engine === 'tfjs' && opts.jobs !== undefined && opts.jobs > 1) throw new UsageError(`--jobs ${opts.jobs}: the tfjs engine trains in this process, one trial at a time; use --engine torch to train several at once`);
      if (engine === 'tfjs' && opts.threads !== undefined) throw new UsageError(`--threads is a setting of the torch engine; add --engine torch`);
      const threads = opts.threads ?? envThreads();
      // refused before the sweep starts, as the engine would refuse it for every trial
      const { threadsProblem } = await import('../../backends/torch/engine.js');
      const manyThreads = engine === 'torch' ? threadsProblem(threads, opts.threads !== undefined ? `--threads ${opts.threads}` : `HWY_THREADS=${process.env.HWY_THREADS}`) : undefined;
      if (manyThreads) throw new UsageError(manyThreads);
      const jobs = opts.jobs ?? (engine === 'torch' ? Math.max(1, Math.floor(availableParallelism() / threads)) : 1);
      const { sweepDirProblem } = await import('../../run/sweep-dir.js');
      if (engine === 'torch') await refuseUnusablePython();
      const notASweep = sweepDirProblem(out, 'paper');
      if (notASweep) throw new UsageError(notASweep);
      const { sweep } = await import('../../analysis/sweep.js');
      const { DataError } = await import('../../data/index.js');
      const { RunDirError } = await import('../../run/run-dir.js');
      const { EngineKilled, EngineUnavailable } = await import('../../backends/engine.js');
      const { NotEnoughMemory } = await import('../../run/memory.js');
      const tty = opts.progress && process.stderr.isTTY === true && opts.format !== 'json';
      const progress = sweepProgress(tty, bestText);
      const log = progress.log;
      // Ctrl-C and SIGTERM (kill, a scheduler) both stop the running trials at their next
      // checkpoint, within seconds, and release their run directories; a second one quits at
      // once (process.exit: its handlers still end the torch workers)
      // SIGHUP (the terminal closed) too, as hwy train treats it
      let stop: 129 | 130 | 143 | undefined;
      const stopper = (code: 129 | 130 | 143) => () => {
        if (code === 129) process.stderr.on('error', () => {}); // a closed terminal: nowhere to write, which must not end the sweep first
        if (stop) process.exit(code);
        stop = code;
        process.stderr.write(`\nstopping after a checkpoint (${code === 130 ? 'Ctrl-C' : 'the same signal'} again to quit at once)…\n`);
      };
      const onSigint = stopper(130);
      const onSigterm = stopper(143);
      const onSighup = stopper(129);
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigterm);
      process.on('SIGHUP', onSighup);
      process.stderr.write(`sweep: ${opts.depths.length * 2 * opts.trials} trials (${opts.trials} a network), ${engine} engine, ${jobs} at once${engine === 'torch' ? ` x ${threads} thread${threads > 1 ? 's' : ''}` : ''}; a trial stops at a training loss <= ${opts.targetLoss}, after ${opts.patience} epoch${opts.patience === 1 ? '' : 's'} without ${opts.minImprovement * 100}% improvement, or at ${opts.epochs} epoch${opts.epochs === 1 ? '' : 's'}\n`);
      try {
        const { format, progress: _p, targetLoss, patience, minImprovement, low, set: _set, ...rest } = opts;
        const r = await sweep({
          ...rest,
          out,
          settings,
          kinds: ['plain', 'highway'],
          engine: opts.engine,
          device,
          backend: undefined,
          jobs,
          threads: engine === 'torch' ? opts.threads : undefined,
          stop: { targetLoss, patience, minImprovement },
          claims: { low },
          log,
          onProgress: progress.onProgress,
          shouldStop: () => stop !== undefined,
        });
        progress.stop();
        if (format === 'json') {
          const files = ['sweep.md', 'sweep.json', 'figure1-depth.svg', 'figure1-depth.png', 'figure1-depth.json', 'figure1-depth.vl.json'].map((f) => join(out, f)).filter((f) => existsSync(f));
          // `best` is the table of sweep.md; a stopped sweep lists what it finished (complete: false)
          // run directories as sweep.json has them: relative to the sweep directory (`out`)
          const saved = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
          writeJson({ out, complete: r.complete, epochs: opts.epochs, trials: opts.trials, best: saved.best, ratio: r.ratio ?? null, claims: r.claims, runs: saved.rows, files });
        }
        if (!r.complete) {
          process.stderr.write(`stopped after ${r.rows.length} of ${r.total} trials; run the same command again to continue\n`);
          process.exitCode = stop ?? 130;
          return;
        }
        if (format === 'json') return;
        process.stdout.write(`\n${readFileSync(`${out}/sweep.md`, 'utf8')}\nwritten: ${out}/sweep.md, sweep.json, figure1-depth.svg/.png\n`);
        if (!r.ratio) process.stdout.write('(the plain / highway ratio needs both kinds at the deepest depth)\n');
      } catch (e) {
        progress.stop();
        if (e instanceof DataError || e instanceof RunDirError || e instanceof EngineUnavailable || e instanceof NotEnoughMemory) throw new UsageError(e.message, EXIT_USAGE);
        // a trial's worker killed from outside (the OOM killer): its run keeps its checkpoint, and the same command continues
        if (e instanceof EngineKilled) throw new UsageError(`${e.message} in ${e.runDir}; run the same command again to continue the sweep`, 128 + (osConstants.signals[e.signal as NodeJS.Signals] ?? 0));
        throw e;
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
        process.off('SIGHUP', onSighup);
      }
    });
}

/** HWY_THREADS as the torch engine reads it (it refuses a bad value itself, with the message). */
function envThreads(): number {
  const n = Number(process.env.HWY_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
