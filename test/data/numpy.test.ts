import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadData } from '../../src/data/index.js';
import { checkedIr, compileText } from '../helpers.js';
import type { TrainConfig } from '../../src/ir/types.js';

/** A Python with numpy (the arrays are written by numpy itself, as a user's would be). */
function numpyPython(): string | null {
  for (const p of [process.env.HWY_PYTHON, '/usr/bin/python3', 'python3']) {
    if (p && spawnSync(p, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0) return p;
  }
  return null;
}
const PY = numpyPython();

const tmp = () => mkdtempSync(join(tmpdir(), 'hwy-npy-'));

/** Runs numpy code in `dir` (np is imported; rng is a seeded generator). */
function py(dir: string, code: string): void {
  const r = spawnSync(PY!, ['-c', `import numpy as np\nrng = np.random.default_rng(0)\n${code}`], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

const net = (input: string, classes: number) => checkedIr(compileText(`network t {\n  input ${input}\n  flatten\n  dense ${classes} softmax\n}\n`));
const cfg = (name: 'npz' | 'npy', path: string, more: Partial<TrainConfig['data']> = {}): TrainConfig['data'] => ({ name, path, normalize: 'scale', augment: [], validation: 0.25, ...more });

/** Every example of the loaded splits in file order is not kept (the split shuffles): compare sorted sums instead. */
const sums = (x: Float32Array, size: number) => Array.from({ length: x.length / size }, (_, i) => x.subarray(i * size, (i + 1) * size).reduce((a, b) => a + b, 0)).sort((a, b) => a - b);

describe.skipIf(!PY)(PY ? 'NumPy data: .npz and .npy directories' : 'NumPy data: SKIPPED, no Python with numpy (/usr/bin/python3 or HWY_PYTHON)', () => {
  it('reads an np.savez / np.savez_compressed archive as Keras writes mnist.npz: uint8 pixels scaled, int64 labels, test arrays', async () => {
    for (const save of ['savez', 'savez_compressed']) {
      const d = tmp();
      py(d, `x = rng.integers(0, 256, (8, 4, 4), dtype=np.uint8)\ny = (np.arange(8) % 3).astype(np.int64)\nnp.${save}('m.npz', x_train=x, y_train=y, x_test=x[:2], y_test=y[:2])\nnp.save('x.npy', x)`);
      const raw = new Uint8Array(readFileSync(join(d, 'x.npy')).subarray(-128));
      const s = await loadData(cfg('npz', join(d, 'm.npz')), undefined, { network: net('4x4x1', 3) });
      expect(s.train.count + s.validation.count).toBe(8);
      expect(s.validation.count).toBe(2);
      expect(s.train.shape).toEqual([4, 4, 1]);
      expect(s.train.classes).toBe(3);
      const all = new Float32Array([...s.train.x, ...s.validation.x]);
      const expected = sums(Float32Array.from(raw, (v) => v / 255), 16);
      sums(all, 16).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
      expect([...s.train.labels, ...s.validation.labels].sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
      expect(Array.from(s.test.labels)).toEqual([0, 1]);
      expect(s.source).toBe(`x_train, y_train, x_test, y_test of ${join(d, 'm.npz')}`);
      // normalize=none keeps the stored 0-255 values
      const none = await loadData(cfg('npz', join(d, 'm.npz'), { normalize: 'none' }), undefined, { network: net('4x4x1', 3) });
      expect(Array.from(none.test.x)).toEqual(Array.from(raw.subarray(0, 32)));
    }
  });

  it('a directory of .npy files: float32 NHWC images taken as they are, one-hot float labels, no test arrays', async () => {
    const d = tmp();
    py(d, `x = rng.standard_normal((6, 3, 3, 2)).astype(np.float32)\nnp.save('x_train.npy', x)\nnp.save('y_train.npy', np.eye(4, dtype=np.float32)[[3, 0, 1, 2, 3, 0]])\nnp.save('first.npy', x[0])`);
    const s = await loadData(cfg('npy', d, { validation: 0 }), undefined, { network: net('3x3x2', 4) });
    expect(s.train.count).toBe(6);
    expect(s.test.count).toBe(0);
    expect(Array.from(s.train.labels).sort()).toEqual([0, 0, 1, 2, 3, 3]);
    expect(s.source).toBe(`x_train, y_train (no test arrays) of ${d}`);
    const first = readFileSync(join(d, 'first.npy'));
    const want = new Float32Array(first.buffer.slice(first.byteOffset + first.length - 18 * 4, first.byteOffset + first.length));
    // the split permutes examples: the first stored example is one of them, bit for bit
    const found = Array.from({ length: 6 }, (_, i) => Array.from(s.train.x.subarray(i * 18, (i + 1) * 18))).some((e) => e.every((v, j) => v === want[j]));
    expect(found).toBe(true);
  });

  it('vector inputs take (N, d) rows or flattened images; float64 inputs and (N, 1) labels', async () => {
    const d = tmp();
    py(d, `np.savez('rows.npz', x_train=rng.random((5, 12)), y_train=np.array([[0], [1], [1], [0], [1]], dtype=np.int32))\nnp.savez('imgs.npz', x_train=rng.random((5, 3, 4)), y_train=np.array([0, 1, 1, 0, 1], dtype=np.uint8))`);
    const rows = await loadData(cfg('npz', join(d, 'rows.npz'), { validation: 0 }), undefined, { network: net('12', 2) });
    expect(rows.train.shape).toEqual([1, 1, 12]);
    expect(Array.from(rows.train.labels).sort()).toEqual([0, 0, 1, 1, 1]);
    const imgs = await loadData(cfg('npz', join(d, 'imgs.npz'), { validation: 0 }), undefined, { network: net('12', 2) });
    expect(imgs.train.shape).toEqual([3, 4, 1]);
    // vectors have no height and width to translate or mirror
    await expect(loadData(cfg('npz', join(d, 'rows.npz'), { augment: ['mirror'] }), undefined, { network: net('12', 2) })).rejects.toThrow(/examples are vectors .* cannot be augmented with mirror/);
  });

  it('shapes, dtypes and labels that do not fit the network: one line naming the file, the array, expected and actual', async () => {
    const d = tmp();
    py(
      d,
      [
        `y = np.zeros(4, dtype=np.int64)`,
        `np.savez('shape.npz', x_train=np.zeros((4, 5, 5), np.uint8), y_train=y)`,
        `np.savez('chw.npz', x_train=np.zeros((4, 3, 8, 8), np.float32), y_train=y)`,
        `np.savez('dtype.npz', x_train=np.zeros((4, 4, 4), np.int32), y_train=y)`,
        `np.savez('ydtype.npz', x_train=np.zeros((4, 4, 4), np.uint8), y_train=np.array(['a', 'b', 'c', 'd']))`,
        `np.savez('range.npz', x_train=np.zeros((4, 4, 4), np.uint8), y_train=np.array([0, 1, 3, 2]))`,
        `np.savez('hot.npz', x_train=np.zeros((4, 4, 4), np.uint8), y_train=np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1], [1, 0, 0]], np.float32))`,
        `np.savez('count.npz', x_train=np.zeros((4, 4, 4), np.uint8), y_train=np.zeros(3, np.int64))`,
        `np.savez('noy.npz', x_train=np.zeros((4, 4, 4), np.uint8), labels=y)`,
        `np.savez('halftest.npz', x_train=np.zeros((4, 4, 4), np.uint8), y_train=y, x_test=np.zeros((1, 4, 4), np.uint8))`,
        `np.savez('testshape.npz', x_train=np.zeros((4, 4, 4), np.uint8), y_train=y, x_test=np.zeros((1, 16), np.uint8), y_test=y[:1])`,
        `np.savez('fortran.npz', x_train=np.asfortranarray(np.zeros((4, 4, 4), np.float32)), y_train=y)`,
        `np.savez('big.npz', x_train=np.zeros((4, 4, 4), '>f4'), y_train=y)`,
      ].join('\n'),
    );
    const load = (f: string, input = '4x4x1', classes = 3, more: Partial<TrainConfig['data']> = {}) => loadData(cfg('npz', join(d, f), more), undefined, { network: net(input, classes) });
    const f = (name: string) => join(d, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(load('shape.npz')).rejects.toThrow(new RegExp(`^${f('shape.npz')}: x_train: shape \\(4, 5, 5\\) does not fit the network's input 4x4x1: expected \\(N, 4, 4, 1\\) or \\(N, 4, 4\\)$`));
    await expect(load('chw.npz', '8x8x3')).rejects.toThrow(/chw\.npz: x_train: shape \(4, 3, 8, 8\) does not fit the network's input 8x8x3: channels first; hwy reads channels last: np.transpose\(x, \(0, 2, 3, 1\)\)/);
    await expect(load('dtype.npz')).rejects.toThrow(/dtype\.npz: x_train: dtype int32; hwy reads inputs as uint8 \(pixels 0-255\), float32 or float64/);
    await expect(load('ydtype.npz')).rejects.toThrow(/ydtype\.npz: y_train: dtype '<U1', which is not a number type hwy reads/);
    await expect(load('range.npz')).rejects.toThrow(/range\.npz: y_train\[2\] is 3, but the network has 3 classes: labels must be whole numbers in \[0, 3\)/);
    await expect(load('hot.npz')).rejects.toThrow(/hot\.npz: y_train: row 1 is not one-hot/);
    await expect(load('count.npz')).rejects.toThrow(/count\.npz: y_train: 3 labels, but x_train holds 4 examples/);
    await expect(load('noy.npz')).rejects.toThrow(/noy\.npz has no array 'y_train'/);
    await expect(load('halftest.npz')).rejects.toThrow(/halftest\.npz has x_test but no y_test: give both or neither/);
    await expect(load('testshape.npz', '16')).rejects.toThrow(/testshape\.npz: x_test: shape \(1, 16\), but x_train's examples are 4x4x1/);
    await expect(load('fortran.npz')).rejects.toThrow(/fortran\.npz: x_train: stored in Fortran \(column-major\) order/);
    await expect(load('big.npz')).rejects.toThrow(/big\.npz: x_train: stored big-endian \('>f4'\)/);
    await expect(load('shape.npz', '5x5x1', 300)).rejects.toThrow(/the network has 300 classes; hwy's data sets hold at most 256/);
  });

  it('malformed files: not a zip, bad magic, truncated header, data or archive; sizes refused from the header before allocating', async () => {
    const d = tmp();
    py(d, `np.savez('ok.npz', x_train=np.zeros((64, 4, 4), np.float32), y_train=np.zeros(64, np.int64))\nnp.save('x_train.npy', np.ones((64, 4, 4), np.float32))\nnp.save('y_train.npy', np.zeros(64, np.uint8))`);
    const load = (c: TrainConfig['data'], memory?: { bytes: number; source: string }) => loadData(c, undefined, { network: net('4x4x1', 2), memory });
    writeFileSync(join(d, 'text.npz'), 'just some text, not a zip archive at all');
    await expect(load(cfg('npz', join(d, 'text.npz')))).rejects.toThrow(/text\.npz: not an \.npz archive \(.*\); write one with np\.savez/);
    await expect(load(cfg('npz', join(d, 'missing.npz')))).rejects.toThrow(/cannot read an \.npz file '.*missing\.npz': no such file or directory/);
    // the archive cut in half: its central directory is gone
    const cut = join(d, 'cut.npz');
    writeFileSync(cut, readFileSync(join(d, 'ok.npz')).subarray(0, 700));
    await expect(load(cfg('npz', cut))).rejects.toThrow(/cut\.npz: not an \.npz archive/);
    // a memory budget smaller than the header says x_train needs: refused before reading the data
    await expect(load(cfg('npz', join(d, 'ok.npz')), { bytes: 4096, source: 'the limit HWY_MEMORY_LIMIT=4K' })).rejects.toThrow(
      /ok\.npz: x_train: \(64, 4, 4\) float32 needs about 12\.0 KiB to load, but 4\.0 KiB is the limit HWY_MEMORY_LIMIT=4K: use fewer examples/,
    );
    const dir = (name: string, bytes: Buffer | string) => {
      const sub = mkdtempSync(join(d, 'dir-'));
      writeFileSync(join(sub, 'x_train.npy'), bytes);
      writeFileSync(join(sub, 'y_train.npy'), readFileSync(join(d, 'y_train.npy')));
      return sub;
    };
    const x = readFileSync(join(d, 'x_train.npy'));
    const bad = dir('magic', Buffer.concat([Buffer.from('NOTNPY'), x.subarray(6)]));
    await expect(load(cfg('npy', bad))).rejects.toThrow(new RegExp(`^${join(bad, 'x_train.npy').replace(/[.]/g, '\\.')}: not a NumPy \\.npy array \\(bad magic`));
    await expect(load(cfg('npy', dir('header', x.subarray(0, 40))))).rejects.toThrow(/x_train\.npy: truncated: the file ends inside the \.npy header \(40 bytes\)/);
    await expect(load(cfg('npy', dir('data', x.subarray(0, x.length - 10))))).rejects.toThrow(/x_train\.npy: truncated: its header promises 4,096 bytes of data for \(64, 4, 4\) float32, the file holds 4,086/);
    await expect(load(cfg('npy', dir('long', Buffer.concat([x, Buffer.alloc(8)]))))).rejects.toThrow(/x_train\.npy: longer than its header says/);
    // a header claiming an absurd shape is refused from the header: nothing that size is allocated
    const huge = Buffer.from(x);
    const hdr = huge.toString('latin1', 10, 10 + huge.readUInt16LE(8)).replace('(64, 4, 4)', '(9999999999, 4, 4)');
    const lied = Buffer.concat([huge.subarray(0, 8), Buffer.from([hdr.length & 255, hdr.length >> 8]), Buffer.from(hdr, 'latin1'), huge.subarray(10 + huge.readUInt16LE(8))]);
    await expect(load(cfg('npy', dir('huge', lied)))).rejects.toThrow(/x_train\.npy: .*(more than the .* one array may hold|needs about .* to load)/);
    await expect(load(cfg('npy', join(d, 'nothing')))).rejects.toThrow(/cannot read the \.npy directory '.*nothing': no such file or directory/);
    await expect(load(cfg('npy', join(d, 'ok.npz')))).rejects.toThrow(/ok\.npz' is not a directory: name an \.npz file/);
    const empty = mkdtempSync(join(d, 'empty-'));
    await expect(load(cfg('npy', empty))).rejects.toThrow(/has no x_train\.npy: the directory needs x_train\.npy and y_train\.npy/);
    // a damaged member of a compressed archive: the inflated data is short, and that is said
    py(d, `np.savez_compressed('z.npz', x_train=rng.random((64, 4, 4)).astype(np.float32), y_train=np.zeros(64, np.int64))`);
    const z = readFileSync(join(d, 'z.npz'));
    const start = z.indexOf(Buffer.from('x_train.npy')) + 'x_train.npy'.length + 40;
    for (let i = start; i < start + 200; i++) z[i] ^= 0x5a;
    writeFileSync(join(d, 'z.npz'), z);
    await expect(load(cfg('npz', join(d, 'z.npz')))).rejects.toThrow(/z\.npz: x_train: (corrupt or truncated|a malformed|not a NumPy)/);
    expect(statSync(join(d, 'z.npz')).size).toBe(z.length);
    truncateSync(join(d, 'z.npz'), 100);
    await expect(load(cfg('npz', join(d, 'z.npz')))).rejects.toThrow(/z\.npz: not an \.npz archive/);
  });
});
