// Which directories a sweep writes into: a new or empty one, or one that holds a sweep of the
// same kind to continue. A run directory (hwy train's) or anything else that is not empty is
// refused before anything is written, as hwy train refuses a directory that is not a run's:
// a sweep's files mixed into a run (or a project) are found by neither the studio nor a person.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOCK_FILES, RunDirError } from './run-dir.js';

/** file: `hwy sweep FILE.hwy` (plan.json is its first file); paper: `hwy sweep` without a file (trials/, sweep.json). */
export type SweepKind = 'file' | 'paper';

/** What a sweep of this kind may find in a directory it continues, though it has not written its first file yet. */
const EARLY: Record<SweepKind, string[]> = {
  // the Optuna study's SQLite files (and hwy_optuna.py's lock beside them) are made before plan.json
  file: ['optuna.db', 'optuna.db-journal', 'optuna.db-wal', 'optuna.db-shm', 'optuna.db.hwy-lock'],
  paper: [],
};

/** Why a sweep of `kind` must not write into `dir`, or undefined when it may (missing, empty, or a sweep of that kind). */
export function sweepDirProblem(dir: string, kind: SweepKind): string | undefined {
  // `new/..` names a directory that is there once `new` is made: it is checked as well
  return problemAt(dir, dir, kind) ?? (resolve(dir) !== dir ? problemAt(resolve(dir), dir, kind) : undefined);
}

function problemAt(path: string, dir: string, kind: SweepKind): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return `'${dir}' exists and is not a directory: choose another --out`;
  const entries = readdirSync(path).filter((n) => !LOCK_FILES.includes(n));
  if (entries.length === 0 || entries.every((n) => EARLY[kind].includes(n))) return undefined;
  const has = (n: string) => existsSync(join(path, n));
  if (has('run.json')) return `'${dir}' is a hwy run directory (hwy train's), not a sweep directory: hwy sweep does not write into it; choose a new or empty --out`;
  const fileSweep = has('plan.json');
  const paperSweep = !fileSweep && (has('sweep.json') || has('trials'));
  if (kind === 'file' && fileSweep) return undefined;
  if (kind === 'paper' && paperSweep) return undefined;
  if (kind === 'file' && paperSweep) return `'${dir}' holds the paper's sweep (hwy sweep without a file; no plan.json): a sweep file's sweep does not write into it; choose a new or empty --out`;
  if (kind === 'paper' && fileSweep) return `'${dir}' holds a sweep file's sweep (plan.json): the paper's sweep (hwy sweep without a file) does not write into it; choose a new or empty --out`;
  return `'${dir}' already exists, is not empty and is not a hwy sweep directory (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, no ${kind === 'file' ? 'plan.json' : 'sweep.json or trials/'}): hwy does not write into it; choose a new or empty --out`;
}

/** Throws RunDirError with sweepDirProblem's message. */
export function checkSweepDir(dir: string, kind: SweepKind): void {
  const problem = sweepDirProblem(dir, kind);
  if (problem) throw new RunDirError(problem);
}
