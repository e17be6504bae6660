import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileText, errors, hwy } from '../helpers.js';
import { pythonOrReason } from '../backends/torch/cases.js';

const { python } = pythonOrReason();
const numpy = [process.env.HWY_PYTHON, '/usr/bin/python3', 'python3'].find((p) => p && spawnSync(p, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0);

const SPEC = (data: string) => `network t {\n  input 8x8x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 2 softmax\n}\ntrain {\n  ${data}\n  batch 32\n  epochs 1\n}\n`;

/** A two-class problem (bright or dark 8x8 images) as an .npz archive and as a directory of .npy files. */
function setup(): string {
  const d = mkdtempSync(join(tmpdir(), 'hwy-npz-cli-'));
  const r = spawnSync(
    numpy!,
    [
      '-c',
      `import numpy as np, os
r = np.random.default_rng(0)
x = r.integers(0, 256, (300, 8, 8), dtype=np.uint8)
y = (x.reshape(300, -1).mean(1) > 127.5).astype(np.int64)
np.savez_compressed('d.npz', x_train=x, y_train=y, x_test=x[:50], y_test=y[:50])
np.savez('wide.npz', x_train=np.zeros((10, 9, 9), np.uint8), y_train=np.zeros(10, np.int64))
os.mkdir('arrays')
np.save('arrays/x_train.npy', x[:100, :, :, None].astype(np.float32) / 255)
np.save('arrays/y_train.npy', y[:100])`,
    ],
    { cwd: d, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  writeFileSync(join(d, 't.hwy'), SPEC('data npz "d.npz"'));
  return d;
}

const json = (s: string) => JSON.parse(s);
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe('data npz / npy in the language', () => {
  it('takes the path positionally; npz and npy need one, named sets take none', () => {
    expect(errors(compileText(SPEC('data npz "d.npz" validation=0.2')))).toEqual([]);
    expect(errors(compileText(SPEC('data npy path="arrays" normalize=none')))).toEqual([]);
    const missing = compileText(SPEC('data npz'));
    expect(errors(missing)).toEqual(['HWY2006']);
    expect(missing.diagnostics[0].message).toBe("'data npz' needs the path of its arrays");
    const extra = compileText(SPEC('data mnist "d.npz"').replace('8x8x1', '28x28x1').replace('dense 2 softmax', 'dense 10 softmax'));
    expect(errors(extra)).toEqual(['HWY2002']);
    expect(extra.diagnostics[0].message).toBe("'mnist' is read by name and takes no path");
    // the network's input is not checked against a named set's 28x28x1: the arrays are checked when read
    expect(compileText(SPEC('data npz "d.npz"')).ir!.train!.data).toMatchObject({ name: 'npz', path: 'd.npz' });
  });
});

describe.skipIf(!numpy)(numpy ? 'hwy train on NumPy arrays' : 'hwy train on NumPy arrays: SKIPPED, no Python with numpy', () => {
  it('trains on an .npz named in the spec, records it, and hwy eval reads its test arrays; --data names a directory of .npy files', () => {
    const d = setup();
    const r = hwy(['train', 't.hwy', '--out', 'r1', '--format', 'json'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('data: x_train, y_train, x_test, y_test of d.npz: 270 training, 30 validation, 50 test examples');
    expect(json(r.stdout).outcome).toBe('done');
    const rec = json(readFileSync(join(d, 'r1', 'run.json'), 'utf8'));
    expect(rec.config.data).toMatchObject({ name: 'npz', path: 'd.npz' });
    const e = hwy(['eval', 'r1', '--split', 'test', '--format', 'json'], { cwd: d });
    expect(e.code, e.stderr).toBe(0);
    expect(json(e.stdout).count).toBe(50);
    const dir = hwy(['train', 't.hwy', '--data', 'arrays', '--out', 'r2'], { cwd: d });
    expect(dir.code, dir.stderr).toBe(0);
    expect(dir.stderr).toContain('data: x_train, y_train (no test arrays) of arrays: 90 training, 10 validation, 0 test examples');
    expect(json(readFileSync(join(d, 'r2', 'run.json'), 'utf8')).config.data).toMatchObject({ name: 'npy', path: 'arrays' });
    // a resumed run keeps its arrays
    const res = hwy(['train', '--resume', 'r2', '--data', 'd.npz', '--epochs', '2'], { cwd: d });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`--data: a resumed run keeps the data set it was trained with (${join(d, 'arrays')})`);
  });

  it('arrays that do not fit, a missing file, a mistyped name: one line, exit 2, nothing trained', () => {
    const d = setup();
    const wide = hwy(['train', 't.hwy', '--data', 'wide.npz', '--out', 'w'], { cwd: d });
    expect(wide.code).toBe(2);
    expect(wide.stderr.trim().split('\n').pop()).toBe("hwy: wide.npz: x_train: shape (10, 9, 9) does not fit the network's input 8x8x1: expected (N, 8, 8, 1) or (N, 8, 8)");
    noStack(wide.stderr);
    const gone = hwy(['train', 't.hwy', '--data', 'gone.npz', '--out', 'g'], { cwd: d });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("hwy: cannot read an .npz file 'gone.npz': no such file or directory");
    noStack(gone.stderr);
    const typo = hwy(['train', 't.hwy', '--data', 'mnsit'], { cwd: d });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--data must be one of mnist, mnist_full, cifar10, cifar100, an .npz file or a directory of .npy files, not 'mnsit'");
    const bare = hwy(['train', 't.hwy', '--data', 'npz'], { cwd: d });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--data takes the path of the arrays itself');
    for (const run of ['w', 'g']) expect(() => readFileSync(join(d, run, 'run.json'))).toThrow();
  });

  it.skipIf(!python)('the torch engine trains on the same arrays to the same first epoch as tfjs', () => {
    const d = setup();
    const t = hwy(['train', 't.hwy', '--out', 'tf', '--format', 'json'], { cwd: d });
    const p = hwy(['train', 't.hwy', '--out', 'pt', '--engine', 'torch', '--device', 'cpu', '--format', 'json'], { cwd: d });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toContain('270 training, 30 validation, 50 test examples');
    const [a, b] = [json(t.stdout).metrics, json(p.stdout).metrics];
    expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-3);
    expect(Math.abs(a.valLoss - b.valLoss) / a.valLoss).toBeLessThan(1e-3);
  });
});
