// Taking a run directory for writing: the lock first, then the checks, so that two
// processes never both decide the directory is theirs. Engines call these, not lockDir.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeFsError } from '../util/fs-errors.js';
import { createRunDir, RunDirError } from './run-dir.js';
import { lockDir, type DirLock } from './lock.js';

export interface ClaimOptions {
  force?: boolean;
  log?: (line: string) => void;
  /** Recorded beside the lock for refusals (default: the command line). */
  command?: string;
}

/**
 * mkdir -p, or a one-line error naming the part of the path in the way: 'a part of the path
 * is not a directory' leaves a person to find which.
 */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR' || (e as NodeJS.ErrnoException).code === 'EEXIST') {
      for (let p = dirname(dir); p !== dirname(p); p = dirname(p)) {
        if (existsSync(p) && !statSync(p).isDirectory()) throw new RunDirError(`cannot make the directory '${dir}': '${p}' is a file, not a directory: choose another --out`);
      }
    }
    throw new RunDirError(`cannot make the directory '${dir}': ${describeFsError(e)}`);
  }
}

/** A directory for a new run, locked: see createRunDir for what may be replaced. */
export async function claimNewRunDir(dir: string, opts: ClaimOptions = {}): Promise<DirLock> {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new RunDirError(`'${dir}' exists and is not a directory: choose another --out`);
  makeDir(dir);
  const lock = await lockDir(dir, { command: opts.command, log: opts.log });
  try {
    createRunDir(dir, !!opts.force, opts.log);
  } catch (e) {
    await lock.release();
    throw e;
  }
  return lock;
}

/** An existing run directory, locked for resuming (which may repair and rewrite it). */
export async function claimRunDirForResume(dir: string, opts: ClaimOptions = {}): Promise<DirLock> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunDirError(`'${dir}' is not a run directory (no such directory)`);
  return lockDir(dir, { command: opts.command, log: opts.log });
}
