// NumPy arrays as a data set, the way Keras ships and reads them: an .npz archive (np.savez,
// np.savez_compressed) or a directory of .npy files, holding x_train, y_train and, optionally,
// x_test, y_test. Every array is checked against the network from its header alone (shape,
// dtype, the memory it needs) before anything is allocated; a file that is not what it says is
// reported by name, never read past what its header promises.
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, openSync, statSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { freemem } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parse as parseNpy, type NpyArray } from 'npyjs';
import yauzl from 'yauzl';
import type { NetworkIR, TrainConfig } from '../ir/types.js';
import { describeFsError } from '../util/fs-errors.js';
import { formatBytes } from '../util/bytes.js';
import { kindOf } from '../util/read-regular.js';
import { DataError, type Dataset } from './dataset.js';
import { thousands } from '../language/thousands.js';

/** The array names, as Keras' mnist.npz and cifar10 loaders use them. */
export const ARRAY_NAMES = ['x_train', 'y_train', 'x_test', 'y_test'] as const;
type ArrayName = (typeof ARRAY_NAMES)[number];

/** What the network asks of the data: the input shape (without the batch) and the number of classes it outputs. */
export interface NetworkNeeds {
  input: number[];
  classes: number;
}

export function networkNeeds(ir: Pick<NetworkIR, 'layers'>): NetworkNeeds {
  const out = ir.layers[ir.layers.length - 1].outShape;
  return { input: ir.layers[0].outShape, classes: out.length === 1 ? out[0] : 0 };
}

/** The memory the arrays may take, as the caller knows it (HWY_MEMORY_LIMIT or what the OS reports free). */
export interface MemoryBudget {
  bytes: number;
  source: string;
}

export interface NumpyOptions {
  network: NetworkNeeds;
  normalize: TrainConfig['data']['normalize'];
  augment: string[];
  memory?: MemoryBudget;
}

/** `--data` as written: a data set name, an .npz file or a directory of .npy files. */
export function dataArgument(v: string, names: readonly string[]): { name: string; path?: string } {
  if (names.includes(v)) return { name: v };
  return /\.npz$/i.test(v) ? { name: 'npz', path: v } : { name: 'npy', path: v };
}

