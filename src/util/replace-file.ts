// Replacing a file a person named (hwy fmt --write, compile -o) the way careful tools do:
// write-file-atomic writes a temporary file beside the target, keeps the target's mode and
// owner, follows symlinks to the file they name, and removes the temporary file on
// failure. What it cannot do atomically is handled first: device files, FIFOs and sockets
// (/dev/stdout) are written in place, as a shell redirection would; read-only files are
// refused where the caller asks, instead of being quietly replaced.
import writeFileAtomic from 'write-file-atomic';
import { closeSync, constants, fsyncSync, ftruncateSync, openSync, rmSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeDurable } from './atomic.js';
import { describeFsError } from './fs-errors.js';

/** A file that cannot or may not be written; the message names the file, never a temporary one. */
export class ReplaceFileError extends Error {}

const KNOWN = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOSPC']);
function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && KNOWN.has(code)) return describeFsError(e);
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  // other messages may name the temporary file: the code alone says enough
  return code ? `error ${code}` : String((e as Error)?.message ?? e);
}

// The process's own streams, as shells treat them: opening /dev/stdout anew fails when it is
// a socket (ENXIO), which is what a parent process's pipe often is.
const STREAMS: Record<string, NodeJS.WriteStream> = { '/dev/stdout': process.stdout, '/dev/fd/1': process.stdout, '/dev/stderr': process.stderr, '/dev/fd/2': process.stderr };

export function replaceFile(path: string, data: string, opts: { refuseReadOnly?: boolean } = {}): void {
  const stream = STREAMS[path];
  if (stream) {
    stream.write(data);
    return;
  }
  let st: Stats | undefined;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ReplaceFileError(`cannot write '${path}': ${why(e)}`);
  }
  if (st?.isDirectory()) throw new ReplaceFileError(`cannot write '${path}': it is a directory`);
  try {
    if (st && !st.isFile()) {
      writeFileSync(path, data);
      return;
    }
    if (st && opts.refuseReadOnly && (st.mode & 0o222) === 0) throw new ReplaceFileError(`'${path}' is read-only: not rewritten (make it writable first, e.g. chmod u+w)`);
    writeFileAtomic.sync(path, data);
  } catch (e) {
    if (e instanceof ReplaceFileError) throw e;
    throw new ReplaceFileError(`cannot write '${path}': ${why(e)}`);
  }
}

/**
 * Rewrites a file's content in place, keeping its inode, for `hwy fmt --write`: hard links
 * to a spec then all show the formatted text (as with Prettier), where replaceFile's rename
 * would leave the other names holding the old text; mode, owner and extended attributes stay
 * as they were too. Symbolic links are followed to the file they name.
 *
 * The trade-off against a rename: writing in place is not atomic. So it happens only after
 * the new text is complete, as one write and a truncate, and the text is first written and
 * fsynced to a new copy beside the file (`.NAME.hwy-fmt-PID-TIME.tmp`), removed once the file itself
 * is written and fsynced: a crash in between leaves the whole new text in the copy, never in
 * no file. A reader during the write can still see a partly written file. Where the directory
 * may not be written, the file is written in place without a copy; any other failure to make
 * the copy (a full disk) leaves the file unchanged.
 */
export function rewriteInPlace(path: string, data: string, opts: { refuseReadOnly?: boolean } = {}): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new ReplaceFileError(`cannot write '${path}': ${why(e)}`);
  }
  if (st.isDirectory()) throw new ReplaceFileError(`cannot write '${path}': it is a directory`);
  if (!st.isFile()) throw new ReplaceFileError(`cannot write '${path}': not a regular file`);
  if (opts.refuseReadOnly && (st.mode & 0o222) === 0) throw new ReplaceFileError(`'${path}' is read-only: not rewritten (make it writable first, e.g. chmod u+w)`);
  const bytes = Buffer.from(data, 'utf8');
  let fd: number;
  try {
    // no O_TRUNC: the old text stays until the new one is written over it
    fd = openSync(path, constants.O_WRONLY);
  } catch (e) {
    throw new ReplaceFileError(`cannot write '${path}': ${why(e)}`);
  }
  let copy: string | undefined = join(dirname(path), `.${basename(path)}.hwy-fmt-${process.pid}-${Date.now()}.tmp`);
  try {
    try {
      writeDurable(copy, bytes, 'wx');
    } catch (e) {
      // never one that was there before: 'wx' refused it
      if ((e as NodeJS.ErrnoException)?.code !== 'EEXIST') rmSync(copy, { force: true });
      copy = undefined;
      // only a directory that may not be written goes on without a copy; a full disk would tear the file
      const code = (e as NodeJS.ErrnoException)?.code;
      if (code !== 'EACCES' && code !== 'EPERM') throw new ReplaceFileError(`cannot write '${path}': ${why(e)}; the file is unchanged`);
    }
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, off);
    ftruncateSync(fd, bytes.length);
    fsyncSync(fd);
  } catch (e) {
    if (e instanceof ReplaceFileError) throw e;
    throw new ReplaceFileError(`cannot write '${path}': ${why(e)}${copy ? ` (the formatted text is in ${copy})` : ''}`);
  } finally {
    closeSync(fd);
  }
  if (copy) rmSync(copy, { force: true });
}
