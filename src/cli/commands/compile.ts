import type { Command } from 'commander';
import { collectSet } from '../io.js';
import { UsageError } from '../errors.js';
import { irToJson } from '../../ir/write.js';
import { IR_SCHEMA } from '../../ir/schema.js';
import { summaryText } from '../../backends/text/summary.js';
import { toDot } from '../../backends/text/dot.js';
import { compileOrReport } from './summary.js';

const EMITTERS = ['ir', 'summary', 'dot', 'schema'];

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a spec and emit the checked IR (JSON), a summary, or a Graphviz diagram')
    .argument('[file]', 'a .hwy spec (not needed for --emit schema)')
    .option('--emit <what>', `what to write: ${EMITTERS.join(', ')}`, 'ir')
    .option('-o, --out <path>', 'write to this file instead of standard output')
    .option('--set <name=value>', 'override a let constant (repeatable)', collectSet)
    .addHelpText('after', '\nExamples:\n  hwy compile specs/paper/mnist-conv-highway.hwy --emit ir -o net.json\n  hwy compile specs/paper/cifar10-highway-b.hwy --emit dot | dot -Tsvg > net.svg\n  hwy compile --emit schema   # the JSON Schema of the IR')
    .action(async (file: string | undefined, opts: { emit: string; out?: string; set?: string[] }) => {
      if (!EMITTERS.includes(opts.emit)) throw new UsageError(`--emit must be one of ${EMITTERS.join(', ')}, not '${opts.emit}'`);
      let text: string;
      if (opts.emit === 'schema') text = JSON.stringify(IR_SCHEMA, null, 2) + '\n';
      else {
        if (!file) throw new UsageError(`--emit ${opts.emit} needs a spec file`);
        const r = compileOrReport(file, opts.set);
        if (!r) return;
        text = opts.emit === 'ir' ? irToJson(r.ir!) : opts.emit === 'dot' ? toDot(r.ir!) + '\n' : summaryText(r.ir!) + '\n';
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
