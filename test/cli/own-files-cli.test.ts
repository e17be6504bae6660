// hwy writes only regular files it created, inside the directory it was given, never through
// a link: an empty --out, a device or pipe in the way, a linked data/ in an export directory,
// a linked best/ in a run directory are refused, and nothing outside is touched.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';
import { pythonOrReason } from '../backends/torch/cases.js';

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 500\n  epochs 1\n}\n';
const { python } = pythonOrReason();

function project(): string {
  const d = mkdtempSync(join(tmpdir(), 'hwy-own-files-'));
  writeFileSync(join(d, 'net.hwy'), SPEC);
  writeFileSync(join(d, 'README.md'), 'my project\n');
  writeFileSync(join(d, 'train.py'), 'print("mine")\n');
  return d;
}

const listing = (d: string) => readdirSync(d).sort().map((n) => `${n}:${lstatSync(join(d, n)).isFile() ? readFileSync(join(d, n), 'utf8') : 'dir'}`);

describe('hwy export writes only its own regular files, inside --out', () => {
  it("--out '' is refused: nothing in the current directory is overwritten", () => {
    const d = project();
    const before = listing(d);
    for (const to of ['pytorch', 'onnx']) {
      const r = hwy(['export', 'net.hwy', '--to', to, '--out', ''], { cwd: d });
      expect(r.code, to).toBe(2);
      expect(r.stderr).toMatch(/--out is empty/);
      expect(r.stdout).not.toMatch(/wrote/);
    }
    expect(listing(d)).toEqual(before);
  });

  it('--force never writes through a data/ that links elsewhere', () => {
    const d = project();
    const outside = mkdtempSync(join(tmpdir(), 'hwy-outside-'));
    const job = join(d, 'job');
    expect(hwy(['export', 'net.hwy', '--to', 'pytorch', '--out', job, '--no-data'], { cwd: d }).code).toBe(0);
    symlinkSync(outside, join(job, 'data'));
    const r = hwy(['export', 'net.hwy', '--to', 'pytorch', '--out', job, '--force'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/job\/data' is a symbolic link.*does not write through it/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a job directory that is itself a link is refused, naming the directory it points to', () => {
    const d = project();
    const real = mkdtempSync(join(tmpdir(), 'hwy-real-'));
    symlinkSync(real, join(d, 'job'));
    const r = hwy(['export', 'net.hwy', '--to', 'pytorch', '--out', 'job', '--no-data'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`'job' is a symbolic link`);
    expect(r.stderr).toContain(real);
    expect(readdirSync(real)).toEqual([]);
  });

  it.skipIf(!python)('--to onnx --force never replaces a pipe, a link or a directory with a file', () => {
    const d = project();
    const fifo = join(d, 'pipe.onnx');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const target = join(d, 'mine.bin');
    writeFileSync(target, 'keep');
    symlinkSync(target, join(d, 'link.onnx'));
    mkdirSync(join(d, 'dir.onnx'));
    for (const [out, kind] of [[fifo, 'a named pipe'], [join(d, 'link.onnx'), 'a symbolic link'], [join(d, 'dir.onnx'), 'a directory']]) {
      const r = hwy(['export', 'net.hwy', '--to', 'onnx', '--out', out, '--force'], { cwd: d });
      expect(r.code, out).toBe(2);
      expect(r.stderr).toContain(`is ${kind}`);
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(join(d, 'link.onnx')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep');
  }, 120_000);
});

describe('a run directory is never written through a link', () => {
  it('--resume and --force refuse a best/ that links elsewhere, and leave what it points to alone', () => {
    const d = project();
    const t = hwy(['train', 'net.hwy', '--out', 'run', '--backend', 'wasm', '--no-progress'], { cwd: d });
    expect(t.code, t.stderr).toBe(0);
    const outside = mkdtempSync(join(tmpdir(), 'hwy-outside-'));
    writeFileSync(join(outside, 'thesis.tex'), 'years of work');
    writeFileSync(join(outside, 'state.json'), '{}');
    const best = join(d, 'run', 'best');
    spawnSync('rm', ['-rf', best]);
    symlinkSync(outside, best);
    for (const args of [['train', '--resume', 'run', '--epochs', '2'], ['train', 'net.hwy', '--out', 'run', '--force']]) {
      const r = hwy([...args, '--backend', 'wasm', '--no-progress'], { cwd: d });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/run\/best is a symbolic link: hwy writes only inside the run directory, never through a link/);
    }
    expect(readdirSync(outside).sort()).toEqual(['state.json', 'thesis.tex']);
    expect(existsSync(join(d, 'run', 'model', 'state.json'))).toBe(true);
  }, 120_000);
});
