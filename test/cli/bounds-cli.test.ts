import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy, ROOT } from '../helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hwy-cli-bounds-'));
});

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('hwy on hostile spec files', () => {
  it('a FIFO as the spec is refused at once (no writer ever comes), exit 2', () => {
    const p = join(dir, 'pipe.hwy');
    execFileSync('mkfifo', [p]);
    const r = hwy(['check', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`hwy: '${p}' is a named pipe (FIFO), not a spec`);
  });

  it('/dev/zero as the spec is refused before reading, for check, summary and fmt', () => {
    for (const cmd of [['check'], ['summary'], ['fmt', '--check']]) {
      const r = hwy([...cmd, '/dev/zero']);
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr).toContain(`'/dev/zero' is a character device, not a spec`);
      noStack(r.stderr);
    }
  });

  it('a spec over the byte limit is refused before it is read, naming the file and the limit', () => {
    const p = join(dir, 'huge.hwy');
    writeFileSync(p, 'network n {\n  input 10\n}\n# ' + 'x'.repeat(9 * 2 ** 20) + '\n');
    const r = hwy(['check', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`hwy: '${p}' is 9.0 MiB; a spec may be at most 8.0 MiB`);
  });

  it('a spec of a few MB of dense junk is one HWY4004 error, quickly, not a parse that exhausts the heap', () => {
    const p = join(dir, 'junk.hwy');
    writeFileSync(p, 'network n {\n  input 10\n' + '  dense 1 1 1 1 1 1 1 1 1 1 1 1 1\n'.repeat(80_000) + '}\n');
    const r = hwy(['check', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${p}:1:1: error HWY4004: '${p}' has 1,200,0\\d\\d words and symbols; specs are limited to 500,000`));
    noStack(r.stderr);
  });
});

describe('hwy fmt applies the limits hwy check applies', () => {
  it('a spec of a few MB of dense junk is refused with HWY4004 before Prettier parses it, and the other files are still formatted', () => {
    const p = join(dir, 'junk-fmt.hwy');
    writeFileSync(p, 'network n {\n  input 10\n' + '  dense 1 1 1 1 1 1 1 1 1 1 1 1 1\n'.repeat(80_000) + '}\n');
    const ok = join(dir, 'fine.hwy');
    writeFileSync(ok, 'network n {\n  input 10\n  dense 2\n}\n');
    const started = Date.now();
    const r = hwy(['fmt', '--check', p, ok], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${p}:1:1: error HWY4004: '${p}' has 1,200,0\\d\\d words and symbols; specs are limited to 500,000; not formatted \\(hwy explain HWY4004\\)\\n$`));
    expect(Date.now() - started).toBeLessThan(30_000);
    const same = hwy(['fmt', ok]);
    expect(same.code).toBe(0);
  });
});

describe('bounded machine resources', () => {
  const spec = 'specs/paper/mlp-highway.hwy';

  it('--threads and HWY_THREADS far above the cores are refused before anything starts, naming the flag', () => {
    for (const [args, env, given] of [
      [['train', spec, '--engine', 'torch', '--threads', '100000', '--out', join(dir, 't1')], {}, '--threads 100000'],
      [['train', spec, '--engine', 'torch', '--threads', '1e9', '--out', join(dir, 't2')], {}, '--threads 1000000000'],
      [['train', spec, '--engine', 'torch', '--out', join(dir, 't3')], { HWY_THREADS: '100000' }, 'HWY_THREADS=100000'],
      [['sweep', '--engine', 'torch', '--threads', '100000', '--depths', '2', '--epochs', '1', '--out', join(dir, 's1')], {}, '--threads 100000'],
    ] as const) {
      const r = hwy([...args], { env: { ...env }, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^hwy: ${given}: this machine has \\d+ CPU cores, and threads beyond them only wait for each other; use at most \\d+ \\(4 a core\\)`, 'm'));
      noStack(r.stderr);
    }
  });

  it('a HWY_PYTHON that never answers is given up on within seconds, naming HWY_PYTHON', () => {
    const py = join(dir, 'silent-python');
    // exec: the program the probe starts is the one that sleeps, and the probe's kill ends it
    writeFileSync(py, '#!/bin/sh\nexec sleep 300\n', { mode: 0o755 });
    const started = Date.now();
    const r = hwy(['train', spec, '--engine', 'torch', '--out', join(dir, 'p1')], { env: { HWY_PYTHON: py }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`hwy: HWY_PYTHON=${py} cannot run the torch engine: it did not answer within 5 s (a Python interpreter answers in well under a second: is it one?)`);
    expect(Date.now() - started).toBeLessThan(25_000);
    // --tensorboard probes HWY_PYTHON for TensorBoard's writer first: as quickly
    const tb = Date.now();
    const w = hwy(['train', spec, '--tensorboard', '--out', join(dir, 'p2')], { env: { HWY_PYTHON: py }, timeoutMs: 60_000 });
    expect(w.code, w.stderr).toBe(2);
    expect(w.stderr).toContain(`(HWY_PYTHON=${py} did not answer within 5 s (a Python interpreter answers in well under a second: is it one?))`);
    expect(Date.now() - tb).toBeLessThan(25_000);
    // a sweep asks once, before it writes anything, not once a trial
    writeFileSync(join(dir, 'sweep.hwy'), `sweep s {\n  networks a="${join(ROOT, spec)}"\n  grid depth [1, 2]\n  trials 1\n  stop epochs=1\n}\n`);
    for (const args of [['sweep', join(dir, 'sweep.hwy')], ['sweep', '--depths', '10', '--trials', '1', '--epochs', '1']]) {
      const out = join(dir, `sweep-${args.length}`);
      const s = hwy([...args, '--engine', 'torch', '--out', out, '--no-progress'], { env: { HWY_PYTHON: py }, timeoutMs: 60_000 });
      expect(s.code, s.stderr).toBe(2);
      expect(s.stderr.trim().split('\n').pop()).toMatch(/^hwy: HWY_PYTHON=.* cannot run the torch engine: it did not answer within 5 s \(a Python interpreter answers in well under a second: is it one\?\); install it with/);
      expect(existsSync(out), args.join(' ')).toBe(false);
      expect(s.stderr).not.toMatch(/run 1\//);
    }
  });

  it('hwy sweep --depths far beyond the paper is refused with a message, not a stack trace', () => {
    const r = hwy(['sweep', '--depths', '10,1000000', '--epochs', '1', '--out', join(dir, 'deep')], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("hwy: --depths 10,1000000: a sweep trains networks of at most 1000 layers (the paper's deepest are 900), not 1000000");
  });
});

describe('bin/hwy.js in a clone before npm install', () => {
  const clone = (withDist: boolean) => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-clone-'));
    for (const f of ['bin', 'package.json', ...(withDist ? ['dist'] : [])]) cpSync(join(ROOT, f), join(d, f), { recursive: true });
    return d;
  };
  // train: the compiler commands bundle what they need, training loads tfjs from node_modules
  const run = (d: string) => spawnSync(process.execPath, [join(d, 'bin', 'hwy.js'), 'train', 'x.hwy'], { cwd: d, encoding: 'utf8', timeout: 60_000 });

  it('without dist/ it says to run npm install, exit 2, no stack trace', () => {
    const r = run(clone(false));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("hwy: cannot start: dist/hwy.js, the built CLI, is missing. In a clone of hwy, run 'npm install' first (it installs the dependencies and builds dist/).\n");
  });

  it('with dist/ but no node_modules it names the missing package and says to run npm install', () => {
    const r = run(clone(true));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^hwy: cannot start: the package [@\w/.-]+ is not installed\. In a clone of hwy, run 'npm install' first/);
    noStack(r.stderr);
  });

  // check: a compiler command, which runs from dist/hwy-core.cjs (bin/core-loader.js)
  const check = (d: string) => spawnSync(process.execPath, [join(d, 'bin', 'hwy.js'), 'check', 'x.hwy'], { cwd: d, encoding: 'utf8', timeout: 60_000 });

  it('a compiler command without dist/ says the same, naming the compiler bundle', () => {
    const r = check(clone(false));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("hwy: cannot start: dist/hwy-core.cjs, the built CLI, is missing. In a clone of hwy, run 'npm install' first (it installs the dependencies and builds dist/).\n");
  });

  it('with dist/ but no node_modules a check runs (its bundle holds all it needs); compile -o names the package it lacks', () => {
    const d = clone(true);
    writeFileSync(join(d, 'x.hwy'), 'network n {\n  input 784\n  dense 10 softmax\n}\n');
    const r = check(d);
    expect(r.stderr).toBe('x.hwy: ok (0 errors, 0 warnings, 0 notes)\n');
    expect(r.status).toBe(0);
    const o = spawnSync(process.execPath, [join(d, 'bin', 'hwy.js'), 'compile', 'x.hwy', '-o', 'x.json'], { cwd: d, encoding: 'utf8', timeout: 60_000 });
    expect(o.status).toBe(2);
    expect(o.stderr).toMatch(/^hwy: cannot start: the package write-file-atomic is not installed\. In a clone of hwy, run 'npm install' first/);
    noStack(o.stderr);
  });
});
