import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy, ROOT } from '../helpers.js';
import { lockDir } from '../../src/run/lock.js';

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

function project() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-trust-cli-'));
  writeFileSync(join(d, 'net.hwy'), SPEC);
  mkdirSync(join(d, 'src'));
  writeFileSync(join(d, 'src', 'main.c'), 'int main() {}\n');
  return d;
}

describe('hwy train never loses work (CLI)', () => {
  it('`hwy train net.hwy --out "$PWD" --force` deletes nothing and says why', () => {
    const d = project();
    const before = readdirSync(d).sort();
    for (const extra of [[], ['--force']]) {
      const r = hwy(['train', 'net.hwy', '--out', d, '--backend', 'wasm', ...extra], { cwd: d });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not a hwy run directory .*hwy does not write into it, with or without --force/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(d).sort()).toEqual(before);
    expect(readFileSync(join(d, 'net.hwy'), 'utf8')).toBe(SPEC);
  });

  it('a second writer is refused with the first one\'s pid; a SIGKILLed run leaves no lock behind it', async () => {
    const d = project();
    const out = join(d, 'run');
    const child = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'train', join(d, 'net.hwy'), '--out', out, '--epochs', '200', '--backend', 'wasm', '--no-progress'], { cwd: ROOT });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (b) => {
        err += b;
        if (err.includes('epoch 1:')) resolve();
      });
      child.on('exit', (c) => reject(new Error(`training ended early (${c}): ${err}`)));
    });
    try {
      const again = hwy(['train', join(d, 'net.hwy'), '--out', out, '--force', '--backend', 'wasm']);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`is in use by another hwy process: pid ${child.pid} (hwy train ${join(d, 'net.hwy')} --out ${out}`);
      const resumed = hwy(['train', '--resume', out, '--epochs', '300']);
      expect(resumed.code).toBe(2);
      expect(resumed.stderr).toContain(`pid ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.on('exit', resolve));
    // at once, not after a stale time
    const done = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    const r = hwy(['train', '--resume', out, '--epochs', String(done + 1)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming .* after epoch \d/);
    expect(existsSync(join(out, '.hwy.lock'))).toBe(false);
    // flags the run fixes are refused by name; the refusal is one line, no stack trace
    for (const [args, message] of [
      [['--batch', '10'], '--batch: a resumed run keeps the batch size it was trained with (100)'],
      [['--set', 'depth=3'], '--set depth=3: a resumed run keeps the network it was trained with'],
      [['--backend', 'cpu'], '--backend cpu: a resumed run keeps the backend it was trained with (wasm)'],
    ] as const) {
      const refused = hwy(['train', '--resume', out, ...args]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(message);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(record.history.at(-1).command).toEqual(['hwy', 'train', '--resume', out, '--epochs', String(done + 1)]);
  });

  it('hwy sweep refuses a sweep directory another process is writing, and a project as its directory', async () => {
    const d = project();
    const project_ = hwy(['sweep', '--out', d, '--depths', '2', '--epochs', '1']);
    expect(project_.code).toBe(2);
    expect(project_.stderr).toContain(`'${d}' already exists, is not empty and is not a hwy sweep directory`);
    const sweep = join(d, 'sweep');
    mkdirSync(sweep);
    const lock = await lockDir(sweep, { what: 'sweep directory', command: 'hwy sweep --out x' });
    try {
      const r = hwy(['sweep', '--out', sweep, '--depths', '2', '--epochs', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`sweep directory '${sweep}' is in use by another hwy process: pid ${process.pid} (hwy sweep --out x)`);
    } finally {
      await lock.release();
    }
  });
});

describe('a --set constant the spec does not define is refused by every command', () => {
  const SPEC_LET = SPEC.replace('network tiny', 'let width = 16\nnetwork tiny').replace('dense 16 relu', 'dense width relu');
  const refusal = (file: string) => `--set widht=12: '${file}' defines no constant 'widht'; did you mean 'width'?`;

  it('check, summary, compile, train (and --print-config), export: one line naming the flag, exit 2, nothing written', () => {
    const d = project();
    writeFileSync(join(d, 'net.hwy'), SPEC_LET);
    const before = readdirSync(d).sort();
    for (const args of [
      ['check', 'net.hwy'],
      ['check', 'net.hwy', '--format', 'json'],
      ['summary', 'net.hwy'],
      ['compile', 'net.hwy'],
      ['compile', 'net.hwy', '--emit', 'pytorch'],
      ['train', 'net.hwy', '--print-config'],
      ['train', 'net.hwy', '--out', 'run', '--backend', 'wasm', '--no-progress'],
      ['train', 'net.hwy', '--out', 'run', '--backend', 'wasm', '--format', 'json'],
      ['export', 'net.hwy', '--to', 'pytorch', '--out', 'job', '--no-data'],
    ]) {
      const r = hwy([...args, '--set', 'widht=12'], { cwd: d });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim(), args.join(' ')).toBe(`hwy: ${refusal('net.hwy')}`);
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(d).sort()).toEqual(before);
    // with no near name, the spec's constants are listed; a spec with none says so
    expect(hwy(['summary', 'net.hwy', '--set', 'zz=3'], { cwd: d }).stderr).toContain("--set zz=3: 'net.hwy' defines no constant 'zz' (it defines width)");
    writeFileSync(join(d, 'plain.hwy'), SPEC);
    expect(hwy(['check', 'plain.hwy', '--set', 'width=3'], { cwd: d }).stderr).toContain("--set width=3: 'plain.hwy' defines no constant 'width' (it defines none)");
    // the sweep trains its own networks: it takes no constant at all
    const sweep = hwy(['sweep', '--out', 'sw', '--depths', '2', '--epochs', '1', '--set', 'widht=12'], { cwd: d });
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toContain("--set widht=12: the sweep trains the paper's networks");
    // the constant spelt right works
    expect(hwy(['summary', 'net.hwy', '--set', 'width=12'], { cwd: d }).code).toBe(0);
  });

  it('a run recorded with a misspelt --set (before hwy refused it) still opens: eval and resume read the network it was trained with', () => {
    const d = project();
    writeFileSync(join(d, 'net.hwy'), SPEC_LET);
    const out = join(d, 'run');
    expect(hwy(['train', 'net.hwy', '--out', out, '--backend', 'wasm', '--no-progress'], { cwd: d }).code).toBe(0);
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    record.overrides = { widht: 12 };
    writeFileSync(join(out, 'run.json'), JSON.stringify(record, null, 2));
    const ev = hwy(['eval', out, '--device', 'wasm']);
    expect(ev.code, ev.stderr).toBe(0);
    const more = hwy(['train', '--resume', out, '--epochs', '2', '--no-progress']);
    expect(more.code, more.stderr).toBe(0);
  });
});

const numpy = [process.env.HWY_PYTHON, '/usr/bin/python3', 'python3'].find((p) => p && spawnSync(p, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0);

/** Two classes of 8x8 images (bright or dark) as an .npz file; `seed` makes other data of the same shape. */
function writeNpz(dir: string, seed: number): void {
  const code = `import numpy as np\nr = np.random.default_rng(${seed})\nx = r.integers(0, 256, (120, 8, 8), dtype=np.uint8)\ny = (x.reshape(120, -1).mean(1) > 127.5).astype(np.int64)\nnp.savez('d.npz', x_train=x, y_train=y, x_test=x[:40], y_test=y[:40])`;
  const r = spawnSync(numpy!, ['-c', code], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

describe.skipIf(!numpy)(numpy ? '--data d.npz is the file the run was trained on, from any directory' : '--data d.npz: SKIPPED, no Python with numpy', () => {
  const NPZ_SPEC = 'network t {\n  input 8x8x1\n  flatten\n  dense 8 relu\n  dense 2 softmax\n}\ntrain {\n  batch 40\n  epochs 1\n}\n';

  it('run.json records its absolute path and sha256; eval and resume elsewhere read it; a changed file is refused; runs without the record still open', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-trust-npz-'));
    writeNpz(d, 0);
    writeFileSync(join(d, 't.hwy'), NPZ_SPEC);
    const run = join(d, 'run');
    const trained = hwy(['train', 't.hwy', '--data', 'd.npz', '--out', 'run', '--device', 'wasm', '--no-progress'], { cwd: d });
    expect(trained.code, trained.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    expect(record.config.data).toMatchObject({ name: 'npz', path: 'd.npz' });
    expect(record.dataFile).toEqual({ path: join(d, 'd.npz'), sha256: createHash('sha256').update(readFileSync(join(d, 'd.npz'))).digest('hex') });

    // another directory with a d.npz of its own: the relative path would read that one
    const elsewhere = mkdtempSync(join(tmpdir(), 'hwy-trust-npz-other-'));
    writeNpz(elsewhere, 1);
    const evalJson = (cwd: string, ...extra: string[]) => hwy(['eval', run, '--device', 'wasm', '--split', 'test', '--format', 'json', ...extra], { cwd });
    const here = evalJson(d);
    expect(here.code, here.stderr).toBe(0);
    const there = evalJson(elsewhere);
    expect(there.code, there.stderr).toBe(0);
    expect(JSON.parse(there.stdout)).toEqual(JSON.parse(here.stdout));
    // --data still evaluates other data when asked for, relative to where it runs
    const other = evalJson(elsewhere, '--data', 'd.npz');
    expect(other.code, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout).loss).not.toBe(JSON.parse(here.stdout).loss);
    const resumed = hwy(['train', '--resume', run, '--epochs', '2', '--no-progress'], { cwd: elsewhere });
    expect(resumed.code, resumed.stderr).toBe(0);
    // the same file named by another relative path is the run's data; another file is not
    expect(hwy(['train', '--resume', run, '--epochs', '3', '--data', '../' + d.split('/').pop() + '/d.npz', '--no-progress'], { cwd: elsewhere }).code).toBe(0);
    const wrong = hwy(['train', '--resume', run, '--epochs', '4', '--data', 'd.npz'], { cwd: elsewhere });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`--data: a resumed run keeps the data set it was trained with (${join(d, 'd.npz')})`);

    // the file changes: eval, resume, analyze and export refuse it, naming the file and the run
    writeNpz(d, 2);
    const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
    for (const [args, doing] of [
      [['eval', run, '--device', 'wasm'], 'evaluate'],
      [['train', '--resume', run, '--epochs', '5', '--no-progress'], 'resume'],
      [['export', run, '--to', 'pytorch', '--out', join(elsewhere, 'job')], 'export'],
    ] as const) {
      const r = hwy([...args], { cwd: d });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`(^|\\n)hwy: ${join(d, 'd.npz')} has changed since ${run} was trained on it \\(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\\): hwy will not ${doing} the run on other data`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(join(run, 'metrics.jsonl'), 'utf8')).toBe(metrics);
    expect(existsSync(join(elsewhere, 'job'))).toBe(false);
    // gone: said as such
    rmSync(join(d, 'd.npz'));
    const gone = hwy(['eval', run, '--device', 'wasm'], { cwd: d });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`${run} was trained on ${join(d, 'd.npz')}, which cannot be read now`);

    // a run recorded before hwy kept the path and hash reads the path as given, from the working directory
    const now = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    delete now.dataFile;
    writeFileSync(join(run, 'run.json'), JSON.stringify(now, null, 2));
    writeNpz(d, 0);
    expect(hwy(['eval', run, '--device', 'wasm'], { cwd: d }).code).toBe(0);
  });

  it('NaN in an .npz is a divergence on the default engine: exit 1, no checkpoint, no best', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-trust-npz-nan-'));
    const code = `import numpy as np\nr = np.random.default_rng(0)\nx = r.random((120, 8, 8)).astype(np.float32)\nx[7, 3, 3] = np.nan\ny = (x.reshape(120, -1).mean(1) > 0.5).astype(np.int64)\nnp.savez('nan.npz', x_train=x, y_train=y)`;
    const py = spawnSync(numpy!, ['-c', code], { cwd: d, encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    writeFileSync(join(d, 't.hwy'), NPZ_SPEC);
    const r = hwy(['train', 't.hwy', '--data', 'nan.npz', '--out', 'run', '--epochs', '2', '--device', 'wasm', '--no-progress'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hwy: training diverged in epoch 1, step \d+: the loss is NaN\. No checkpoint was kept/);
    expect(r.stderr).not.toMatch(/best checkpoint/);
    expect(existsSync(join(d, 'run', 'model'))).toBe(false);
    expect(existsSync(join(d, 'run', 'best'))).toBe(false);
  });
});