/** The npyjs dtype codes hwy reads, with their names as NumPy writes them. */
const DTYPE_NAMES: Record<string, string> = {
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  b1: 'bool',
};
const X_DTYPES = ['u1', 'f4', 'f8'];
const Y_DTYPES = ['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'f4', 'f8'];

/** An .npy header: numpy's own headers are a few hundred bytes; past this it is not one. */
const MAX_HEADER = 1 << 20;

interface Header {
  /** npyjs's code, without the byte order: 'f4', 'u1'. */
  dtype: string;
  shape: number[];
  /** Bytes before the data (magic, version, header length, header). */
  offset: number;
  itemSize: number;
  dataBytes: number;
}

const fmtDims = (s: number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
const dtypeName = (code: string) => DTYPE_NAMES[code] ?? code;

/**
 * The header of an .npy file from its first bytes, or undefined while more are needed. The
 * preamble (magic, version, header length) decides where the dictionary ends; npyjs reads the
 * dictionary itself.
 */
function parseHeader(head: Buffer, label: string): Header | undefined {
  if (head.length < 10) return undefined;
  if (head.toString('latin1', 0, 6) !== '\x93NUMPY') throw new DataError(`${label}: not a NumPy .npy array (bad magic: it does not start with \\x93NUMPY)`);
  const major = head[6];
  if (major < 1 || major > 3) throw new DataError(`${label}: .npy format version ${major}.${head[7]}, which hwy cannot read (1.0 to 3.0)`);
  if (major > 1 && head.length < 12) return undefined;
  const len = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const offset = (major === 1 ? 10 : 12) + len;
  if (len > MAX_HEADER) throw new DataError(`${label}: an .npy header of ${thousands(len)} bytes: not a NumPy array hwy can read`);
  if (head.length < offset) return undefined;
  const exact = new Uint8Array(offset);
  exact.set(head.subarray(0, offset));
  const dict = head.toString('latin1', major === 1 ? 10 : 12, offset);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1] ?? '';
  // npyjs reads little-endian data only
  if (descr.startsWith('>')) throw new DataError(`${label}: stored big-endian ('${descr}'); save it little-endian: arr.astype('<${descr.slice(1)}')`);
  let info: NpyArray;
  try {
    // the header alone: npyjs returns its fields and an empty array
    info = parseNpy(exact.buffer);
  } catch (e) {
    throw new DataError(`${label}: a malformed .npy header (${(e as Error).message})`);
  }
  if (info.fortranOrder) throw new DataError(`${label}: stored in Fortran (column-major) order; save np.ascontiguousarray(arr) instead`);
  const code = String(info.dtype);
  const itemSize = Number(/\d+$/.exec(code)?.[0] ?? NaN);
  if (!(code in DTYPE_NAMES) || !Number.isInteger(itemSize)) throw new DataError(`${label}: dtype '${descr}', which is not a number type hwy reads`);
  if (info.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new DataError(`${label}: a malformed shape ${fmtDims(info.shape)} in its header`);
  const elements = info.shape.reduce((a, b) => a * b, 1);
  const dataBytes = elements * itemSize;
  if (!Number.isSafeInteger(dataBytes)) throw new DataError(`${label}: shape ${fmtDims(info.shape)} is too large to read`);
  return { dtype: code, shape: info.shape, offset, itemSize, dataBytes };
}

/**
 * Reads one .npy array from a stream: the header first, which `check` accepts or refuses
 * before the data is allocated, then exactly the bytes the header promises.
 */
async function readNpy(stream: Readable, label: string, check: (h: Header) => void): Promise<{ header: Header; array: NpyArray }> {
  let head = Buffer.alloc(0);
  let header: Header | undefined;
  let buf: Uint8Array | undefined;
  let filled = 0;
  const tooLong = () => new DataError(`${label}: longer than its header says (${fmtDims(header!.shape)} ${dtypeName(header!.dtype)} is ${thousands(header!.dataBytes)} bytes of data)`);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (buf) {
        if (filled + chunk.length > buf.length) throw tooLong();
        buf.set(chunk, filled);
        filled += chunk.length;
        continue;
      }
      head = head.length ? Buffer.concat([head, chunk]) : Buffer.from(chunk);
      header = parseHeader(head, label);
      if (!header) continue;
      check(header);
      buf = new Uint8Array(header.offset + header.dataBytes);
      if (head.length > buf.length) throw tooLong();
      buf.set(head);
      filled = head.length;
      head = Buffer.alloc(0);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${label}: ${describeReadError(e)}`);
  }
  if (!header || !buf) throw new DataError(`${label}: truncated: the file ends inside the .npy header (${head.length} bytes)`);
  if (filled < buf.length) {
    throw new DataError(`${label}: truncated: its header promises ${thousands(header.dataBytes)} bytes of data for ${fmtDims(header.shape)} ${dtypeName(header.dtype)}, the file holds ${thousands(filled - header.offset)}`);
  }
  return { header, array: parseNpy(buf.buffer as ArrayBuffer) };
}

function describeReadError(e: unknown): string {
  const msg = (e as Error)?.message ?? String(e);
  // zlib's and yauzl's words for a damaged archive member
  if ((e as NodeJS.ErrnoException)?.code?.startsWith?.('Z_') || /invalid|corrupt|unexpected end|too many bytes|too few bytes/i.test(msg)) return `corrupt or truncated (${msg})`;
  return describeFsError(e);
}

/** A regular file opened without blocking (a FIFO would wait for a writer), or a one-line error. */
function openRegular(path: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new DataError(`cannot read ${what} '${path}': ${describeFsError(e)}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new DataError(`'${path}' is ${kindOf(st) ?? 'not a regular file'}, not ${what}`);
  }
  return { fd, size: st.size };
}

/** Where the arrays come from: the members of an .npz archive, or the files of a directory. */
interface ArraySource {
  describe: string;
  has(name: ArrayName): boolean;
  open(name: ArrayName): Promise<Readable>;
  close(): void;
}

async function openNpz(path: string): Promise<ArraySource> {
  const { fd } = openRegular(path, 'an .npz file');
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromFd(fd, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (e) {
    closeSync(fd);
    throw new DataError(`${path}: not an .npz archive (${(e as Error).message}); write one with np.savez or np.savez_compressed`);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e);
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
  } catch (e) {
    zip.close();
    throw new DataError(`${path}: a damaged .npz archive (${(e as Error).message})`);
  }
  return {
    describe: path,
    has: (name) => entries.has(`${name}.npy`),
    open: (name) =>
      new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entries.get(`${name}.npy`)!, (err, s) => (err ? reject(new DataError(`${path}: ${name}: ${err.message}`)) : resolve(s))),
      ),
    close: () => zip.close(),
  };
}

