// The data hand-off to the Python side: each split written once as .npy files (x float32 NHWC,
// labels uint8) that numpy memory-maps, instead of sending arrays through a pipe or as JSON.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Splits } from '../../data/dataset.js';
import { writeFileAtomic } from '../../util/atomic.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** Paths of one split's arrays. */
export interface SplitFiles {
  x: string;
  y: string;
  count: number;
}
export type ArrayFiles = Record<SplitName, SplitFiles> & { dir: string; classes: number; shape: [number, number, number] };

/** An .npy (format 1.0) file: magic, header dict padded so the data starts 64-byte aligned, then the raw little-endian data. */
export function npyBytes(data: Float32Array | Uint8Array, shape: number[]): Buffer {
  const descr = data instanceof Float32Array ? '<f4' : '|u1';
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  // typed arrays are little-endian on every platform Node runs on that hwy supports
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

/** A content hash of the splits: the cache key, so that different data or preprocessing never share files. */
function dataKey(s: Splits): string {
  const h = createHash('sha256');
  for (const name of SPLITS) {
    const d = s[name];
    h.update(`${name}:${d.count}:${d.shape.join('x')}:${d.classes};`);
    h.update(new Uint8Array(d.x.buffer, d.x.byteOffset, d.x.byteLength));
    h.update(d.labels);
  }
  return h.digest('hex').slice(0, 32);
}

const MANIFEST = 'manifest.json';

/**
 * Writes the splits under `<cacheRoot>/arrays/<hash of the data>/` unless an intact copy is
 * there already (its manifest, written last, names every file with its size), and returns the
 * paths. Each file is written atomically, so a concurrent or interrupted writer leaves either
 * nothing or a whole file.
 */
export function writeArrays(s: Splits, cacheRoot: string): ArrayFiles {
  const dir = join(cacheRoot, 'arrays', dataKey(s));
  const files = {} as Record<SplitName, SplitFiles>;
  const sizes: Record<string, number> = {};
  const planned: { path: string; make: () => Buffer }[] = [];
  for (const name of SPLITS) {
    const d: Dataset = s[name];
    const x = join(dir, `${name}_x.npy`);
    const y = join(dir, `${name}_y.npy`);
    files[name] = { x, y, count: d.count };
    planned.push({ path: x, make: () => npyBytes(d.x, [d.count, ...d.shape]) });
    planned.push({ path: y, make: () => npyBytes(d.labels, [d.count]) });
  }
  const out: ArrayFiles = { ...files, dir, classes: s.train.classes, shape: s.train.shape };
  if (intact(dir)) return out;
  mkdirSync(dir, { recursive: true });
  for (const p of planned) {
    const bytes = p.make();
    writeFileAtomic(p.path, bytes);
    sizes[p.path.slice(dir.length + 1)] = bytes.length;
  }
  writeFileAtomic(join(dir, MANIFEST), JSON.stringify({ files: sizes }, null, 2) + '\n');
  return out;
}

function intact(dir: string): boolean {
  const m = join(dir, MANIFEST);
  if (!existsSync(m)) return false;
  try {
    const { files } = JSON.parse(readFileSync(m, 'utf8')) as { files: Record<string, number> };
    return Object.entries(files).length === 2 * SPLITS.length && Object.entries(files).every(([f, size]) => existsSync(join(dir, f)) && statSync(join(dir, f)).size === size);
  } catch {
    return false;
  }
}
