import { describe, expect, it } from 'vitest';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npyBytes, writeArrays } from '../../../src/backends/torch/arrays.js';
import type { Dataset, Splits } from '../../../src/data/dataset.js';

const split = (name: string, count: number, offset: number): Dataset => ({
  name,
  x: Float32Array.from({ length: count * 12 }, (_, i) => i / 7 + offset),
  labels: Uint8Array.from({ length: count }, (_, i) => (i + offset) % 3),
  count,
  shape: [2, 2, 3],
  classes: 3,
});
const splits = (offset = 0): Splits => ({ train: split('train', 5, offset), validation: split('validation', 2, offset), test: split('test', 3, offset), source: 'made up' });

describe('the data hand-off to Python (.npy files in the cache)', () => {
  it('writes numpy format 1.0: magic, a header padded to 64 bytes with the dtype and shape, then the data', () => {
    const b = npyBytes(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(b.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    const headerLen = b.readUInt16LE(8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = b.subarray(10, 10 + headerLen).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(Array.from(new Float32Array(b.buffer.slice(b.byteOffset + 10 + headerLen, b.byteOffset + b.length)))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(npyBytes(Uint8Array.from([1, 2]), [2]).toString('latin1')).toContain("'descr': '|u1', 'fortran_order': False, 'shape': (2,), }");
  });

  it('keys the cache by content: the same data is reused, other data or preprocessing gets its own files, a damaged copy is rewritten', () => {
    const root = mkdtempSync(join(tmpdir(), 'hwy-arrays-'));
    const a = writeArrays(splits(), root);
    const mtime = statSync(a.train.x).mtimeMs;
    const again = writeArrays(splits(), root);
    expect(again.dir).toBe(a.dir);
    expect(statSync(again.train.x).mtimeMs).toBe(mtime);
    const other = writeArrays(splits(1), root);
    expect(other.dir).not.toBe(a.dir);
    const whole = readFileSync(a.validation.x);
    truncateSync(a.validation.x, 20);
    writeArrays(splits(), root);
    expect(readFileSync(a.validation.x)).toEqual(whole);
    expect(a.train.count).toBe(5);
    expect(statSync(a.train.y).size).toBe(128 + 5);
  });
});

describe('a cached array is used only when it holds its data', () => {
  it('a file changed in place, at the same size, is noticed and written again; an intact copy is not rewritten', () => {
    const root = mkdtempSync(join(tmpdir(), 'hwy-arrays-'));
    const a = writeArrays(splits(), root);
    const whole = readFileSync(a.train.x);
    // the size check alone cannot see this: one float changed, nothing else
    const tampered = Buffer.from(whole);
    tampered.writeFloatLE(1234.5, tampered.length - 4);
    writeFileSync(a.train.x, tampered);
    const labels = Buffer.from(readFileSync(a.test.y));
    labels[labels.length - 1] ^= 1;
    writeFileSync(a.test.y, labels);
    const again = writeArrays(splits(), root);
    expect(again.dir).toBe(a.dir);
    expect(again.rewritten.sort()).toEqual([a.test.y, a.train.x].sort());
    expect(readFileSync(a.train.x)).toEqual(whole);
    expect(readFileSync(a.test.y)).toEqual(npyBytes(splits().test.labels, [3]));
    const mtime = statSync(a.train.x).mtimeMs;
    expect(writeArrays(splits(), root).rewritten).toEqual([]);
    expect(statSync(a.train.x).mtimeMs).toBe(mtime);
  });

  it('a cached file replaced by a symbolic link is replaced by a file, not followed', () => {
    const root = mkdtempSync(join(tmpdir(), 'hwy-arrays-'));
    const a = writeArrays(splits(), root);
    const elsewhere = join(root, 'elsewhere.npy');
    writeFileSync(elsewhere, readFileSync(a.validation.x));
    rmSync(a.validation.x);
    symlinkSync(elsewhere, a.validation.x);
    expect(writeArrays(splits(), root).rewritten).toEqual([a.validation.x]);
    expect(lstatSync(a.validation.x).isFile()).toBe(true);
  });
});
