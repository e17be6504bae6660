// Writes dist/hwy-core.cache: V8's code cache of dist/hwy-core.cjs for the Node running it,
// after the compiler commands have run on the repository's specs, so that it holds the
// functions a check calls as well as the file's top level. Run by scripts/build.mjs in a
// child process of its own: V8 takes a cache only from a process with the flags the CLI
// runs with (none). What the commands print is discarded; they write no files.
// bin/core-loader.js reads the cache, after checking that it was made from this very file.
import { existsSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import loader from '../bin/core-loader.js';

const { CACHE_FILE, cacheHeader, loadCore } = loader;

const { exports: core, script } = loadCore({ useCache: false });
const quiet = () => true;
const out = process.stdout.write;
const err = process.stderr.write;
process.stdout.write = quiet;
process.stderr.write = quiet;
try {
  // what users run most: a check of many specs (sweeps among them), a summary, the IR
  if (existsSync('specs')) {
    await core.run(['check', 'specs']);
    await core.run(['summary', 'specs/paper/mlp-highway.hwy']);
    await core.run(['compile', 'specs/examples/tiny-mlp.hwy', '--emit', 'ir']);
  }
} finally {
  process.stdout.write = out;
  process.stderr.write = err;
}
process.exitCode = 0;
writeFileAtomic.sync(CACHE_FILE, Buffer.concat([cacheHeader(), script.createCachedData()]));
