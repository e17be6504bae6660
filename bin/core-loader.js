// Loads dist/hwy-core.cjs, the compiler commands in one CommonJS file, with V8's code cache
// of it when dist/hwy-core.cache holds one for exactly this file and this Node: compiling
// the bundle and the functions a check calls is a good part of a command's start-up. The
// cache is written by the build (scripts/code-cache.mjs), never at run time: hwy writes
// nothing beside itself. A cache made from another file (its header holds the size and
// modification time, to the nanosecond, of the file it was made from: hashing the file would
// load node:crypto, dearer than the check is worth), for another Node or with other V8
// flags is not used: V8 compiles from the text as without one. Both this loader and the
// build compile the same wrapper at the same origin, which V8's check of a cache includes.
// CommonJS, as bin/ is (bin/package.json): an ES module as the main file costs Node's ES
// loader's start, about 15 ms, before anything of hwy's runs.
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

// A compiler command is short: V8's optimizing compiler starts on the functions a check
// calls most, in threads of its own, and a check of a dozen specs ends before most of those
// compiles do, while exiting waits for them (20-30 ms of a 150 ms check of the 13 network
// specs; on 2 cores they also take the main thread's CPU). A tier-up budget 15 times V8's
// default (67,584 in Node 20) leaves optimizing to long work: a check of a sweep that
// compiles networks of 8,000 layers took about 6% longer. Set before the bundle is
// compiled, and set the same way by the build, because V8 takes a code cache only with the
// flags it was made with. Only for V8 11 (Node 20) to 13: V8 prints an error for a flag it
// does not know, and a later V8 may drop this one.
const V8_MAJOR = Number(process.versions.v8.split('.')[0]);
if (V8_MAJOR >= 11 && V8_MAJOR <= 13) require('node:v8').setFlagsFromString('--interrupt-budget=1000000');

const CORE_FILE = join(__dirname, '..', 'dist', 'hwy-core.cjs');
const CACHE_FILE = CORE_FILE.replace(/\.cjs$/, '.cache');

/** What a cache file starts with: the size and modification time of the file it was made from (16 bytes). */
function cacheHeader() {
  const st = statSync(CORE_FILE, { bigint: true });
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeBigUInt64LE(st.size, 0);
  header.writeBigUInt64LE(st.mtimeNs, 8);
  return header;
}
const HEADER_BYTES = 16;

/**
 * The bundle's exports ({ run, CORE_COMMANDS }) and its compiled script (for the build, which
 * asks it for a cache after a warm-up run). `useCache: false` compiles from the text alone.
 * Throws what reading or running the file throws (ENOENT when it is not built).
 */
function loadCore({ useCache = true } = {}) {
  const source = readFileSync(CORE_FILE, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      const cache = readFileSync(CACHE_FILE);
      if (cache.length > HEADER_BYTES && cache.subarray(0, HEADER_BYTES).equals(cacheHeader())) cachedData = cache.subarray(HEADER_BYTES);
    } catch {
      // no cache (a packed install, or one not built yet): compiled from the text
    }
  }
  // CommonJS's own wrapper, on a line of its own: lineOffset keeps the file's line numbers
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, { filename: CORE_FILE, lineOffset: -1, cachedData });
  const module = { exports: {} };
  // this file's require: it resolves from bin/ what the bundle's would from dist/ (the
  // package's node_modules), and createRequire would load node:module and Node's ES loader
  script.runInThisContext()(module.exports, require, module, CORE_FILE, dirname(CORE_FILE));
  return { exports: module.exports, script, usedCache: cachedData !== undefined && !script.cachedDataRejected };
}

module.exports = { CORE_FILE, CACHE_FILE, cacheHeader, loadCore };
