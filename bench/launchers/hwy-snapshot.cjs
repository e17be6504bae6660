#!/usr/bin/env node
// A JavaScript launcher that serves the compiler commands from a V8 startup snapshot, as
// bin/hwy.js would have to (node cannot load a snapshot into a running process, so it
// starts a second one). Kept to measure start-up against (bench/startup.mjs); CommonJS and
// only node: built-ins, the cheapest a launcher can be. The snapshot lives in $HWY_SNAPSHOT_DIR.
const { spawnSync } = require('node:child_process');
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const args = process.argv.slice(2);
const dir = process.env.HWY_SNAPSHOT_DIR ?? '';
if (['check', 'summary', 'compile', 'explain'].includes(args[0]) && !process.env.HWY_NO_SNAPSHOT) {
  try {
    const blob = join(dir, 'hwy.snapshot.blob');
    if (readFileSync(join(dir, 'hwy.snapshot.node'), 'utf8') === process.execPath && statSync(process.execPath).mtimeMs < statSync(blob).mtimeMs) {
      const r = spawnSync(process.execPath, ['--snapshot-blob', blob, ...args], { stdio: 'inherit' });
      // 14: Node could not load the snapshot (another Node version); run the plain bundle.
      if (r.status !== 14) process.exit(r.status ?? 1);
    }
  } catch {
    /* no snapshot: the plain bundle */
  }
}
import(pathToFileURL(join(__dirname, '../../bin/hwy.js')).href);
