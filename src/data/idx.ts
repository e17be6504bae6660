import { existsSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { DATASET_INFO } from '../language/vocabulary.js';
import { DataError, type Dataset } from './dataset.js';
import { readRegularFile } from '../util/read-regular.js';
import { MAX_IDX_BYTES, parseIdx, readIdxHeader } from './idx-format.js';
import { thousands } from '../language/thousands.js';

export { MAX_IDX_BYTES } from './idx-format.js';

/**
 * Unpacks a gzipped IDX file to at most the size its own header promises: a small gzip can
 * unpack to gigabytes. The header is read first from the start of the stream (deflate
 * expands at most about 1,000 times, so 1 KB of it unpacks to at most about 1 MB).
 */
function gunzipIdx(gz: Buffer, path: string): Buffer {
  let head: Buffer;
  try {
    head = gunzipSync(gz.subarray(0, 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 2 ** 21 });
  } catch {
    throw new DataError(`${path}: a corrupt or truncated gzip file`);
  }
  const { dims, total } = readIdxHeader(head, path);
  if (total > MAX_IDX_BYTES) throw new DataError(`${path}: the IDX header promises ${dims.join('x')} bytes, more than the ${MAX_IDX_BYTES / 2 ** 30} GiB hwy reads (not an MNIST file?)`);
  try {
    return gunzipSync(gz, { maxOutputLength: total });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(`${path}: unpacks to more than the ${thousands(total)} bytes its IDX header promises (${dims.join('x')}); the file is corrupt or not what it claims`);
    }
    throw new DataError(`${path}: a corrupt or truncated gzip file`);
  }
}

/** Reads an IDX file (optionally gzipped), checking its header against its size. */
export function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  let buf = readRegularFile(path, { maxBytes: MAX_IDX_BYTES, what: 'an IDX file', error: (m) => new DataError(m) });
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipIdx(buf, path);
  return parseIdx(buf, path);
}

function findFile(dir: string, names: string[]): string {
  for (const n of names) for (const f of [n, n + '.gz']) if (existsSync(join(dir, f))) return join(dir, f);
  throw new DataError(`${dir}: no ${names[0]} (or .gz) found`);
}

function load(dir: string, prefix: 'train' | 't10k'): Dataset {
  const imgPath = findFile(dir, [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`]);
  const lblPath = findFile(dir, [`${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`]);
  const img = readIdx(imgPath);
  const lbl = readIdx(lblPath);
  if (img.dims.length !== 3) throw new DataError(`${imgPath}: expected 3 dimensions (count x rows x cols), found ${img.dims.length}`);
  if (lbl.dims.length !== 1) throw new DataError(`${lblPath}: expected 1 dimension (count), found ${lbl.dims.length}`);
  if (img.dims[0] !== lbl.dims[0]) throw new DataError(`${imgPath} holds ${img.dims[0]} images but ${lblPath} holds ${lbl.dims[0]} labels`);
  // a header may promise images of no pixels (0x0): nothing a network can read
  if (img.dims[1] === 0 || img.dims[2] === 0) throw new DataError(`${imgPath}: its header describes images of ${img.dims[1]}x${img.dims[2]} pixels: not images a network can read`);
  const { classes } = DATASET_INFO.mnist_full;
  const bad = lbl.data.findIndex((l) => l >= classes);
  if (bad >= 0) throw new DataError(`${lblPath}: label ${lbl.data[bad]} at index ${bad} is not a digit 0-9`);
  const x = new Float32Array(img.data.length);
  for (let i = 0; i < x.length; i++) x[i] = img.data[i] / 255;
  // the header's size, not the table's: files of another size than MNIST's 28x28 are then
  // refused by training's check of the loaded data, which names both shapes
  return { name: prefix === 'train' ? 'train' : 'test', x, labels: new Uint8Array(lbl.data), count: img.dims[0], shape: [img.dims[1], img.dims[2], 1], classes };
}

/** Full MNIST from the four IDX files (60,000 train / 10,000 test). */
export function loadMnistIdx(dir: string): { trainval: Dataset; test: Dataset } {
  return { trainval: load(dir, 'train'), test: load(dir, 't10k') };
}
