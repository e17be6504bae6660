// The IDX format itself, on bytes already in memory: the part of the IDX reader that a
// browser shares with Node (idx.ts reads the files; the playground fetches them).
import { DataError } from './dataset.js';

/** Past any IDX file hwy reads: full MNIST's largest, train-images, is 47 MB unpacked. */
export const MAX_IDX_BYTES = 2 ** 30;

export interface IdxHeader {
  dims: number[];
  /** Header and data together, as the header says. */
  total: number;
}

/** The header of an IDX file of unsigned bytes; `path` names the file in messages. */
export function readIdxHeader(buf: Uint8Array, path: string): IdxHeader {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new DataError(`${path}: not an IDX file (bad magic number)`);
  if (buf[2] !== 0x08) throw new DataError(`${path}: IDX element type 0x${buf[2].toString(16)} is not unsigned bytes`);
  const nd = buf[3];
  if (nd < 1 || nd > 4 || buf.length < 4 + 4 * nd) throw new DataError(`${path}: truncated IDX header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  return { dims, total: 4 + 4 * nd + dims.reduce((a, b) => a * b, 1) };
}

/** An unpacked IDX file's dimensions and data, its header checked against its size. */
export function parseIdx(buf: Uint8Array, path: string): { dims: number[]; data: Uint8Array } {
  const { dims, total } = readIdxHeader(buf, path);
  const nd = dims.length;
  const expected = total - 4 - 4 * nd;
  const have = buf.length - 4 - 4 * nd;
  if (have !== expected) throw new DataError(`${path}: the header promises ${expected} bytes of data (${dims.join('x')}) but the file holds ${have}${have < expected ? ' (truncated?)' : ''}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * nd, expected) };
}
