import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_SPEC, EXIT_USAGE, UsageError } from '../errors.js';
import { expandPaths, readSpecOrReport, STDIN_NAME } from '../io.js';
import { DEFAULT_LIMITS, measureSpec, specSizeProblem } from '../../passes/limits.js';

export function registerFmt(program: Command): void {
  program
    .command('fmt')
    .description('format specs with the hwy Prettier plugin: one block a line, two-space bodies, comments kept')
    .argument('<files...>', ".hwy files or directories; '-' reads standard input")
    .option('--check', 'list files that are not formatted; exit 1 if any')
    .option('--write', 'rewrite the files in place')
    .addHelpText(
      'after',
      '\nWithout --check or --write, prints the formatted text.\nOptions come from .prettierrc / .editorconfig, and files listed in .gitignore / .prettierignore are skipped, as Prettier does, so the two agree.\nExit status: 0 formatted, 1 a file is not formatted (--check), 2 a syntax error or a file that cannot be read (as Prettier).\nThe same plugin works with Prettier: prettier --plugin hwy-lang/prettier-plugin --write "specs/**/*.hwy"',
    )
    .action(async (files: string[], opts: { check?: boolean; write?: boolean }) => {
      if (opts.check && opts.write) throw new UsageError('give --check or --write, not both');
      if (opts.write && files.includes('-')) throw new UsageError("--write rewrites files; '-' is standard input (leave out --write to print the result)");
      const { formatHwy, ignoredByPrettier, prettierOptionsFor, HwySyntaxError } = await import('../../format/index.js');
      const { rewriteInPlace, ReplaceFileError } = await import('../../util/replace-file.js');
      let unreadable = 0;
      const paths = expandPaths(files, (m) => {
        unreadable++;
        process.stderr.write(`hwy: ${m}\n`);
      });
      if (paths.length === 0) throw new UsageError(unreadable ? 'nothing to format' : `no .hwy files in ${files.join(', ')}`);
      let unformatted = 0;
      let broken = 0;
      let ignored = 0;
      let failed = 0;
      for (const p of paths) {
        // What prettier --check skips, hwy fmt skips, so the two list the same files.
        // Only regular files are asked about: Prettier reads a file without an extension to infer its
        // parser, which would never end on /dev/zero (readText below refuses such files).
        if (p !== '-' && isRegularFile(p) && (await ignoredByPrettier(p))) {
          ignored++;
          continue;
        }
        const name = p === '-' ? STDIN_NAME : p;
        const text = readSpecOrReport(p);
        if (text === undefined) {
          unreadable++;
          continue;
        }
        // the limits hwy check applies, before parsing: Prettier's parse of a spec of a few MB
        // of junk costs what check's would (minutes and gigabytes), and its printer more
        const tooBig = specSizeProblem(measureSpec(text), name, DEFAULT_LIMITS);
        if (tooBig) {
          process.stderr.write(`${name}:1:1: error HWY4004: ${tooBig}; not formatted (hwy explain HWY4004)\n`);
          broken++;
          continue;
        }
        let out: string;
        try {
          // Standard input is formatted with the options a file in the current directory would get.
          out = await formatHwy(text, await prettierOptionsFor(p === '-' ? resolve('stdin.hwy') : p));
        } catch (e) {
          if (e instanceof HwySyntaxError) {
            // the file is left as it is: every syntax error is listed, for the writer to fix first
            for (const x of e.all) process.stderr.write(`${name}:${x.line}:${x.column}: error ${x.message}\n`);
            broken++;
            continue;
          }
          throw e;
        }
        if (opts.check) {
          if (out !== text) {
            process.stdout.write(`${name}: not formatted\n`);
            unformatted++;
          }
        } else if (opts.write) {
          // a file that cannot be rewritten is reported, and the others are still formatted
          if (out !== text) {
            try {
              // in place: hard links to the spec keep showing it (see rewriteInPlace for the trade-off)
              rewriteInPlace(p, out, { refuseReadOnly: true });
            } catch (e) {
              if (!(e instanceof ReplaceFileError)) throw e;
              process.stderr.write(`hwy: ${e.message}\n`);
              failed++;
            }
          }
        } else process.stdout.write(out);
      }
      const done = paths.length - ignored;
      if (opts.check && unformatted + broken + unreadable === 0) process.stdout.write(`${done} file${done === 1 ? '' : 's'} already formatted${ignored ? ` (${ignored} ignored by .gitignore or .prettierignore)` : ''}\n`);
      // As Prettier: 2 when a file could not be parsed or read, else 1 when --check found unformatted files.
      if (broken || unreadable || failed) process.exitCode = EXIT_USAGE;
      else if (unformatted) process.exitCode = EXIT_SPEC;
    });
}

function isRegularFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