function openNpyDir(dir: string): ArraySource {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    throw new DataError(`cannot read the .npy directory '${dir}': ${describeFsError(e)}`);
  }
  if (!isDir) throw new DataError(`'${dir}' is not a directory: name an .npz file (ending in .npz), or a directory holding x_train.npy and y_train.npy`);
  return {
    describe: dir,
    has: (name) => {
      const path = join(dir, `${name}.npy`);
      let st;
      try {
        st = statSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw new DataError(`cannot read the .npy file '${path}': ${describeFsError(e)}`);
      }
      // there, but not an array a reader can finish (a link to /dev/zero, a FIFO, a directory): say what it is, not that it is missing
      const kind = kindOf(st);
      if (kind) throw new DataError(`'${path}' is ${kind}, not an .npy file`);
      return true;
    },
    open: async (name) => {
      // the stream owns the descriptor: it closes it when read to the end or destroyed
      const { fd } = openRegular(join(dir, `${name}.npy`), 'an .npy file');
      return createReadStream('', { fd });
    },
    close: () => {},
  };
}

async function sha256OfFile(path: string, what: string): Promise<string> {
  const { fd } = openRegular(path, what);
  const h = createHash('sha256');
  try {
    // the stream owns the descriptor: it closes it when read to the end or destroyed
    for await (const chunk of createReadStream('', { fd })) h.update(chunk as Buffer);
  } catch (e) {
    throw new DataError(`cannot read ${what} '${path}': ${describeFsError(e)}`);
  }
  return h.digest('hex');
}

/**
 * The sha256 of NumPy data as hwy reads it: of the .npz file, or, for a directory of .npy
 * files, of the lines `NAME SHA256` of the arrays it holds (x_train, y_train, x_test, y_test),
 * so that any change to what training would read changes it. Run records keep it, to tell
 * the data a run was trained on from a file changed since.
 */
