import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATASET_INFO } from '../language/vocabulary.js';
import { DataError, type Dataset } from './dataset.js';
import { readRegularFile } from '../util/read-regular.js';
import { thousands } from '../language/thousands.js';

const SHAPE = DATASET_INFO.cifar10.shape;
const PLANE = SHAPE[0] * SHAPE[1];
const PIXELS = PLANE * SHAPE[2];

/** Reads CIFAR binary batches: label byte(s) then 3072 channel-major pixel bytes a record. */
function readBatches(paths: string[], labelBytes: 1 | 2, classes: number, name: string, maxRecords: number): Dataset {
  const record = labelBytes + PIXELS;
  const bufs = paths.map((p) => {
    // no larger than the published file (10,000 or 50,000 records): a special file or a
    // wrong path cannot fill memory
    const b = readRegularFile(p, {
      maxBytes: maxRecords * record,
      what: `a CIFAR-${classes} batch`,
      limitNote: `(${thousands(maxRecords)} records of ${record} bytes, as published)`,
      error: (m) => new DataError(m),
    });
    if (b.length === 0 || b.length % record !== 0) {
      throw new DataError(`${p}: ${b.length} bytes is not a whole number of ${record}-byte records (truncated or not a CIFAR-${classes} batch)`);
    }
    return { p, b };
  });
  const count = bufs.reduce((a, { b }) => a + b.length / record, 0);
  const x = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let i = 0;
  for (const { p, b } of bufs) {
    for (let off = 0; off < b.length; off += record, i++) {
      const label = b[off + labelBytes - 1]; // CIFAR-100: coarse then fine; we use the fine label
      if (label >= classes) throw new DataError(`${p}: record ${off / record} has label ${label}, but CIFAR-${classes} has ${classes} classes`);
      labels[i] = label;
      // channel-major (RRR…GGG…BBB…) -> HWC
      const px = off + labelBytes;
      const o = i * PIXELS;
      for (let c = 0; c < 3; c++) for (let j = 0; j < PLANE; j++) x[o + j * 3 + c] = b[px + c * PLANE + j] / 255;
    }
  }
  return { name, x, labels, count, shape: [SHAPE[0], SHAPE[1], SHAPE[2]], classes };
}

function locate(dir: string, sub: string, files: string[]): string {
  for (const d of [dir, join(dir, sub)]) if (files.every((f) => existsSync(join(d, f)))) return d;
  const missing = files.filter((f) => !existsSync(join(dir, f)) && !existsSync(join(dir, sub, f)));
  throw new DataError(`${dir}: missing ${missing.join(', ')} (looked in ${dir} and ${join(dir, sub)})`);
}

export function loadCifar10(dir: string): { trainval: Dataset; test: Dataset } {
  const train = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
  const d = locate(dir, 'cifar-10-batches-bin', [...train, 'test_batch.bin']);
  return { trainval: readBatches(train.map((f) => join(d, f)), 1, DATASET_INFO.cifar10.classes, 'train', 10_000), test: readBatches([join(d, 'test_batch.bin')], 1, DATASET_INFO.cifar10.classes, 'test', 10_000) };
}

export function loadCifar100(dir: string): { trainval: Dataset; test: Dataset } {
  const d = locate(dir, 'cifar-100-binary', ['train.bin', 'test.bin']);
  return { trainval: readBatches([join(d, 'train.bin')], 2, DATASET_INFO.cifar100.classes, 'train', 50_000), test: readBatches([join(d, 'test.bin')], 2, DATASET_INFO.cifar100.classes, 'test', 10_000) };
}
