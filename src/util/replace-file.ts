// Replacing a file a person named (hwy fmt --write, compile -o) the way careful tools do:
// write-file-atomic writes a temporary file beside the target, keeps the target's mode and
// owner, follows symlinks to the file they name, and removes the temporary file on
// failure. What it cannot do atomically is handled first: device files, FIFOs and sockets
// (/dev/stdout) are written in place, as a shell redirection would; read-only files are
// refused where the caller asks, instead of being quietly replaced.
import writeFileAtomic from 'write-file-atomic';
import { statSync, writeFileSync, type Stats } from 'node:fs';
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
