// hwy sweep refuses what it cannot honour, before it trains anything.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

describe('hwy sweep flags', () => {
  it.each([
    [['--jobs', '2'], "--jobs 2: the tfjs engine trains in this process, one trial at a time; use --engine torch to train several at once"],
    [['--threads', '2'], '--threads is a setting of the torch engine; add --engine torch'],
    [['--min-improvement', '1'], "--min-improvement expects a fraction from 0 up to (not including) 1 such as 0.01, not '1'"],
    [['--target-loss', '0'], "--target-loss expects a positive number such as 1e-4, not '0'"],
    [['--patience', '-1'], "--patience expects a whole number >= 0, not '-1'"],
  ])('%j is refused with one line and exit status 2', (flags, message) => {
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sweep-flags-')), 'sweep');
    const r = hwy(['sweep', '--depths', '2', '--epochs', '1', '--out', out, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, 'sweep.json'))).toBe(false);
  });
});
