import { execFileSync } from 'node:child_process';

/** CLI tests run the real bundle: build it first (esbuild takes well under a second). */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
