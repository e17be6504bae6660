import { execFileSync } from 'node:child_process';

/** CLI tests run the real bundle: build it first (esbuild takes well under a second). */
export default function setup(): void {
  // Tests construct the grammar with chevrotain's validations on (the CLI skips them for speed).
  process.env.HWY_VALIDATE_GRAMMAR = '1';
  // Type declarations take tsc seconds: the package test builds them itself (build.mjs --types).
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env: { ...process.env, HWY_NO_TYPES: '1' } });
}
