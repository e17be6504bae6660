// hwy writes only regular files it creates, inside the directory it was given, never through
// a link: a symbolic link, a device or a FIFO where hwy would write is refused, not followed
// or replaced. These helpers are the one place that rule is applied to output directories
// (an exported job, an ONNX file); run directories apply it through run-dir.ts.
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeFsError } from './fs-errors.js';
import { kindOf } from './read-regular.js';

/** What a path (as lstat sees it) is, in words, when it is not what hwy may write: undefined for a regular file. */
export function otherKind(st: Stats): string | undefined {
  return st.isSymbolicLink() ? 'a symbolic link' : kindOf(st);
}

function lstatOrNull(path: string, error: (m: string) => Error): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error(`cannot use '${path}': ${describeFsError(e)}`);
  }
}

/** An output path a person gave: not empty, and either absent or a regular file (never a link, a device or a directory). */
export function checkOutputFile(path: string, flag: string, error: (m: string) => Error): boolean {
  if (path.trim() === '') throw error(`${flag} is empty: give a file name`);
  const st = lstatOrNull(path, error);
  if (!st) return false;
  const kind = otherKind(st);
  if (kind) throw error(`'${path}' is ${kind}: hwy writes only regular files (it never replaces ${kind === 'a directory' ? 'a directory' : 'a device, a pipe or a link'}); choose another ${flag}`);
  return true;
}

/**
 * Makes `sub` (a relative directory, such as `data`) inside `root`, each part a real
 * directory: a part that is a link, even to a directory, is refused rather than written through.
 */
export function ownDir(root: string, sub: string, error: (m: string) => Error): string {
  let dir = root;
  for (const part of sub.split('/').filter(Boolean)) {
    dir = join(dir, part);
    const st = lstatOrNull(dir, error);
    if (!st) mkdirSync(dir);
    else if (!st.isDirectory()) throw error(`'${dir}' is ${otherKind(st)}, not a directory hwy made: hwy does not write through it; remove it or choose another output directory`);
  }
  return dir;
}

/**
 * Writes `data` as the regular file `root/rel`, replacing only a regular file: the bytes go
 * to a new file beside it (created exclusively, so never through a link) that is renamed over
 * the old name, which replaces a name and never follows it.
 */
export function writeOwnFile(root: string, rel: string, data: string | Uint8Array, error: (m: string) => Error): void {
  const dir = ownDir(root, dirname(rel) === '.' ? '' : dirname(rel), error);
  const path = join(dir, basename(rel));
  const st = lstatOrNull(path, error);
  if (st && otherKind(st)) throw error(`'${path}' is ${otherKind(st)}: hwy replaces only the regular files it wrote; remove it first`);
  const tmp = join(dir, `.${basename(rel)}.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw error(`cannot write '${path}': ${describeFsError(e)}`);
  }
}
