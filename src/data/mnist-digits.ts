// The bundled digits from their two unpacked IDX files: the part of the loader a browser
// shares with Node (mnist-bundled.ts reads the files from the package; the playground
// fetches the same files from its site).
import { DATASET_INFO } from '../language/vocabulary.js';
import { DataError, permutation, subset, type Dataset } from './dataset.js';

/** The bundled digits' files, relative to the package root (written by scripts/mnist-to-idx.mjs) and to the site's data URL. */
export const BUNDLED_MNIST_FILES = { images: 'data/mnist-10k-images-idx3-ubyte.gz', labels: 'data/mnist-10k-labels-idx1-ubyte.gz' };

/**
 * Pixel byte to value. The digits first came as JSON holding pixel/255 rounded to three
 * decimals; decoding to those same values keeps every run (same seed, same split) identical
 * to the runs made from that JSON.
 */
const DECODE = Float32Array.from({ length: 256 }, (_, p) => Math.round((p / 255) * 1000) / 1000);

type Idx = { dims: number[]; data: Uint8Array };

/**
 * The 10,000 real MNIST digits (about 1,000 a class, ordered by class) as 28x28x1 floats in
 * [0, 1]. A fixed permutation holds out 1,000 as the test set. `where` names the files in
 * messages; `fix` says what to do about damaged ones.
 */
export function bundledMnistFromIdx(images: Idx, labels: Idx, where: { dir: string; labels: string; fix: string }): { trainval: Dataset; test: Dataset } {
  const { shape, classes } = DATASET_INFO.mnist;
  const count = labels.dims[0];
  if (images.dims.join('x') !== `${count}x${shape[0]}x${shape[1]}` || labels.dims.length !== 1) {
    throw new DataError(`the bundled digits in ${where.dir} are damaged (images ${images.dims.join('x')}, labels ${labels.dims.join('x')}): ${where.fix}`);
  }
  const bad = labels.data.findIndex((l) => l >= classes);
  if (bad >= 0) throw new DataError(`${where.labels}: label ${labels.data[bad]} at index ${bad} is not a digit 0-9`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = DECODE[images.data[i]];
  const all: Dataset = { name: 'mnist', x, labels: new Uint8Array(labels.data), count, shape: [shape[0], shape[1], shape[2]], classes };
  const p = permutation(count, 20151207);
  return { test: subset(all, p.subarray(0, 1000), 'test'), trainval: subset(all, p.subarray(1000), 'train') };
}
