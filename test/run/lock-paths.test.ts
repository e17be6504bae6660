// Odd things where a run directory's lock goes: one line saying what is there and what to
// do, never a lock held forever, "a part of the path is not a directory" or the lock
// library's ENOTEMPTY.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDir } from '../../src/run/lock.js';
import { claimNewRunDir } from '../../src/run/claim.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'hwy-lock-paths-'));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.message,
  );

describe('odd lock paths', () => {
  it('a run directory under a file names the file', async () => {
    const d = fresh();
    writeFileSync(join(d, 'notes'), 'x');
    const out = join(d, 'notes', 'run');
    expect(await refusal(claimNewRunDir(out))).toBe(`cannot make the directory '${out}': '${join(d, 'notes')}' is a file, not a directory: choose another --out`);
  });

  for (const [what, make, kind] of [
    ['a regular file', (p: string) => writeFileSync(p, ''), 'a regular file'],
    ['a link to /dev/null', (p: string) => symlinkSync('/dev/null', p), 'a symbolic link'],
    ['a link to nothing', (p: string) => symlinkSync('/nonexistent/lock', p), 'a symbolic link'],
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), 'a named pipe (FIFO)'],
  ] as const) {
    it(`.hwy.lock as ${what} is named, not taken for a lock held by an unknown process`, async () => {
      const d = fresh();
      make(join(d, '.hwy.lock'));
      expect(await refusal(lockDir(d))).toBe(`'${join(d, '.hwy.lock')}' is ${kind}, where hwy keeps the lock of '${d}' (a directory it makes itself): remove it if no hwy process is writing to '${d}'`);
    });
  }

  it('.hwy.lock.json as a directory is named', async () => {
    const d = fresh();
    mkdirSync(join(d, '.hwy.lock.json'));
    expect(await refusal(lockDir(d))).toBe(`'${join(d, '.hwy.lock.json')}' is a directory, where hwy records who holds the lock of '${d}' (a file it writes itself): remove it if no hwy process is writing to '${d}'`);
  });

  it('an old lock directory holding files is named with what to do, not ENOTEMPTY', async () => {
    const d = fresh();
    mkdirSync(join(d, '.hwy.lock'));
    writeFileSync(join(d, '.hwy.lock', 'junk'), '');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(d, '.hwy.lock'), hourAgo, hourAgo);
    const m = await refusal(lockDir(d));
    expect(m).toBe(`cannot lock run directory '${d}' for writing: its lock ${join(d, '.hwy.lock')} is old and holds files hwy did not put there; remove it if no hwy process is writing to '${d}'`);
  });

  it('a lock whose holder never recorded itself says when it was made and how it ends', async () => {
    const d = fresh();
    mkdirSync(join(d, '.hwy.lock'));
    const m = await refusal(lockDir(d));
    expect(m).toMatch(new RegExp(`^run directory '${d}' is in use by another hwy process, which has not recorded which \\(the lock ${join(d, '.hwy.lock')} was last refreshed at \\d{4}-.*; hwy takes over a lock not refreshed for 5 minutes\\); if no hwy process is writing there, remove ${join(d, '.hwy.lock')}$`));
  });
});
