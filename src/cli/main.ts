// The full CLI: the compiler commands (main-core.ts) plus the commands that load tfjs,
// Python or prettier on demand. A command line that names a command loads that command's
// module and no other's (start-up time: npm run bench -- startup); help and a mistyped
// command get them all.
import type { Command } from 'commander';
import { buildProgram as buildCore, CORE_COMMANDS, main as runCore } from './main-core.js';

export { VERSION } from '../version.js';

type Register = (program: Command) => void;

/** The other commands, in the order `hwy --help` lists them. */
const OTHER_COMMANDS: Record<string, () => Promise<Register>> = {
  train: async () => (await import('./commands/train.js')).registerTrain,
  eval: async () => (await import('./commands/eval.js')).registerEval,
  analyze: async () => (await import('./commands/analyze.js')).registerAnalyze,
  sweep: async () => (await import('./commands/sweep.js')).registerSweep,
  export: async () => (await import('./commands/export.js')).registerExport,
  studio: async () => (await import('./commands/studio.js')).registerStudio,
  fmt: async () => (await import('./commands/fmt.js')).registerFmt,
  lsp: async () => (await import('./commands/lsp.js')).registerLsp,
};

/** Every command. */
export async function buildProgram(): Promise<Command> {
  return buildCore(await Promise.all(Object.values(OTHER_COMMANDS).map((load) => load())));
}

export async function main(argv: string[]): Promise<void> {
  const name = argv[0] ?? '';
  const only = CORE_COMMANDS.has(name) ? [] : Object.hasOwn(OTHER_COMMANDS, name) ? [await OTHER_COMMANDS[name]()] : undefined;
  await runCore(argv, only ? buildCore(only) : await buildProgram());
}
