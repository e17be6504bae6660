// The full CLI: the compiler commands (main-core.ts, also served from the startup snapshot)
// plus the commands that load tfjs or prettier on demand.
import { buildProgram as buildCore, main as runCore } from './main-core.js';
import { registerTrain } from './commands/train.js';
import { registerEval } from './commands/eval.js';
import { registerFmt } from './commands/fmt.js';
import { registerLsp } from './commands/lsp.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerSweep } from './commands/sweep.js';
import { registerExport } from './commands/export.js';
import { registerStudio } from './commands/studio.js';

export { VERSION } from '../version.js';

export function buildProgram() {
  return buildCore([registerTrain, registerEval, registerAnalyze, registerSweep, registerExport, registerStudio, registerFmt, registerLsp]);
}

export async function main(argv: string[]): Promise<void> {
  await runCore(argv, buildProgram());
}
