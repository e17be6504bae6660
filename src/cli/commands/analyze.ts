import type { Command } from 'commander';
import { join } from 'node:path';
import { EXIT_USAGE, UsageError } from '../errors.js';
import { backendAliasOption, tfjsDevice, tfjsDeviceOption } from '../device.js';
import { checkpointOption, type CheckpointChoice } from '../checkpoint-option.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';

/** The files writeFigure makes of each figure. */
const FIGURE_FILES = ['svg', 'png', 'json', 'vl.json'];

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description("the paper's analyses of trained runs: gate heat maps (figure 2), routing by class (figure 3), lesioning (figure 4), condition numbers")
    .argument('<run-dirs...>', 'run directories; figures 2-4 for the first, condition numbers for all (side by side)')
    .option('--out <dir>', 'where the figures go (default: <first run>/analysis)')
    .option('--samples <n>', 'training examples to use (a fixed random subset; default: all)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--samples expects a positive whole number, not '${v}'`);
      return n;
    })
    .option('--classes <list>', 'classes for figure 3, e.g. 0,1,2,3', (v) => {
      const c = v.split(',').map(Number);
      if (c.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError(`--classes expects class numbers such as 0,1,2, not '${v}'`);
      return c;
    })
    .option('--seed <n>', 'picks the sample of figure 2 and the subset', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--seed expects a whole number >= 0, not '${v}'`);
      return n;
    })
    .addOption(tfjsDeviceOption())
    .addOption(backendAliasOption())
    .option('--data-dir <dir>', 'directory with the data files (or HWY_DATA_DIR)')
    .addOption(checkpointOption())
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nEach figure is written as SVG, PNG, its data as JSON and its vega-lite spec (.vl.json).\n--format json prints the files written, the notes and the condition numbers (null where infinite; singular: true also\nwhere a number is past the float32 limit, where the smallest singular value is rounding noise).\n\nExample:\n  npx hwy analyze runs/analysis-mnist runs/mlp-plain --samples 2000',
    )
    .action(async (runDirs: string[], opts: { out?: string; samples?: number; classes?: number[]; seed?: number; dataDir?: string; device?: string; backend?: string; checkpoint: CheckpointChoice; format: OutputFormat }) => {
      const device = tfjsDevice(opts);
      const { analyze } = await import('../../analysis/analyze.js');
      const { RunDirError } = await import('../../run/run-dir.js');
      const { DataError } = await import('../../data/index.js');
      try {
        const r = await analyze({ runDirs, out: opts.out, samples: opts.samples, classes: opts.classes, seed: opts.seed, dataDir: opts.dataDir, backend: device, checkpoint: opts.checkpoint, log: (s) => process.stderr.write(s + '\n') });
        if (opts.format === 'json') {
          writeJson({
            out: r.out,
            figures: r.figures.map((name) => ({ name, files: FIGURE_FILES.map((ext) => join(r.out, `${name}.${ext}`)) })),
            notes: r.notes,
            // JSON has no Infinity: an infinite number is null; `singular` also covers numbers past the float32 limit
            conditionNumbers: r.conditions.map((c) => ({ ...c, condition: Number.isFinite(c.condition) ? c.condition : null })),
          });
        } else process.stdout.write(`figures in ${r.out}: ${r.figures.join(', ')}\n`);
      } catch (e) {
        if (e instanceof RunDirError || e instanceof DataError) throw new UsageError(e.message, EXIT_USAGE);
        throw e;
      }
    });
}
