import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_USAGE, UsageError } from '../errors.js';
import { backendAliasOption, engineName, resolveDevice } from '../device.js';
import { DEVICES, ENGINE_NAMES, type EngineName } from '../../backends/engine.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';
import { collectSet, settingProblem, splitSets } from '../io.js';
import { compile, resolveSettingPath, settingFlag, type SettingOverride } from '../../core/compile.js';
import { packageRoot } from '../../util/package-root.js';

const ints = (name: string) => (v: string) => {
  const xs = v.split(',').map(Number);
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 2)) throw new UsageError(`${name} expects whole numbers of at least 2 such as 10,20,50,100, not '${v}'`);
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

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('figure 1 of the paper: plain vs highway networks of growing depth, the same budget each; a table, JSON and a plot')
    .option('--depths <list>', 'depths', ints('--depths'), [10, 20, 50, 100])
    .option('--epochs <n>', 'epochs a run', int('--epochs'), 5)
    .option('--trials <n>', 'random-search trials a network (the paper: 100); 1 uses the specs as they are', int('--trials'), 1)
    .option('--out <dir>', 'sweep directory (one run directory a network and trial)', 'runs/sweep')
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
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nStarting the same sweep again skips finished runs and resumes the unfinished one.\n--format json prints the summary table (the best run of each network), every run and the files written.\n\nExample:\n  npx hwy sweep --depths 10,20,50,100 --epochs 5 --out runs/sweep',
    )
    .action(async (opts: { depths: number[]; epochs: number; trials: number; out: string; seed: number; data: string; dataDir?: string; engine?: EngineName; device?: string; backend?: string; set?: string[]; format: OutputFormat }) => {
      const device = resolveDevice(opts);
      const settings = sweepSettings(opts.set, opts.trials);
      if (opts.data !== 'mnist' && opts.data !== 'mnist_full') throw new UsageError(`--data must be mnist or mnist_full, not '${opts.data}'`);
      const { sweep } = await import('../../analysis/sweep.js');
      const { DataError } = await import('../../data/index.js');
      const { RunDirError } = await import('../../run/run-dir.js');
      let stop = false;
      const onSigint = () => {
        if (stop) process.exit(130);
        stop = true;
        process.stderr.write('\nstopping after a checkpoint (Ctrl-C again to quit at once)…\n');
      };
      process.on('SIGINT', onSigint);
      try {
        const { format, set: _set, ...sweepOpts } = opts;
        const r = await sweep({ ...sweepOpts, settings, kinds: ['plain', 'highway'], engine: opts.engine, device, backend: undefined, log: (s) => process.stderr.write(s + '\n'), shouldStop: () => stop });
        if (format === 'json') {
          const files = ['sweep.md', 'sweep.json', 'figure1-depth.svg', 'figure1-depth.png', 'figure1-depth.json', 'figure1-depth.vl.json'].map((f) => join(opts.out, f)).filter((f) => existsSync(f));
          // `best` is the table of sweep.md; a stopped sweep lists what it finished (complete: false)
          writeJson({ out: opts.out, complete: !stop, epochs: opts.epochs, trials: opts.trials, best: r.best, ratio: r.ratio ?? null, runs: r.rows, files });
        }
        if (stop) {
          process.stderr.write(`stopped; run the same command again to continue\n`);
          process.exitCode = 130;
          return;
        }
        if (format === 'json') return;
        process.stdout.write(`\n${readFileSync(`${opts.out}/sweep.md`, 'utf8')}\nwritten: ${opts.out}/sweep.md, sweep.json, figure1-depth.svg/.png\n`);
        if (!r.ratio) process.stdout.write('(the plain / highway ratio needs both kinds at the deepest depth)\n');
      } catch (e) {
        if (e instanceof DataError || e instanceof RunDirError) throw new UsageError(e.message, EXIT_USAGE);
        throw e;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
