import type { Command } from 'commander';
import { UsageError, EXIT_USAGE } from '../errors.js';
import { notAChoice } from '../choice.js';
import { backendAliasOption, tfjsDevice, tfjsDeviceOption } from '../device.js';
import { checkpointOption, type CheckpointChoice } from '../checkpoint-option.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';
import { dataName } from './train.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("evaluate a run's newest (or best) checkpoint: loss, accuracy and a confusion matrix")
    .argument('<run-dir>', 'a run directory written by hwy train')
    .option('--split <split>', 'train, validation or test', 'validation')
    .option('--data <name|path>', 'evaluate on another data set of the same shape (a name, FILE.npz or a directory of .npy files)', dataName)
    .addOption(checkpointOption())
    .addOption(tfjsDeviceOption())
    .addOption(backendAliasOption())
    .option('--data-dir <dir>', 'directory with the data files (or HWY_DATA_DIR)')
    .option('--save', 'also record the result in the run directory (eval/CHECKPOINT-SPLIT.json), where hwy studio shows its confusion matrix')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  npx hwy eval runs/mlp-highway\n  npx hwy eval runs/mlp-highway --split test --format json\n  npx hwy eval runs/mlp-highway --save')
    .action(async (runDir: string, opts: { split: string; data?: string; dataDir?: string; device?: string; backend?: string; checkpoint: CheckpointChoice; format: OutputFormat; save?: boolean }) => {
      if (!['train', 'validation', 'test'].includes(opts.split)) throw notAChoice(`--split must be train, validation or test, not '${opts.split}'`, opts.split, ['train', 'validation', 'test']);
      // a record names the run's own split: one of other data would be read as the run's
      if (opts.save && opts.data !== undefined) throw new UsageError('--save records an evaluation on the run\'s own data, not on --data: leave out one of the two');
      const device = tfjsDevice(opts);
      const { runEval } = await import('../../run/session.js');
      const { RunDirError } = await import('../../run/run-dir.js');
      const { DataError } = await import('../../data/index.js');
      let r;
      try {
        r = await runEval({ runDir, split: opts.split as 'test', data: opts.data, dataDir: opts.dataDir, backend: device, checkpoint: opts.checkpoint });
        if (opts.save) {
          const { saveEvalResult } = await import('../../run/eval-record.js');
          const path = saveEvalResult(r);
          if (opts.format !== 'json') process.stderr.write(`saved ${path}\n`);
        }
      } catch (e) {
        if (e instanceof RunDirError || e instanceof DataError) throw new UsageError(e.message, EXIT_USAGE);
        throw e;
      }
      if (opts.format === 'json') {
        writeJson(r);
        return;
      }
      const lines = [`${r.runDir}, ${r.which} checkpoint (${r.which === 'best' ? 'best/' : 'model/'}) ${r.checkpoint}, ${r.split} split (${r.count} examples, ${r.backend} backend)`, `loss ${r.loss.toFixed(4)}  accuracy ${(r.accuracy * 100).toFixed(2)}%`, '', 'confusion matrix (rows: true class, columns: predicted)'];
      const w = r.confusion.flat().reduce((m, v) => Math.max(m, String(v).length + 1), 4);
      lines.push('     ' + r.confusion.map((_, j) => String(j).padStart(w)).join(''));
      r.confusion.forEach((row, i) => lines.push(String(i).padStart(4) + ' ' + row.map((v) => String(v).padStart(w)).join('')));
      process.stdout.write(lines.join('\n') + '\n');
    });
}
