import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.js';
import { registerSummary } from './commands/summary.js';
import { registerCompile } from './commands/compile.js';
import { registerExplain } from './commands/explain.js';
import { EXIT_USAGE, UsageError } from './errors.js';
import { describeFsError } from './io.js';

export { VERSION } from '../version.js';
import { VERSION } from '../version.js';

/**
 * The commands this module registers itself: bin/hwy.js runs a command line that names one
 * of them (and not --help alone) from dist/hwy-core.cjs, which holds only these.
 */
export const CORE_COMMANDS: ReadonlySet<string> = new Set(['check', 'summary', 'compile', 'explain']);

/** The CLI. `extra` registers the commands that load tfjs, Python or prettier; dist/hwy-core.cjs leaves them out. */
export function buildProgram(extra: ((program: Command) => void)[]): Command {
  const program = new Command('hwy')
    .description('Design, check, train and analyse highway networks from declarative .hwy specs.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
  registerCheck(program);
  registerSummary(program);
  registerCompile(program);
  for (const register of extra) register(program);
  registerExplain(program);
  program.addHelpText(
    'after',
    `
Examples (in a project, after npm install, hwy runs as npx hwy; npm puts a bare hwy on
PATH only with npm install -g or npm link):
  npx hwy check specs/                   check every spec under specs/
  npx hwy summary specs/paper/mnist-conv-highway.hwy --set width=32
  npx hwy train specs/paper/mlp-highway.hwy --set depth=10 --epochs 2
  npx hwy eval runs/mlp-highway
  npx hwy explain HWY3002                what a diagnostic means
  npx hwy check specs/ --format json     data for scripts, as one JSON value (also summary,
                                         explain, train, eval, analyze, sweep, export)

Exit status: 0 ok, 1 a spec has errors, 2 usage or file problems.`,
  );
  return program;
}

/** Runs the CLI; user mistakes end as one line on stderr and exit code 2, never a stack trace. */
export async function main(argv: string[], program: Command): Promise<void> {
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT_USAGE;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`hwy: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'EPIPE') return;
    // ERR_MODULE_NOT_FOUND from import(), MODULE_NOT_FOUND from require() (dist/hwy-core.cjs is CommonJS)
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      // a command loads its modules when it runs (start-up time): a dependency missing there is
      // what bin/hwy.js says for one missing at start, a clone used before `npm install`
      const missing = /Cannot find (?:package|module) '([^']+)'/.exec((e as Error).message)?.[1] ?? 'a module';
      process.stderr.write(`hwy: cannot start: the package ${missing} is not installed. In a clone of hwy, run 'npm install' first (it installs the dependencies and builds dist/).\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    if (code && /^E[A-Z]+$/.test(code)) {
      process.stderr.write(`hwy: ${describeFsError(e)}${(e as NodeJS.ErrnoException).path ? `: ${(e as NodeJS.ErrnoException).path}` : ''}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`hwy: internal error: ${(e as Error)?.stack ?? String(e)}\nPlease report this.\n`);
    process.exitCode = 70;
  }
}
