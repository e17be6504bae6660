import type { Command } from 'commander';
import { collectSet } from '../io.js';
import { UsageError } from '../errors.js';
import { notAChoice } from '../choice.js';
import { EMITTERS, emitterNamed } from '../../backends/emitters.js';
import { compileOrReport } from './summary.js';

const NAMES = EMITTERS.map((e) => e.name).join(', ');

export function registerCompile(program: Command): void {
  const targets = EMITTERS.map((e) => `  ${e.name.padEnd(Math.max(...EMITTERS.map((x) => x.name.length)))}  ${e.description} (${e.extension})`).join('\n');
  program
    .command('compile')
    .description('compile a spec and emit one of its targets: the checked IR (JSON), a summary, an SVG or Graphviz diagram, …')
    .argument('[file]', 'a .hwy spec (not needed for --emit schema)')
    .option('--emit <what>', `what to write: ${NAMES}`, 'ir')
    .option('-o, --out <path>', 'write to this file instead of standard output')
    .option('--set <name=value>', 'override a let constant (repeatable)', collectSet)
    .addHelpText('after', `\nTargets (--emit):\n${targets}\n\nExamples:\n  npx hwy compile specs/paper/mnist-conv-highway.hwy --emit ir -o net.json\n  npx hwy compile specs/paper/mnist-conv-highway.hwy --emit svg -o net.svg\n  npx hwy compile specs/paper/cifar10-highway-b.hwy --emit dot | dot -Tsvg > net.svg\n  npx hwy compile --emit schema   # the JSON Schema of the IR`)
    .action(async (file: string | undefined, opts: { emit: string; out?: string; set?: string[] }) => {
      const emitter = emitterNamed(opts.emit);
      if (!emitter) throw notAChoice(`--emit must be one of ${NAMES}, not '${opts.emit}'`, opts.emit, EMITTERS.map((e) => e.name));
      let text: string;
      if (!emitter.needsSpec) {
        // The output does not depend on a spec: one given would be silently ignored.
        if (file) throw new UsageError(`--emit ${emitter.name} takes no spec file (it does not depend on one)`);
        text = emitter.emit();
      } else {
        if (!file) throw new UsageError(`--emit ${emitter.name} needs a spec file`);
        const r = compileOrReport(file, opts.set);
        if (!r) return;
        text = emitter.emit(r.ir);
      }
      if (opts.out) {
        const { replaceFile, ReplaceFileError } = await import('../../util/replace-file.js');
        try {
          replaceFile(opts.out, text);
        } catch (e) {
          if (e instanceof ReplaceFileError) throw new UsageError(e.message);
          throw e;
        }
      } else process.stdout.write(text);
    });
}
