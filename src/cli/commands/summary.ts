import type { Command } from 'commander';
import { collectSet, compileFile, hwyCommand, parseSets, printDiagnostics } from '../io.js';
import { EXIT_SPEC } from '../errors.js';
import { summaryJson, summaryText } from '../../backends/text/summary.js';
import type { CompileResult } from '../../core/compile.js';
import type { NetworkIR } from '../../ir/types.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';

/** Compiles one file; on errors prints them and sets exit code 1 (returns undefined). */
export function compileOrReport(file: string, set: string[] | undefined): (CompileResult & { ok: true; ir: NetworkIR }) | undefined {
  const r = compileFile(file, parseSets(set));
  if (!r.ok || !r.ir) {
    printDiagnostics(r, { errorsOnly: true });
    process.stderr.write(`${file}: has errors; for details run: ${hwyCommand('check', file, ...(set ?? []).flatMap((x) => ['--set', x]))}\n`);
    process.exitCode = EXIT_SPEC;
    return undefined;
  }
  return { ...r, ir: r.ir };
}

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('a table of the layers: kind, output shape, parameters, inserted projections; totals')
    .argument('<file>', 'a .hwy spec')
    .option('--set <name=value>', 'override a let constant (repeatable)', collectSet)
    .addOption(formatOption())
    .option('--expand', 'list every layer instead of folding identical repeated layers into one row')
    .addHelpText('after', '\nExamples:\n  npx hwy summary specs/paper/mlp-highway.hwy --set depth=50\n  npx hwy summary specs/paper/mlp-highway.hwy --format json')
    .action((file: string, opts: { set?: string[]; format: OutputFormat; expand?: boolean }) => {
      const r = compileOrReport(file, opts.set);
      if (!r) return;
      const ir = r.ir;
      if (opts.format === 'json') writeJson(summaryJson(ir));
      else process.stdout.write(summaryText(ir, { expand: opts.expand }) + '\n');
    });
}
