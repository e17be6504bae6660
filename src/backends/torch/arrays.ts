// The data hand-off to the Python side: each split written once as .npy files (x float32 NHWC,
// labels uint8) that numpy memory-maps, instead of sending arrays through a pipe or as JSON.
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readSync } from 'node:fs';
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

/** The header of an .npy (format 1.0) file: magic, version, and the header dict padded so the data starts 64-byte aligned. */
function npyHeader(data: Float32Array | Uint8Array, shape: number[]): Buffer {
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
  return Buffer.concat([pre, Buffer.from(header, 'latin1')]);
}

/** The raw little-endian data (typed arrays are little-endian on every platform Node runs on that hwy supports). */
const npyBody = (data: Float32Array | Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** An .npy (format 1.0) file: the header, then the raw little-endian data. */
export function npyBytes(data: Float32Array | Uint8Array, shape: number[]): Buffer {
  return Buffer.concat([npyHeader(data, shape), npyBody(data)]);
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

/** One cached file: where, and the bytes it must hold (as parts, so the data is never copied to compare it). */
interface Planned {
  path: string;
  parts: Buffer[];
}

/**
 * Writes the splits under `<cacheRoot>/arrays/<hash of the data>/` and returns the paths. A
 * copy already there is used only when every file holds exactly the bytes this data makes:
 * the directory's name is a hash of the data, but nothing stops the files in it from being
 * changed, truncated or replaced, and Python would train on whatever they hold. A file that
 * differs is written again (`rewritten` names it). Each file is written atomically, so a
 * concurrent or interrupted writer leaves either nothing or a whole file.
 */
export function writeArrays(s: Splits, cacheRoot: string): ArrayFiles & { rewritten: string[] } {
  const dir = join(cacheRoot, 'arrays', dataKey(s));
  const files = {} as Record<SplitName, SplitFiles>;
  const planned: Planned[] = [];
  for (const name of SPLITS) {
    const d: Dataset = s[name];
    const x = join(dir, `${name}_x.npy`);
    const y = join(dir, `${name}_y.npy`);
    files[name] = { x, y, count: d.count };
    planned.push({ path: x, parts: [npyHeader(d.x, [d.count, ...d.shape]), npyBody(d.x)] });
    planned.push({ path: y, parts: [npyHeader(d.labels, [d.count]), npyBody(d.labels)] });
  }
  const out: ArrayFiles = { ...files, dir, classes: s.train.classes, shape: s.train.shape };
  const manifest = join(dir, MANIFEST);
  const cached = existsSync(manifest);
  const stale = planned.filter((p) => !holds(p.path, p.parts));
  if (cached && stale.length === 0) return { ...out, rewritten: [] };
  mkdirSync(dir, { recursive: true });
  for (const p of stale) writeFileAtomic(p.path, Buffer.concat(p.parts));
  // written last: a directory with a manifest was complete once (its files are checked all the same)
  const sizes = Object.fromEntries(planned.map((p) => [p.path.slice(dir.length + 1), p.parts.reduce((n, b) => n + b.length, 0)]));
  writeFileAtomic(manifest, JSON.stringify({ files: sizes }, null, 2) + '\n');
  return { ...out, rewritten: cached ? stale.map((p) => p.path) : [] };
}

/** Does the file at `path` (a regular file, not a link) hold exactly these bytes? Read in chunks, stopping at the first difference. */
function holds(path: string, parts: Buffer[]): boolean {
  let fd: number;
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size !== parts.reduce((n, b) => n + b.length, 0)) return false;
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return false;
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (const part of parts) {
      for (let off = 0; off < part.length; ) {
        const n = readSync(fd, chunk, 0, Math.min(chunk.length, part.length - off), null);
        if (n <= 0 || !chunk.subarray(0, n).equals(part.subarray(off, off + n))) return false;
        off += n;
      }
    }
    // nothing after the data: a file grown since the size was read differs too
    return readSync(fd, chunk, 0, 1, null) === 0;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