export async function numpyDigest(kind: 'npz' | 'npy', path: string): Promise<string> {
  if (kind === 'npz') return sha256OfFile(path, 'an .npz file');
  const dir = openNpyDir(path);
  const lines: string[] = [];
  for (const name of ARRAY_NAMES) if (dir.has(name)) lines.push(`${name} ${await sha256OfFile(join(path, `${name}.npy`), 'an .npy file')}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/** The example shape an x array gives the network, or a message saying why it does not fit. */
function exampleShape(dims: number[], input: number[]): [number, number, number] | string {
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (input.length === 3) {
    const [h, w, c] = input;
    if (same(dims, input)) return [h, w, c];
    if (c === 1 && same(dims, [h, w])) return [h, w, 1];
    return same(dims, [c, h, w]) && c !== h ? `channels first; hwy reads channels last: np.transpose(x, (0, 2, 3, 1))` : `expected (N, ${h}, ${w}, ${c})${c === 1 ? ` or (N, ${h}, ${w})` : ''}`;
  }
  // a vector input takes examples flattened, as the engines feed the named data sets
  const size = input.reduce((a, b) => a * b, 1);
  const got = dims.reduce((a, b) => a * b, 1);
  if (dims.length >= 1 && dims.length <= 3 && got === size) return dims.length === 3 ? [dims[0], dims[1], dims[2]] : dims.length === 2 ? [dims[0], dims[1], 1] : [1, 1, dims[0]];
  return `expected (N, ${size}) or examples of ${size} values, such as (N, h, w) with h x w = ${size}`;
}

/** Class indices from integer labels or one-hot rows, checked against the network's classes. */
function labelsOf(y: NpyArray, shape: number[], classes: number, label: string): Uint8Array {
  const n = shape[0];
  const out = new Uint8Array(n);
  const data = y.data as unknown as ArrayLike<number | bigint>;
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1 && classes !== 1)) {
    for (let i = 0; i < n; i++) {
      const v = Number(data[i]);
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new DataError(`${label}[${i}] is ${v}, but the network has ${classes} classes: labels must be whole numbers in [0, ${classes})`);
      }
      out[i] = v;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    let hot = -1;
    for (let k = 0; k < classes; k++) {
      const v = Number(data[i * classes + k]);
      if (v === 1 && hot < 0) hot = k;
      else if (v !== 0) {
        hot = -2;
        break;
      }
    }
    if (hot < 0) throw new DataError(`${label}: row ${i} is not one-hot (one 1, the rest 0); give class indices, shape (N,), or one-hot rows, shape (N, ${classes})`);
    out[i] = hot;
  }
  return out;
}

/**
 * Loads x_train / y_train (and x_test / y_test when both are there) from an .npz archive
 * (`kind` 'npz') or a directory of .npy files ('npy'), as one training set and one test set
 * for the network. x is uint8 (scaled by 1/255 with normalize=scale), float32 or float64
 * (taken as they are); y holds class indices or one-hot rows.
 */
export async function loadNumpy(kind: 'npz' | 'npy', path: string, opts: NumpyOptions): Promise<{ trainval: Dataset; test: Dataset; source: string }> {
  const { input, classes } = opts.network;
  if (classes < 1) throw new DataError(`the network's output is not a vector of class scores, so ${path} cannot train it: end with 'dense CLASSES softmax'`);
  // Dataset labels are bytes
  if (classes > 256) throw new DataError(`the network has ${classes} classes; hwy's data sets hold at most 256`);
  const memory = opts.memory ?? { bytes: freemem(), source: 'available on this machine' };
  const src = kind === 'npz' ? await openNpz(path) : openNpyDir(path);
  const where = (name: string) => (kind === 'npz' ? `${path}: ${name}` : join(path, `${name}.npy`));
  try {
    for (const name of ['x_train', 'y_train'] as const) {
      if (!src.has(name)) {
        throw new DataError(
          kind === 'npz'
            ? `${path} has no array '${name}': it needs x_train and y_train (and optionally x_test, y_test), as np.savez(file, x_train=…, y_train=…) writes them`
            : `${path} has no ${name}.npy: the directory needs x_train.npy and y_train.npy (and optionally x_test.npy, y_test.npy)`,
        );
      }
    }
    const withTest = src.has('x_test') || src.has('y_test');
    if (withTest && !(src.has('x_test') && src.has('y_test'))) throw new DataError(`${path} has ${src.has('x_test') ? 'x_test but no y_test' : 'y_test but no x_test'}: give both or neither`);
    let budget = memory.bytes;
    const splits: Dataset[] = [];
    let exShape: [number, number, number] | undefined;
    for (const split of withTest ? (['train', 'test'] as const) : (['train'] as const)) {
      const xName = `x_${split}` as ArrayName;
      const yName = `y_${split}` as ArrayName;
      let count = 0;
      const x = await readNpy(await src.open(xName), where(xName), (h) => {
        if (!X_DTYPES.includes(h.dtype)) {
          throw new DataError(`${where(xName)}: dtype ${dtypeName(h.dtype)}; hwy reads inputs as uint8 (pixels 0-255), float32 or float64: save x.astype(np.float32)`);
        }
        if (h.shape.length < 2) throw new DataError(`${where(xName)}: shape ${fmtDims(h.shape)}; expected (N, ${input.join(', ')}): one example a row`);
        const fit = exampleShape(h.shape.slice(1), input);
        if (typeof fit === 'string') throw new DataError(`${where(xName)}: shape ${fmtDims(h.shape)} does not fit the network's input ${input.join('x')}: ${fit}`);
        if (exShape && String(exShape) !== String(fit)) throw new DataError(`${where(xName)}: shape ${fmtDims(h.shape)}, but x_train's examples are ${exShape.join('x')}`);
        exShape = fit;
        count = h.shape[0];
        // the raw array, the float32 copy, and the validation split's copy of it
        const need = h.dataBytes + 2 * 4 * (h.dataBytes / h.itemSize);
        const perArray = bufferConstants.MAX_LENGTH;
        if (h.dataBytes > perArray) throw new DataError(`${where(xName)}: ${formatBytes(h.dataBytes)} of data, more than the ${formatBytes(perArray)} one array may hold here: split the data`);
        if (need > budget) throw new DataError(`${where(xName)}: ${fmtDims(h.shape)} ${dtypeName(h.dtype)} needs about ${formatBytes(need)} to load, but ${formatBytes(budget)} is ${memory.source}: use fewer examples`);
        budget -= need;
      });
      const y = await readNpy(await src.open(yName), where(yName), (h) => {
        if (!Y_DTYPES.includes(h.dtype)) throw new DataError(`${where(yName)}: dtype ${dtypeName(h.dtype)}; labels are integers (class indices) or one-hot rows of numbers`);
        const oneHot = h.shape.length === 2 && h.shape[1] === classes && classes > 1;
        const indices = h.shape.length === 1 || (h.shape.length === 2 && h.shape[1] === 1);
        if (!oneHot && !indices) {
          throw new DataError(`${where(yName)}: shape ${fmtDims(h.shape)}; expected class indices (${count},) or one-hot rows (${count}, ${classes}) for the network's ${classes} classes`);
        }
        if (h.shape[0] !== count) throw new DataError(`${where(yName)}: ${h.shape[0]} labels, but ${xName} holds ${count} examples`);
        if (h.dataBytes > budget) throw new DataError(`${where(yName)}: needs ${formatBytes(h.dataBytes)} to load, but ${formatBytes(budget)} is ${memory.source}`);
        budget -= h.dataBytes;
      });
      const labels = labelsOf(y.array, y.header.shape, classes, where(yName));
      const raw = x.array.data as Uint8Array | Float32Array | Float64Array;
      const data = new Float32Array(raw.length);
      const scale = x.header.dtype === 'u1' && opts.normalize !== 'none' ? 1 / 255 : 1;
      for (let i = 0; i < raw.length; i++) data[i] = raw[i] * scale;
      splits.push({ name: split, x: data, labels, count, shape: exShape!, classes });
    }
    const [h, w] = exShape!;
    if (opts.augment.length && h === 1 && w === 1) {
      throw new DataError(`${where('x_train')}: examples are vectors (no height and width), so they cannot be augmented with ${opts.augment.join(', ')}: remove 'augment', or save images (N, h, w[, c])`);
    }
    const trainval = splits[0];
    trainval.name = 'train';
    const test = splits[1] ?? { ...trainval, name: 'test', x: new Float32Array(0), labels: new Uint8Array(0), count: 0 };
    const names = withTest ? 'x_train, y_train, x_test, y_test' : 'x_train, y_train (no test arrays)';
    return { trainval, test, source: `${names} of ${src.describe}` };
  } finally {
    src.close();
  }
}
