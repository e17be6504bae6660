#!/usr/bin/env node
// The CLI ships as one bundle (dist/hwy.js): loading hundreds of modules would triple start-up time.
// Imported here rather than statically, so that a clone used before `npm install` (no dist/, no
// node_modules) is told what to do instead of shown Node's module-resolution stack trace.
let cli;
try {
  cli = await import('../dist/hwy.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1] ?? 'a module';
  const what = /[\\/]dist[\\/]hwy\.js$/.test(missing) ? 'dist/hwy.js, the built CLI, is missing' : `the package ${missing} is not installed`;
  process.stderr.write(`hwy: cannot start: ${what}. In a clone of hwy, run 'npm install' first (it installs the dependencies and builds dist/).\n`);
  process.exit(2);
}
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
await cli.main(process.argv.slice(2));
