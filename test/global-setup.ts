import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** CLI tests run the real bundle: build it first (esbuild takes well under a second). */
export default function setup(): () => void {
  // Tests construct the grammar with chevrotain's validations on (the CLI skips them for speed).
  process.env.HWY_VALIDATE_GRAMMAR = '1';
  // Type declarations take tsc seconds: the package test builds them itself (build.mjs --types).
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env: { ...process.env, HWY_NO_TYPES: '1' } });
  // Every temporary directory the tests make, and the programs they start (hwy, Python,
  // PostgreSQL, Chromium), goes under one, removed when the run ends: a full run made about
  // 450 of them in /tmp, 440 MB of trained runs, exports and downloads, and left them there.
  const root = mkdtempSync(join(tmpdir(), 'hwy-tests-'));
  // as /tmp is: the PostgreSQL the Optuna tests start runs as another user, who must reach its directory
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
