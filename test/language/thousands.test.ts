// thousands() stands in for toLocaleString('en-US') (whose first use loads ICU's number
// formatting, ~10 ms of a command's start-up): it must print the same, and the compiler
// commands must not reach for Intl at all on their way.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { thousands } from '../../src/language/thousands.js';
import { ROOT } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hwy-intl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('thousands', () => {
  it('prints what toLocaleString("en-US") prints, for any number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.maxSafeInteger(), fc.double()), (n) => {
        expect(thousands(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
    for (const n of [0, -0, 999, 1000, -1000, 123456789, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e21, 0.5, NaN, Infinity]) expect(thousands(n)).toBe(n.toLocaleString('en-US'));
  });

  it.each([
    ['check', 'specs'],
    ['summary', 'specs/paper/cifar10-highway-b.hwy'],
    ['compile', 'specs/paper/mnist-conv-highway.hwy', '--emit', 'svg'],
  ])('hwy %s %s… prints its counts without loading Intl', (...args) => {
    // a preload that records every use of number formatting through Intl
    const log = join(dir, `${args[0]}.log`);
    const preload = join(dir, 'record-intl.cjs');
    writeFileSync(
      preload,
      `const { appendFileSync } = require('node:fs');
const note = (what) => appendFileSync(process.env.HWY_INTL_LOG, what + '\\n');
const own = Number.prototype.toLocaleString;
Number.prototype.toLocaleString = function (...a) { note('Number.toLocaleString'); return own.apply(this, a); };
const NF = Intl.NumberFormat;
Intl.NumberFormat = function (...a) { note('Intl.NumberFormat'); return new NF(...a); };
`,
    );
    const r = spawnSync(process.execPath, ['--require', preload, join(ROOT, 'bin/hwy.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HWY_INTL_LOG: log } });
    expect(r.status).toBe(0);
    expect(r.stdout.length + r.stderr.length).toBeGreaterThan(0);
    // the recorder works: summary's table has counts of thousands, and thousands() groups them
    if (args[0] === 'summary') expect(r.stdout).toMatch(/\d,\d{3}/);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
  });
});
