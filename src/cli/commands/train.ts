import type { Command } from 'commander';
import { collectSet } from '../io.js';
import { UsageError } from '../errors.js';
import { notAChoice } from '../choice.js';
import { BACKEND_CHOICES, type BackendChoice } from '../../backends/tfjs/backend-choice.js';
import { DEVICES, ENGINE_NAMES, type EngineName } from '../../backends/engine.js';
import { backendAliasOption, engineName, resolveDevice } from '../device.js';
import { statSync } from 'node:fs';
import { ARRAY_FORMATS, DATASETS } from '../../language/catalogue.js';
import { formatOption, type OutputFormat } from '../output.js';
import { MONITORS, type MonitorName } from '../../run/monitor.js';

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} expects a positive whole number, not '${v}'`);
    return n;
  };
}
function positiveNumber(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} expects a positive number, not '${v}'`);
    return n;
  };
}
function backendChoice(v: string): BackendChoice {
  if (!(BACKEND_CHOICES as string[]).includes(v)) throw notAChoice(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, not '${v}'`, v, BACKEND_CHOICES);
  return v as BackendChoice;
}

/** A data set name, an .npz file or a directory of .npy files; a mistyped name is refused here rather than read as a directory. */
export function dataName(v: string): string {
  if ((ARRAY_FORMATS as readonly string[]).includes(v)) throw new UsageError(`--data takes the path of the arrays itself: --data FILE.npz, or --data DIR for a directory of .npy files`);
  if ((DATASETS as readonly string[]).includes(v) || /\.npz$/i.test(v)) return v;
  let dir = false;
  try {
    dir = statSync(v).isDirectory();
  } catch {}
  if (!dir) throw notAChoice(`--data must be one of ${NAMED.join(', ')}, an .npz file or a directory of .npy files, not '${v}'`, v, NAMED);
  return v;
}
const NAMED = DATASETS.filter((d) => !(ARRAY_FORMATS as readonly string[]).includes(d));

interface TrainOpts {
  set?: string[];
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  engine?: EngineName;
  device?: string;
  /** Deprecated alias of --device (tfjs). */
  backend?: BackendChoice;
  nproc?: number;
  threads?: number;
  data?: string;
  dataDir?: string;
  out?: string;
  force?: boolean;
  resume?: string;
  printConfig?: boolean;
  patience?: number;
  monitor?: MonitorName;
  minDelta?: number;
  tensorboard?: boolean;
  progress: boolean;
  format: OutputFormat;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("train a spec's network; the spec's train { } section gives the defaults, flags override")
    .argument('[file]', 'a .hwy spec (not with --resume)')
    .option('--set <name=value>', 'override a let constant (depth=100) or a train { } setting (train.momentum=0.95, train.optimizer=adam, train.lr.schedule=cosine, data.normalize=gcn); repeatable', collectSet)
    .option('--epochs <n>', 'epochs (with --resume: train up to this many)', positiveInt('--epochs'))
    .option('--batch <n>', 'mini-batch size', positiveInt('--batch'))
    .option('--lr <x>', 'initial learning rate (with --resume: replaces it for the epochs still to train)', positiveNumber('--lr'))
    .option('--seed <n>', 'random seed (same seed, engine and device: same run)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--seed expects a whole number >= 0, not '${v}'`);
      return n;
    })
    .option('--engine <e>', `training engine: ${ENGINE_NAMES.join(' | ')} (default tfjs; with --resume, the run's)`, engineName)
    .option('--device <d>', `tfjs: ${DEVICES.tfjs.join(' | ')}; torch: ${DEVICES.torch.join(' | ')} (default auto)`)
    .addOption(backendAliasOption().argParser(backendChoice))
    .option('--nproc <n>', 'torch: data-parallel worker processes on this machine (each takes batch/n of every batch)', positiveInt('--nproc'))
    .option('--threads <n>', 'torch: CPU threads per worker (or HWY_THREADS; default 1, the fastest measured on small machines)', positiveInt('--threads'))
    .option('--data <name|path>', `data set: ${NAMED.join(', ')}, or NumPy arrays: FILE.npz or a directory of .npy files (x_train, y_train, x_test, y_test)`, dataName)
    .option('--data-dir <dir>', 'directory with the files of mnist_full / cifar10 / cifar100 (or HWY_DATA_DIR); with --resume: where the run\'s data set is now')
    .option('--out <dir>', 'run directory (default: runs/<spec name>, or the first free runs/<spec name>-N)')
    .option('--force', "replace the run in an existing --out run directory (only hwy's own files go)")
    .option('--resume <dir>', 'continue a run from its last checkpoint')
    .option('--print-config', 'print the configuration the run would train with (defaults, spec, --set and flags) and exit without training')
    .option('--patience <n>', 'early stopping: stop after n epochs in which the monitored metric did not improve', positiveInt('--patience'))
    .option('--monitor <metric>', `the metric early stopping and the best checkpoint follow: ${MONITORS.join(' | ')} (default val_loss, or loss without a validation split; with --resume, the run's)`, (v: string) => {
      if (!(MONITORS as readonly string[]).includes(v)) throw notAChoice(`--monitor must be one of ${MONITORS.join(', ')}, not '${v}'`, v, MONITORS);
      return v as MonitorName;
    })
    .option('--min-delta <x>', 'early stopping: the least change of the monitored metric that counts as an improvement (default 0)', (v: string) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--min-delta expects a number >= 0, not '${v}'`);
      return n;
    })
    .option('--tensorboard', 'also write TensorBoard event files into RUN/tensorboard (needs Python with tensorboard or tensorboardX)')
    .option('--no-progress', 'plain lines instead of a progress bar')
    .addOption(formatOption())
    .addHelpText(
      'after',
      `
The run directory holds spec.hwy, ir.json, run.json, metrics.jsonl (one JSON line an epoch)
and the same rows in metrics.csv, model/ (model.json + weights.bin, the tfjs LayersModel
format, with the engine's optimizer state), written atomically after every epoch, and best/,
the same files for the best epoch by --monitor. Ctrl-C checkpoints and stops; --resume continues
with the run's engine. --engine torch trains with PyTorch in a Python process (HWY_PYTHON, or
python3 with torch); hwy eval and hwy analyze read its runs as they read tfjs runs.
--set train.SETTING=VALUE (train.lr, train.batch, train.optimizer, ...) or train.SETTING.ATTRIBUTE
(train.optimizer.momentum, train.lr.schedule; an attribute only one setting has may drop the
setting: train.momentum, train.warmup) and data.ATTRIBUTE (data.normalize, data.augment=[mirror])
set what the train { } section would, checked as it is; a resume refuses any but train.epochs
and train.lr that differ from the run's. --print-config shows the result (--format json too).
--patience N stops when the monitored metric has not improved for N epochs (run.json says
why); best/ always holds the best epoch's checkpoint (hwy eval RUN --checkpoint best).
--format json prints, at the end, one JSON object on standard output: runDir, outcome
(done, stopped-early, interrupted, diverged), epoch, step, the metrics of that epoch, the
best epoch and the engine;
progress and messages stay on standard error.

Examples:
  npx hwy train specs/paper/mlp-highway.hwy --set depth=10 --epochs 2
  npx hwy train specs/paper/mnist-conv-highway.hwy --epochs 3 --out runs/conv
  npx hwy train --resume runs/conv --epochs 6
  npx hwy train specs/paper/mlp-highway.hwy --epochs 50 --patience 3 --monitor val_accuracy
  npx hwy train specs/paper/mlp-highway.hwy --engine torch --device cpu --nproc 2
  npx hwy train specs/paper/mlp-highway.hwy --set train.optimizer=adam --set train.lr=0.001 --print-config
  npx hwy train specs/paper/mlp-highway.hwy --format json | jq .metrics.valAccuracy`,
    )
    .action(async (file: string | undefined, opts: TrainOpts) => {
      if (!file && !opts.resume) throw new UsageError('train needs a spec file, or --resume RUN_DIR');
      if (file && opts.resume) throw new UsageError('give a spec file or --resume, not both');
      // with --resume and no --engine the run's engine decides, and the session checks the device
      // (or --backend, named as given) against it
      if (!(opts.resume && !opts.engine)) {
        opts.device = resolveDevice(opts);
        opts.backend = undefined;
      }
      const { trainCommand } = await import('./train-run.js');
      await trainCommand(file, opts);
    });
}

export type { TrainOpts };
