import type { Command } from 'commander';
import { EXIT_SPEC, EXIT_USAGE, UsageError } from '../errors.js';
import { expandPaths, readText } from '../io.js';

export function registerFmt(program: Command): void {
  program
    .command('fmt')
    .description('format specs with the hwy Prettier plugin: one block a line, two-space bodies, comments kept')
    .argument('<files...>', '.hwy files or directories')
    .option('--check', 'list files that are not formatted; exit 1 if any')
    .option('--write', 'rewrite the files in place')
    .addHelpText('after', '\nWithout --check or --write, prints the formatted text.\nThe same plugin works with Prettier: prettier --plugin ./node_modules/hwy/dist/prettier-plugin.js --write "specs/**/*.hwy"')
    .action(async (files: string[], opts: { check?: boolean; write?: boolean }) => {
      if (opts.check && opts.write) throw new UsageError('give --check or --write, not both');
      const { formatHwy, HwySyntaxError } = await import('../../format/index.js');
      const { replaceFile, ReplaceFileError } = await import('../../util/replace-file.js');
      const paths = expandPaths(files);
      if (paths.length === 0) throw new UsageError(`no .hwy files in ${files.join(', ')}`);
      let bad = 0;
      let failed = 0;
      for (const p of paths) {
        const text = readText(p, 'spec');
        let out: string;
        try {
          out = await formatHwy(text);
        } catch (e) {
          if (e instanceof HwySyntaxError) {
            process.stderr.write(`${p}:${e.loc.start.line}:${e.loc.start.column}: error ${e.message.split(' (')[0]}\n`);
            bad++;
            continue;
          }
          throw e;
        }
        if (opts.check) {
          if (out !== text) {
            process.stdout.write(`${p}: not formatted\n`);
            bad++;
          }
        } else if (opts.write) {
          // a file that cannot be rewritten is reported, and the others are still formatted
          if (out !== text) {
            try {
              replaceFile(p, out, { refuseReadOnly: true });
            } catch (e) {
              if (!(e instanceof ReplaceFileError)) throw e;
              process.stderr.write(`hwy: ${e.message}\n`);
              failed++;
            }
          }
        } else process.stdout.write(out);
      }
      if (opts.check && bad === 0) process.stdout.write(`${paths.length} file${paths.length === 1 ? '' : 's'} formatted\n`);
      if (bad) process.exitCode = EXIT_SPEC;
      if (failed) process.exitCode = EXIT_USAGE;
    });
}
