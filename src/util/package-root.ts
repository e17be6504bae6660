import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** hwy's name on the npm registry (the command stays `hwy`). */
export const PACKAGE_NAME = 'hwy-lang';

/** The directory of hwy's own package.json (for the specs and data it ships), from source or from dist. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        if (JSON.parse(readFileSync(p, 'utf8')).name === PACKAGE_NAME) return dir;
      } catch {
        /* keep looking */
      }
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the ${PACKAGE_NAME} package directory`);
}
