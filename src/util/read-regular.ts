import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { describeFsError } from './fs-errors.js';

/** What a file that is not a regular file is, with its article ('a directory', 'a character device'); undefined for a regular file. */
export function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const bytes = (b: number) => `${b.toLocaleString('en-US')} bytes`;

type RegularOpts = { maxBytes: number; what: string; limitNote?: string; error: (message: string) => Error };

/**
 * Opens `path` for reading, checked on the open descriptor: a regular file of at most
 * `maxBytes` (fstat, so nothing can swap the file in between; the open does not block on a
 * FIFO). The caller closes `fd`; `tooBig` words the refusal of a size.
 */
function openRegular(path: string, opts: RegularOpts): { fd: number; size: number; tooBig: (size: number, more?: boolean) => Error } {
  const { maxBytes, what, error } = opts;
  const tooBig = (size: number, more = false) => {
    // in bytes where MiB would round the two to the same figure
    const [a, b] = mib(size) === mib(maxBytes) ? [bytes(size), bytes(maxBytes)] : [mib(size), mib(maxBytes)];
    return error(`'${path}' is ${more ? 'more than ' : ''}${a}; ${what} may be at most ${b}${opts.limitNote ? ` ${opts.limitNote}` : ''}`);
  };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw error(`cannot read '${path}': ${describeFsError(e)}`);
  }
  try {
    const st = fstatSync(fd);
    const kind = kindOf(st);
    if (kind) throw error(`'${path}' is ${kind}, not ${what}`);
    if (st.size > maxBytes) throw tooBig(st.size);
    return { fd, size: st.size, tooBig };
  } catch (e) {
    closeSync(fd);
    if (e instanceof Error && !(e as NodeJS.ErrnoException).code) throw e;
    throw error(`cannot read '${path}': ${describeFsError(e)}`);
  }
}

/**
 * Reads a whole regular file of at most `maxBytes`, or fails with one line naming the path.
 * The type is checked on the open descriptor (fstat, so nothing can swap the file in
 * between), and the open does not block: opening a FIFO for reading waits for a writer,
 * forever if none comes. The read itself stops past `maxBytes`, since some files report
 * a size of 0 (/proc) or grow while read.
 * `what` names the expected content with its article: 'a spec', 'an IDX file'.
 */
export function readRegularFile(path: string, opts: RegularOpts): Buffer {
  const { maxBytes, error } = opts;
  const { fd, size, tooBig } = openRegular(path, opts);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(size - total, 1 << 16) + 1, maxBytes - total + 1, 1 << 24));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooBig(maxBytes, true);
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof Error && !(e as NodeJS.ErrnoException).code) throw e;
    throw error(`cannot read '${path}': ${describeFsError(e)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The size of a regular file that another program (Python) will read: the checks of
 * `readRegularFile` (a FIFO, a device or a link to one is refused, naming what it is;
 * larger than `maxBytes` is refused) without reading it.
 */
export function regularFileSize(path: string, opts: RegularOpts): number {
  const { fd, size } = openRegular(path, opts);
  closeSync(fd);
  return size;
}
