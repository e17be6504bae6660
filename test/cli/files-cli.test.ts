import { describe, expect, it } from 'vitest';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

const UGLY = 'network n {\n    input 4\n  dense 3    relu\n}\n';
const dir = () => mkdtempSync(join(tmpdir(), 'hwy-files-'));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('files are replaced the way careful tools do', () => {
  it('hwy fmt --write keeps the mode of a file', () => {
    const d = dir();
    for (const m of [0o750, 0o600, 0o664]) {
      const p = join(d, `m${m.toString(8)}.hwy`);
      writeFileSync(p, UGLY);
      chmodSync(p, m);
      const r = hwy(['fmt', '--write', p]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(p, 'utf8')).not.toBe(UGLY);
      expect(mode(p)).toBe(m);
    }
    expect(readdirSync(d).sort()).toEqual(['m600.hwy', 'm664.hwy', 'm750.hwy']);
  });

  it('hwy fmt --write writes through a symlink and leaves the link a link', () => {
    const d = dir();
    writeFileSync(join(d, 'real.hwy'), UGLY);
    symlinkSync('real.hwy', join(d, 'link.hwy'));
    const r = hwy(['fmt', '--write', join(d, 'link.hwy')]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(d, 'link.hwy')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(d, 'link.hwy'))).toBe('real.hwy');
    expect(readFileSync(join(d, 'real.hwy'), 'utf8')).toBe(hwy(['fmt', join(d, 'real.hwy')]).stdout);
    expect(readFileSync(join(d, 'real.hwy'), 'utf8')).not.toBe(UGLY);
  });

  it('hwy fmt --write refuses a read-only file, says so, and formats the others', () => {
    const d = dir();
    writeFileSync(join(d, 'a.hwy'), UGLY);
    writeFileSync(join(d, 'b.hwy'), UGLY);
    chmodSync(join(d, 'a.hwy'), 0o444);
    const r = hwy(['fmt', '--write', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hwy: '${join(d, 'a.hwy')}' is read-only: not rewritten (make it writable first, e.g. chmod u+w)\n`);
    expect(readFileSync(join(d, 'a.hwy'), 'utf8')).toBe(UGLY);
    expect(mode(join(d, 'a.hwy'))).toBe(0o444);
    expect(readFileSync(join(d, 'b.hwy'), 'utf8')).not.toBe(UGLY);
  });

  it('compile -o writes through a symlink, to a device file, and leaves no temporary file; a failure names only the target', () => {
    const d = dir();
    writeFileSync(join(d, 'n.hwy'), UGLY);
    writeFileSync(join(d, 'ir.json'), '');
    chmodSync(join(d, 'ir.json'), 0o640);
    symlinkSync('ir.json', join(d, 'out.json'));
    const r = hwy(['compile', join(d, 'n.hwy'), '-o', join(d, 'out.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(d, 'out.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(d, 'ir.json'), 'utf8')).network.name).toBe('n');
    expect(mode(join(d, 'ir.json'))).toBe(0o640);
    const dev = hwy(['compile', join(d, 'n.hwy'), '--emit', 'summary', '-o', '/dev/stdout']);
    expect(dev.code, dev.stderr).toBe(0);
    expect(dev.stdout).toContain('Total params');
    // a device file is written in place, never replaced by a regular file
    expect(hwy(['compile', join(d, 'n.hwy'), '-o', '/dev/null']).code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    const bad = hwy(['compile', join(d, 'n.hwy'), '-o', join(d, 'n.hwy', 'x.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`hwy: cannot write '${join(d, 'n.hwy', 'x.json')}': a part of the path is not a directory\n`);
    expect(readdirSync(d).sort()).toEqual(['ir.json', 'n.hwy', 'out.json']);
  });
});

describe('hwy writing its own files', () => {
  it('a failed atomic write leaves no temporary file and names the target, not the temporary file', async () => {
    const { writeFileAtomic } = await import('../../src/util/atomic.js');
    const d = dir();
    mkdirSync(join(d, 'target'));
    // renaming a file over a directory fails after the temporary file was written
    let err: NodeJS.ErrnoException | undefined;
    try {
      writeFileAtomic(join(d, 'target'), 'x');
    } catch (e) {
      err = e as NodeJS.ErrnoException;
    }
    expect(err?.path).toBe(join(d, 'target'));
    expect(err?.message).not.toMatch(/\.tmp/);
    expect(readdirSync(d)).toEqual(['target']);
  });
});

describe('hwy fmt --write rewrites the file itself', () => {
  it('hard links keep pointing at the formatted text: the inode, its links and its mode stay; no copy is left behind', () => {
    const d = dir();
    const p = join(d, 'spec.hwy');
    writeFileSync(p, UGLY);
    chmodSync(p, 0o640);
    mkdirSync(join(d, 'other'));
    linkSync(p, join(d, 'other', 'same.hwy'));
    const before = statSync(p);
    expect(before.nlink).toBe(2);
    const r = hwy(['fmt', '--write', p]);
    expect(r.code, r.stderr).toBe(0);
    const formatted = hwy(['fmt', join(d, 'other', 'same.hwy')]).stdout;
    expect(readFileSync(p, 'utf8')).not.toBe(UGLY);
    expect(readFileSync(join(d, 'other', 'same.hwy'), 'utf8')).toBe(readFileSync(p, 'utf8'));
    expect(readFileSync(p, 'utf8')).toBe(formatted);
    const after = statSync(p);
    expect(after.ino).toBe(before.ino);
    expect(after.nlink).toBe(2);
    expect(mode(p)).toBe(0o640);
    expect(readdirSync(d).sort()).toEqual(['other', 'spec.hwy']);
    // a longer text than before, and a shorter one: no old bytes are left at the end
    const long = 'network n {\n  input 4\n  dense 3 relu  # ' + 'x'.repeat(200) + '\n}\n';
    writeFileSync(p, long.replace('  input', '      input'));
    expect(hwy(['fmt', '--write', p]).code).toBe(0);
    expect(readFileSync(join(d, 'other', 'same.hwy'), 'utf8')).toBe(long);
    writeFileSync(p, 'network n {\n        input 4\n}\n');
    expect(hwy(['fmt', '--write', p]).code).toBe(0);
    expect(readFileSync(join(d, 'other', 'same.hwy'), 'utf8')).toBe('network n {\n  input 4\n}\n');
  });

  // root writes into any directory: there is nothing to check as root
  it.skipIf(process.getuid?.() === 0)('in a directory that may not be written, a writable file is still formatted in place', () => {
    const d = dir();
    const p = join(d, 'spec.hwy');
    writeFileSync(p, UGLY);
    chmodSync(d, 0o555);
    try {
      const r = hwy(['fmt', '--write', p]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(p, 'utf8')).toBe(hwy(['fmt', p]).stdout);
      expect(readdirSync(d)).toEqual(['spec.hwy']);
    } finally {
      chmodSync(d, 0o755);
    }
  });
});
