import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes a whole file and fsyncs it before returning; `flags` 'wx' creates a new file only (never through a link). */
export function writeDurable(path: string, data: string | Uint8Array, flags: 'w' | 'wx' = 'w'): void {
  const fd = openSync(path, flags);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes a file so that readers see the old or the new content, never a torn one: temp file in the same directory, fsync, rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeDurable(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw namingTarget(e, tmp, path);
  }
}

/** An error about the temporary file is reported as one about the file being written: the temporary name means nothing to the reader. */
function namingTarget(e: unknown, tmp: string, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object') {
    if (err.path === tmp) err.path = path;
    if (typeof err.message === 'string') err.message = err.message.split(tmp).join(path);
    delete (err as { dest?: string }).dest;
  }
  return e;
}
