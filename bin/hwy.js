#!/usr/bin/env node
// hwy's command line. A command line that names a compiler command (check, summary, compile,
// explain) runs from dist/hwy-core.cjs, one CommonJS file loaded with V8's code cache
// (./core-loader.js); every other one from dist/hwy.js, the ES bundle with each command's
// modules loaded on demand (loading hundreds of modules would triple start-up time).
// Both are loaded here rather than required statically, so that a clone used before
// `npm install` (no dist/, no node_modules) is told what to do instead of shown Node's
// module-resolution stack trace. CommonJS (bin/package.json): an ES module as the main file
// costs Node's ES loader's start, about 15 ms, which the compiler commands do without.
'use strict';

/** The commands dist/hwy-core.cjs holds: src/cli/main-core.ts's CORE_COMMANDS (test/cli/core-bundle.test.ts keeps them equal). */
const CORE = new Set(['check', 'summary', 'compile', 'explain']);

function cannotStart(e) {
  const missingModule = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND';
  const unbuilt = e?.code === 'ENOENT' && /[\\/]dist[\\/]hwy-core\.cjs$/.test(e.path ?? '');
  if (!missingModule && !unbuilt) throw e;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1] ?? 'a module';
  const bundle = unbuilt ? 'hwy-core.cjs' : /[\\/]dist[\\/](hwy\.js)$/.exec(missing)?.[1];
  const what = bundle ? `dist/${bundle}, the built CLI, is missing` : `the package ${missing} is not installed`;
  process.stderr.write(`hwy: cannot start: ${what}. In a clone of hwy, run 'npm install' first (it installs the dependencies and builds dist/).\n`);
  process.exit(2);
}

async function main(argv) {
  if (CORE.has(argv[0])) {
    let core;
    try {
      core = require('./core-loader.js').loadCore().exports;
    } catch (e) {
      cannotStart(e);
    }
    await core.run(argv);
    // A compiler command has nothing left to do once its output is written; a normal exit
    // would first wait for V8's work on other threads, optimizing compiles and concurrent
    // garbage collection, to finish (20 ms and more: npm run bench -- startup).
    let streams = 2;
    const written = () => --streams === 0 && process.exit();
    process.stdout.write('', written);
    process.stderr.write('', written);
  } else {
    let cli;
    try {
      cli = await import('../dist/hwy.js');
    } catch (e) {
      cannotStart(e);
    }
    await cli.main(argv);
  }
}

process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
main(process.argv.slice(2));
