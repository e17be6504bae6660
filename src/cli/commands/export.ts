import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { collectSet, compileFile, printDiagnostics, shellQuote, splitSets } from '../io.js';
import { EXIT_SPEC, EXIT_USAGE, UsageError } from '../errors.js';
import { notAChoice } from '../choice.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';
import { checkpointOption, type CheckpointChoice } from '../checkpoint-option.js';

interface ExportOpts {
  to: string;
  out?: string;
  set?: string[];
  data: boolean;
  dataDir?: string;
  force?: boolean;
  checkpoint?: CheckpointChoice;
  format: OutputFormat;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('a spec or a trained run as a PyTorch job that runs without Node or hwy (--to pytorch), or as an ONNX file (--to onnx)')
    .argument('<spec-or-run>', 'a .hwy spec (initial weights for its seed) or a run directory (its newest checkpoint)')
    .requiredOption('--to <target>', 'pytorch | onnx')
    .option('--out <path>', 'pytorch: the job directory (default: <name>-pytorch); onnx: the file (default: <name>.onnx)')
    .option('--set <name=value>', 'override a let constant of a spec, or a training setting: train.momentum=0.95 (repeatable)', collectSet)
    .option('--no-data', 'pytorch: leave the data out (the README says what to put in data/)')
    .option('--data-dir <dir>', 'directory with the files of mnist_full / cifar10 / cifar100 (or HWY_DATA_DIR)')
    .option('--force', 'replace the files hwy export writes (nothing else in --out is touched)')
    .addOption(checkpointOption("a run's checkpoint: latest (model/, the default) or best (best/, the best epoch by its monitored metric)", { defaultLatest: false }))
    .addOption(formatOption())
    .addHelpText(
      'after',
      `
--format json prints what was written: { to, out, files, ... }.

Examples:
  npx hwy export specs/paper/mlp-highway.hwy --to pytorch --out job   # then: cd job && python3 train.py
  npx hwy export runs/mlp-highway --to pytorch --out job              # starts from the run's weights; weights.pt too
  npx hwy export runs/mlp-highway --to onnx --out mlp.onnx`,
    )
    .action(async (source: string, opts: ExportOpts) => {
      if (opts.to !== 'pytorch' && opts.to !== 'onnx') throw notAChoice(`--to must be pytorch or onnx, not '${opts.to}'`, opts.to, ['pytorch', 'onnx']);
      const isRun = existsSync(source) && statSync(source).isDirectory();
      if (isRun && opts.set?.length) throw new UsageError('--set changes a spec; a run directory has its network already');
      if (!isRun && opts.checkpoint) throw new UsageError('--checkpoint picks a run directory\'s checkpoint; a spec has only its initial weights');
      if (opts.to === 'onnx' && !opts.data) throw new UsageError('--no-data is for --to pytorch (an ONNX file has no data)');
      const { RunDirError } = await import('../../run/run-dir.js');
      const { openRun, readCheckpointModel } = await import('../../run/open.js');
      const { effectiveConfig } = await import('../../run/session.js');
      const { DataError, loadData } = await import('../../data/index.js');
      const { loadRunData } = await import('../../run/data-file.js');
      const { EngineUnavailable } = await import('../../backends/engine.js');
      const { exportOnnx, exportPytorch, trainInterpreter } = await import('../../backends/torch/export.js');
      try {
        let src;
        let runRecord;
        if (isRun) {
          const { record, ir, ckpt } = openRun(source, opts.checkpoint);
          runRecord = record;
          src = { ir, config: record.config, ...readCheckpointModel(ckpt, ir), runDir: source, dataSource: record.data };
        } else {
          const { lets, settings } = splitSets(opts.set);
          const compiled = compileFile(source, lets, undefined, settings);
          if (!compiled.ok || !compiled.ir) {
            printDiagnostics(compiled, { errorsOnly: true });
            process.stderr.write(`${source}: has errors; nothing was exported\n`);
            process.exitCode = EXIT_SPEC;
            return;
          }
          const ir = compiled.ir;
          const config = effectiveConfig(ir.train!);
          const { initialModelFiles } = await import('../../backends/torch/engine.js');
          const { modelJson, weights } = await initialModelFiles(ir, config.seed);
          src = { ir, config, modelJson, weights, dataSource: '' };
        }
        const name = src.ir.network.name;
        if (opts.to === 'onnx') {
          const file = opts.out ?? `${name}.onnx`;
          exportOnnx(src, file, { force: opts.force });
          const inShape = src.ir.layers[0].outShape;
          if (opts.format === 'json') writeJson({ to: 'onnx', out: file, files: [file], input: { name: 'x', dtype: 'float32', shape: ['batch', ...inShape] }, output: { name: 'y' } });
          else process.stdout.write(`wrote ${file} (input x: float32 [batch, ${inShape.join(', ')}], output y)\n`);
          return;
        }
        const out = opts.out ?? `${name}-pytorch`;
        let data;
        if (opts.data) {
          const dataOpts = { log: (s: string) => process.stderr.write(s + '\n'), network: src.ir };
          // a run's data is the file it was trained on, wherever this runs, checked against its hash
          data = runRecord ? await loadRunData(runRecord, source, 'export', opts.dataDir, dataOpts) : await loadData(src.config.data, opts.dataDir, dataOpts);
          src.dataSource = data.source;
        }
        const written = exportPytorch(src, data, out, { force: opts.force, log: (s) => process.stderr.write(s + '\n') });
        // the Python hwy found torch in (PATH's python3 may have none)
        const train = `cd ${shellQuote(out)} && ${trainInterpreter()} train.py`;
        if (opts.format === 'json') {
          writeJson({ to: 'pytorch', out, files: written.map((f) => join(out, f)), data: !!data, train });
          return;
        }
        process.stdout.write(`wrote ${out}/: ${written.join(', ')}\ntrain with: ${train}\n`);
      } catch (e) {
        if (e instanceof RunDirError || e instanceof DataError || e instanceof EngineUnavailable) throw new UsageError(e.message, EXIT_USAGE);
        throw e;
      }
    });
}
