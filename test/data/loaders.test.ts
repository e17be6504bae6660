import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnistIdx, readIdx } from '../../src/data/idx.js';
import { loadCifar10, loadCifar100 } from '../../src/data/cifar.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { augmentBatch, globalContrastNormalize, splitValidation, type Dataset } from '../../src/data/dataset.js';
import { loadData } from '../../src/data/index.js';
import { idxBytes } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hwy-data-'));

function writeMnist(dir: string, n: number, opts: { gz?: boolean; labels?: number[]; labelCount?: number } = {}) {
  const img = Array.from({ length: n * 4 * 4 }, (_, i) => i % 256);
  const lbl = opts.labels ?? Array.from({ length: opts.labelCount ?? n }, (_, i) => i % 10);
  for (const prefix of ['train', 't10k']) {
    const w = (name: string, b: Buffer) => writeFileSync(join(dir, name + (opts.gz ? '.gz' : '')), opts.gz ? gzipSync(b) : b);
    w(`${prefix}-images-idx3-ubyte`, idxBytes([n, 4, 4], img));
    w(`${prefix}-labels-idx1-ubyte`, idxBytes([lbl.length], lbl));
  }
}

describe('IDX (full MNIST)', () => {
  it('reads images scaled to [0, 1] and labels, plain or gzipped', () => {
    for (const gz of [false, true]) {
      const d = tmp();
      writeMnist(d, 5, { gz });
      const { trainval, test } = loadMnistIdx(d);
      expect(trainval.count).toBe(5);
      expect(trainval.shape).toEqual([4, 4, 1]);
      expect(trainval.x[17]).toBeCloseTo(17 / 255);
      expect(Array.from(test.labels)).toEqual([0, 1, 2, 3, 4]);
    }
  });
  it('names the file in every error: truncated, bad magic, count mismatch, bad label, missing', () => {
    const d = tmp();
    writeMnist(d, 5);
    writeFileSync(join(d, 'train-images-idx3-ubyte'), idxBytes([5, 4, 4], [1, 2, 3]));
    expect(() => loadMnistIdx(d)).toThrow(/train-images-idx3-ubyte: the header promises 80 bytes .* holds 3 \(truncated\?\)/);
    writeFileSync(join(d, 'train-images-idx3-ubyte'), Buffer.from('hello world'));
    expect(() => loadMnistIdx(d)).toThrow(/train-images-idx3-ubyte: not an IDX file/);
    const d2 = tmp();
    writeMnist(d2, 5, { labelCount: 4 });
    expect(() => loadMnistIdx(d2)).toThrow(/holds 5 images but .*labels-idx1-ubyte holds 4 labels/);
    const d3 = tmp();
    writeMnist(d3, 3, { labels: [1, 12, 3] });
    expect(() => loadMnistIdx(d3)).toThrow(/label 12 at index 1/);
    expect(() => loadMnistIdx(tmp())).toThrow(/no train-images-idx3-ubyte/);
    const gz = tmp();
    writeFileSync(join(gz, 'x.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(() => readIdx(join(gz, 'x.gz'))).toThrow(/corrupt or truncated gzip/);
  });
});

function cifarRecord(labels: number[], fill: (j: number) => number): Buffer {
  return Buffer.concat([Buffer.from(labels), Buffer.from(Array.from({ length: 3072 }, (_, j) => fill(j)))]);
}

describe('CIFAR binary batches', () => {
  it('CIFAR-10: channel-major records become HWC images; batches from the standard subfolder', () => {
    const d = tmp();
    const sub = join(d, 'cifar-10-batches-bin');
    mkdirSync(sub);
    // pixel (0,0): R=10, G=20, B=30
    const rec = (label: number) => cifarRecord([label], (j) => (j === 0 ? 10 : j === 1024 ? 20 : j === 2048 ? 30 : 0));
    for (let i = 1; i <= 5; i++) writeFileSync(join(sub, `data_batch_${i}.bin`), Buffer.concat([rec(i), rec(9)]));
    writeFileSync(join(sub, 'test_batch.bin'), rec(3));
    const { trainval, test } = loadCifar10(d);
    expect(trainval.count).toBe(10);
    expect(Array.from(trainval.labels)).toEqual([1, 9, 2, 9, 3, 9, 4, 9, 5, 9]);
    expect([trainval.x[0], trainval.x[1], trainval.x[2]].map((v) => Math.round(v * 255))).toEqual([10, 20, 30]);
    expect(test.shape).toEqual([32, 32, 3]);
  });
  it('CIFAR-100: two label bytes, the fine label is used', () => {
    const d = tmp();
    writeFileSync(join(d, 'train.bin'), Buffer.concat([cifarRecord([3, 77], () => 0), cifarRecord([19, 99], () => 0)]));
    writeFileSync(join(d, 'test.bin'), cifarRecord([0, 5], () => 0));
    const { trainval } = loadCifar100(d);
    expect(Array.from(trainval.labels)).toEqual([77, 99]);
    expect(trainval.classes).toBe(100);
  });
  it('truncated batches, bad labels and missing files are clear errors naming the file', async () => {
    const d = tmp();
    for (let i = 1; i <= 5; i++) writeFileSync(join(d, `data_batch_${i}.bin`), cifarRecord([1], () => 0));
    writeFileSync(join(d, 'test_batch.bin'), cifarRecord([1], () => 0).subarray(0, 3000));
    expect(() => loadCifar10(d)).toThrow(/test_batch.bin: 3000 bytes is not a whole number of 3073-byte records/);
    writeFileSync(join(d, 'test_batch.bin'), cifarRecord([42], () => 0));
    expect(() => loadCifar10(d)).toThrow(/test_batch.bin: record 0 has label 42/);
    expect(() => loadCifar100(tmp())).toThrow(/missing train.bin, test.bin/);
    await expect(loadData({ name: 'cifar10', normalize: 'scale', augment: [], validation: 0.1 }, tmp())).rejects.toThrow(/missing data_batch_1.bin/);
  });
});

describe('bundled MNIST and preprocessing', () => {
  it('10,000 real digits, a fixed 1,000-digit test set, the same split every time', () => {
    const a = loadBundledMnist();
    const b = loadBundledMnist();
    expect(a.trainval.count + a.test.count).toBe(10_000);
    expect(a.test.count).toBe(1000);
    expect(Array.from(a.test.labels.slice(0, 50))).toEqual(Array.from(b.test.labels.slice(0, 50)));
    const counts = new Array(10).fill(0);
    for (const l of a.test.labels) counts[l]++;
    for (const c of counts) expect(c).toBeGreaterThan(60);
    const { train, validation } = splitValidation(a.trainval, 0.1);
    expect([train.count, validation.count]).toEqual([8100, 900]);
  });
  const tiny = (): Dataset => ({ name: 't', x: Float32Array.from([1, 2, 3, 4, 10, 10, 10, 10]), labels: Uint8Array.from([0, 1]), count: 2, shape: [2, 2, 1], classes: 2 });
  it('global contrast normalisation: zero mean, unit variance per image', () => {
    const d = tiny();
    globalContrastNormalize(d);
    const first = Array.from(d.x.slice(0, 4));
    expect(first.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(first.reduce((a, b) => a + b * b, 0) / 4).toBeCloseTo(1, 4);
    expect(Array.from(d.x.slice(4))).toEqual([0, 0, 0, 0]);
  });
  it('mirroring flips columns; translation shifts with zero fill', () => {
    const d = tiny();
    const out = new Float32Array(4);
    augmentBatch(d, [0], out, { translate: 0, mirror: true }, () => 0.1);
    expect(Array.from(out)).toEqual([2, 1, 4, 3]);
    augmentBatch(d, [0], out, { translate: 1, mirror: false }, () => 0.99); // shift by +1 in both axes
    expect(Array.from(out)).toEqual([4, 0, 0, 0]);
  });
});
