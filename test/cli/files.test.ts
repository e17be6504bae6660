import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hwy, ROOT } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hwy-files-'));
const GOOD = 'network n {\n  input 4\n  dense 2 softmax\n}\n';
const BAD = 'network n {\n  input 4\n  dense 0\n}\n';

describe('hwy check on directories', () => {
  it('skips node_modules, dot-directories and run directories, and survives broken links and link loops', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.hwy'), GOOD);
    for (const sub of ['node_modules/pkg', '.cache', 'runs/r1']) {
      mkdirSync(join(d, sub), { recursive: true });
      writeFileSync(join(d, sub, 'spec.hwy'), BAD);
    }
    writeFileSync(join(d, 'runs/r1/run.json'), '{}');
    mkdirSync(join(d, 'more'));
    writeFileSync(join(d, 'more/b.hwy'), GOOD);
    symlinkSync('..', join(d, 'more/up')); // a loop: more/up/more/up/…
    symlinkSync('self', join(d, 'self')); // a link to itself
    symlinkSync('nowhere', join(d, 'notes')); // a broken link that is not a spec
    const r = hwy(['check', d]);
    // human output, verdicts included, is on standard error, as a compiler's is
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([`${join(d, 'a.hwy')}: ok (0 errors, 0 warnings, 0 notes)`, `${join(d, 'more/b.hwy')}: ok (0 errors, 0 warnings, 0 notes)`]);
    // named explicitly, a run directory is checked
    expect(hwy(['check', join(d, 'runs/r1')]).code).toBe(1);
  });

  it('a broken link to a spec is reported by name, and the rest is still checked', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.hwy'), GOOD);
    symlinkSync('gone.hwy', join(d, 'b.hwy'));
    symlinkSync('c.hwy', join(d, 'c.hwy'));
    const r = hwy(['check', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(d, 'a.hwy')}: ok`);
    expect(r.stderr).toContain(`hwy: cannot read '${join(d, 'b.hwy')}': a symbolic link to nothing`);
    expect(r.stderr).toContain(`hwy: cannot read '${join(d, 'c.hwy')}': a loop of symbolic links`);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('checks the other files when one of several is missing, then exits 2', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.hwy'), GOOD);
    writeFileSync(join(d, 'c.hwy'), BAD);
    const r = hwy(['check', join(d, 'a.hwy'), join(d, 'missing.hwy'), join(d, 'c.hwy')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`hwy: cannot read '${join(d, 'missing.hwy')}': no such file or directory`);
    expect(r.stderr).toContain(`${join(d, 'a.hwy')}: ok`);
    expect(r.stderr).toContain(`${join(d, 'c.hwy')}: failed`);
  });
});

describe("'-' reads standard input", () => {
  it('check, summary, compile and fmt', () => {
    const c = hwy(['check', '-'], { input: BAD });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('<stdin>:3:9: error HWY3001');
    // the verdict follows the diagnostics on the same stream
    expect(c.stderr).toMatch(/<stdin>:3:9: error HWY3001[^]*\n<stdin>: failed \(1 error/);
    expect(c.stdout).toBe('');
    const s = hwy(['summary', '-'], { input: GOOD });
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('Total params: 10');
    const ir = hwy(['compile', '-', '--emit', 'ir'], { input: GOOD });
    expect(ir.code).toBe(0);
    expect(JSON.parse(ir.stdout).layers.map((l: { kind: string }) => l.kind)).toEqual(['input', 'dense']);
    const f = hwy(['fmt', '-'], { input: 'network n {\n    input 4\n}\n' });
    expect(f.code).toBe(0);
    expect(f.stdout).toBe('network n {\n  input 4\n}\n');
    expect(hwy(['fmt', '--write', '-'], { input: GOOD }).code).toBe(2);
  });
});

describe('hwy fmt agrees with prettier', () => {
  const prettier = (args: string[], cwd: string) => spawnSync(process.execPath, [join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--plugin', join(ROOT, 'dist/prettier-plugin.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

  it('reads .prettierrc as prettier does', () => {
    const d = tmp();
    writeFileSync(join(d, '.prettierrc'), JSON.stringify({ tabWidth: 4 }));
    const f = join(d, 'a.hwy');
    writeFileSync(f, 'network n {\n  input 4\n  repeat 2 {\n    dense 2\n  }\n}\n');
    // two-space indentation is not formatted under tabWidth 4, for both tools
    expect(prettier(['--check', f], d).status).toBe(1);
    const check = hwy(['fmt', '--check', f]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`${f}: not formatted`);
    // hwy's output is what prettier accepts
    const out = hwy(['fmt', f]).stdout;
    expect(out).toBe('network n {\n    input 4\n    repeat 2 {\n        dense 2\n    }\n}\n');
    writeFileSync(f, out);
    expect(prettier(['--check', f], d).status).toBe(0);
    expect(hwy(['fmt', '--check', f]).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe(out);
  });

  it('skips what .prettierignore lists, as prettier does', () => {
    const d = tmp();
    mkdirSync(join(d, 'gen'));
    writeFileSync(join(d, '.prettierignore'), 'gen/\n');
    writeFileSync(join(d, 'gen/ugly.hwy'), 'network n {\n      input 4\n}\n');
    writeFileSync(join(d, 'ok.hwy'), 'network n {\n  input 4\n}\n');
    const p = prettier(['--check', '.'], d);
    expect(p.status).toBe(0);
    const r = hwy(['fmt', '--check', '.'], { cwd: d });
    expect(r.stdout).toBe('1 file already formatted (1 ignored by .gitignore or .prettierignore)\n');
    expect(r.code).toBe(0);
  });

  it('exits 2 on a syntax error, as prettier does', () => {
    const d = tmp();
    const f = join(d, 'bad.hwy');
    writeFileSync(f, 'network n {\n  dense 10 )\n}\n');
    expect(prettier(['--check', f], d).status).toBe(2);
    for (const args of [[f], ['--check', f]]) {
      const r = hwy(['fmt', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${f}:2:12: error HWY1002`);
    }
  });
});

