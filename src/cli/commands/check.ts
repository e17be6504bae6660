import type { Command } from 'commander';
import { collectSet, compileFile, compileSweepFile, countsLine, declaresSweep, expandPaths, parseSets, printDiagnostics, readSpecOrReport } from '../io.js';
import { EXIT_OK, EXIT_SPEC, EXIT_USAGE, UsageError } from '../errors.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';
import { thousands } from '../../language/thousands.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check specs: syntax, names, shapes, gate biases; a sweep with every network it names, at every grid point; print every problem with its location')
    .argument('<files...>', ".hwy files or directories (searched for *.hwy, skipping node_modules, dot-directories and run directories); '-' reads standard input")
    .option('--set <name=value>', 'override a let constant (repeatable)', collectSet)
    .addOption(formatOption())
    .option('--errors-only', 'print errors only, no warnings or notes')
    .addHelpText('after', '\nExit status: 0 no errors, 1 a spec has errors, 2 usage or file problems.\n\nExamples:\n  npx hwy check specs/paper\n  npx hwy check specs/paper/mlp-highway.hwy --set depth=100\n  npx hwy check specs --format json   the diagnostics as a JSON array')
    .action((files: string[], opts: { set?: string[]; format: OutputFormat; errorsOnly?: boolean }) => {
      const sets = parseSets(opts.set);
      // A path that cannot be read is reported and the others are still checked; it sets exit status 2 at the end.
      let unreadable = 0;
      const paths = expandPaths(files, (m) => {
        unreadable++;
        process.stderr.write(`hwy: ${m}\n`);
      });
      if (paths.length === 0) throw new UsageError(unreadable ? 'nothing to check' : `no .hwy files in ${files.join(', ')}`);
      if (paths.filter((p) => p === '-').length > 1) throw new UsageError("'-' (standard input) can be given once");
      let failed = false;
      const all: Diagnostic[] = [];
      for (const p of paths) {
        const text = readSpecOrReport(p);
        if (text === undefined) {
          unreadable++;
          continue;
        }
        // a sweep is checked with its networks; --set then fixes a constant for the whole sweep
        const sweep = declaresSweep(text) ? compileSweepFile(p, text, { constants: sets }) : undefined;
        const r = sweep ?? compileFile(p, sets, text);
        const file = sweep ? (p === '-' ? '<stdin>' : p) : (r as ReturnType<typeof compileFile>).file;
        if (!r.ok) failed = true;
        if (opts.format === 'json') all.push(...r.diagnostics.filter((d) => !opts.errorsOnly || d.severity === 'error'));
        else {
          // The verdict goes where the diagnostics go (standard error, as compilers print), so
          // the two stay in order and together; standard output is for --format json.
          printDiagnostics(r, { errorsOnly: opts.errorsOnly });
          process.stderr.write(`${file}: ${r.ok ? 'ok' : 'failed'} (${countsLine(r.diagnostics)})\n`);
          const b = sweep?.budget;
          if (sweep?.plan && b) {
            const n = thousands;
            process.stderr.write(`  sweep ${sweep.plan.name}: ${n(b.points)} grid point${b.points === 1 ? '' : 's'} x ${n(sweep.plan.trials)} trial${sweep.plan.trials === 1 ? '' : 's'} x ${n(sweep.plan.seeds.length)} seed${sweep.plan.seeds.length === 1 ? '' : 's'}: ${n(b.runs)} training run${b.runs === 1 ? '' : 's'}, at most ${n(b.epochs)} epochs\n`);
          }
        }
      }
      if (opts.format === 'json') writeJson(all);
      process.exitCode = unreadable ? EXIT_USAGE : failed ? EXIT_SPEC : EXIT_OK;
    });
}
