// The compiler commands alone (check, summary, compile, explain), the entry of
// dist/hwy-core.cjs: bin/hwy.js runs a command line that names one of them from this one
// CommonJS file, compiled from V8's code cache that the build wrote beside it, instead of
// from the split ES bundle (dist/hwy.js: dozens of modules to resolve and compile). The
// commands are the same code; only how it is loaded differs (npm run bench -- startup).
import { buildProgram, main, CORE_COMMANDS } from './main-core.js';

export { CORE_COMMANDS };

/** Runs a command line whose first word is in CORE_COMMANDS. */
export async function run(argv: string[]): Promise<void> {
  await main(argv, buildProgram([]));
}
