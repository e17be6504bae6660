// `hwy eval --save`: an evaluation recorded in the run directory, so that what it found (the
// confusion matrix above all) can be looked at again without evaluating again: hwy studio
// shows it on the run's page. One file a checkpoint and split, eval/<checkpoint>-<split>.json,
// replaced by the next evaluation of the same pair.
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { describeFsError } from '../util/fs-errors.js';
import { RunDirError } from './run-dir.js';
import type { EvalResult } from './session.js';

export const EVAL_DIR = 'eval';
export const EVAL_CHECKPOINTS = ['latest', 'best'] as const;
export const EVAL_SPLITS = ['validation', 'test', 'train'] as const;

export const evalRecordName = (which: string, split: string) => `${which}-${split}.json`;

/** What eval/NAME.json holds: the result as `hwy eval --format json` prints it, and when it was taken. */
export type SavedEval = EvalResult & { savedAt: string };

/**
 * Writes the result into RUN/eval/; returns the file's path. The directory must be the run's
 * own: a link in its place is refused, never written through (the file itself is replaced
 * by a rename, which replaces a link rather than following it).
 */
export function saveEvalResult(r: EvalResult): string {
  const dir = join(r.runDir, EVAL_DIR);
  const path = join(dir, evalRecordName(r.which, r.split));
  try {
    const st = lstatSync(dir, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw new RunDirError(`${dir} is a symbolic link: hwy writes only inside the run directory, never through a link; remove it, then try again`);
    if (st && !st.isDirectory()) throw new RunDirError(`${dir} is not a directory: move it away to save the evaluation, then try again`);
    if (!st) mkdirSync(dir);
    const saved: SavedEval = { ...r, savedAt: new Date().toISOString() };
    writeFileAtomic(path, JSON.stringify(saved, null, 1) + '\n');
  } catch (e) {
    if (e instanceof RunDirError) throw e;
    throw new RunDirError(`cannot save the evaluation as ${path}: ${describeFsError(e)}`);
  }
  return path;
}
