import { execFileSync } from 'node:child_process';

/** CLI tests run the real bundle: build it first (esbuild takes well under a second). */
export default function setup(): void {
  // Tests construct the grammar with chevrotain's validations on (the CLI skips them for speed).
  process.env.HWY_VALIDATE_GRAMMAR = '1';
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
