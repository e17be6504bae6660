import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { describeFsError } from './fs-errors.js';
import { otherKind } from './own-files.js';

/**
 * The SHA-256 of a regular file, read in chunks: a link (O_NOFOLLOW), a device or a FIFO is
 * refused rather than followed or read forever, and the read stops at the size the file had
 * when it was opened, so a file that grows while read cannot make it unbounded.
 */
export function fileSha256(path: string, error: (message: string) => Error): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw error(`'${path}' is a symbolic link: hwy reads only the files it wrote, never through a link`);
    throw error(`cannot read '${path}': ${describeFsError(e)}`);
  }
  try {
    const st = fstatSync(fd);
    const kind = otherKind(st);
    if (kind) throw error(`'${path}' is ${kind}, not a file hwy wrote`);
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    let left = st.size;
    while (left > 0) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      left -= n;
    }
    return h.digest('hex');
  } finally {
    closeSync(fd);
  }
}
