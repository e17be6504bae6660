// The full CLI: the compiler commands (main-core.ts) plus the training commands, which load tfjs lazily.
import { buildProgram as buildCore, main as runCore } from './main-core.js';
import { registerTrain } from './commands/train.js';
import { registerEval } from './commands/eval.js';

export { VERSION } from '../version.js';

export function buildProgram() {
  return buildCore([registerTrain, registerEval]);
}

export async function main(argv: string[]): Promise<void> {
  await runCore(argv, buildProgram());
}