describe('hwy fmt on a file with syntax errors, and on clean files', () => {
  it('leaves a file with syntax errors as it is, prints every error, and exits 2', () => {
    const d = tmp();
    const f = join(d, 'typo.hwy');
    const text = 'network n {\n  input 784\n  dense 50 relu\n  highway dense relu gate_bias=-3..5\n  highway dense relu gate_bias=-7 50\n  dense 10 softmax\n}\n';
    writeFileSync(f, text);
    for (const args of [['--write'], ['--check'], []]) {
      const r = hwy(['fmt', ...args, f]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${f}:4:33: error HWY1001: '3..5' is not a number: it has 2 decimal points\n${f}:5:35: error HWY1002: positional argument '50' after the named 'gate_bias=-7': positional arguments come first\n`);
      expect(readFileSync(f, 'utf8')).toBe(text);
    }
  });

  it('--check on formatted files says they are already formatted', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.hwy'), GOOD);
    writeFileSync(join(d, 'b.hwy'), GOOD);
    const r = hwy(['fmt', '--check', d]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2 files already formatted\n');
  });
});

describe('colour', () => {
  it('FORCE_COLOR colours messages on a pipe; FORCE_COLOR=0 and NO_COLOR do not', () => {
    const d = tmp();
    const f = join(d, 'bad.hwy');
    writeFileSync(f, BAD);
    expect(hwy(['check', f], { env: { FORCE_COLOR: '1' } }).stderr).toContain('\x1b[31merror HWY3001');
    expect(hwy(['check', f], { env: { FORCE_COLOR: '0' } }).stderr).not.toContain('\x1b[');
    expect(hwy(['check', f]).stderr).not.toContain('\x1b[');
  });
});
