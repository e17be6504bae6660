// The browser the page tests drive: Debian's chromium (scripts/install-chromium.sh), never
// a downloaded one. Without it a test file is skipped and says why, except in CI, where the
// browser is installed and a missing one fails the tests that need it.
import { accessSync, constants } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

const present = (() => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** True when `file`'s browser tests are to be skipped here; says so once. */
export function skipWithoutChromium(file: string, what = 'skipped'): boolean {
  const skip = !present && !process.env.CI;
  if (skip) console.warn(`${file}: ${what}: no ${CHROMIUM} (scripts/install-chromium.sh installs it)`);
  return skip;
}
