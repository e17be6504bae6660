// Which --out a sweep writes into (src/run/sweep-dir.ts): the CLI tests cover the refusals'
// words; here, what a sweep of each kind finds in its own directory before its first file.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepDirProblem } from '../../src/run/sweep-dir.js';

const dirWith = (files: string[], dirs: string[] = []) => {
  const d = mkdtempSync(join(tmpdir(), 'hwy-sweep-dir-'));
  for (const x of dirs) mkdirSync(join(d, x));
  for (const f of files) writeFileSync(join(d, f), '');
  return d;
};

describe('sweepDirProblem', () => {
  it('a missing or empty directory, or one only its lock is in, takes either kind', () => {
    const d = dirWith(['.hwy.lock.json'], ['.hwy.lock']);
    expect(sweepDirProblem(join(d, 'new'), 'file')).toBeUndefined();
    expect(sweepDirProblem(d, 'file')).toBeUndefined();
    expect(sweepDirProblem(d, 'paper')).toBeUndefined();
  });
  it("a sweep file's sweep continues where its Optuna study (SQLite in WAL mode, and its lock) was made before plan.json", () => {
    const d = dirWith(['optuna.db', 'optuna.db-wal', 'optuna.db-shm', 'optuna.db.hwy-lock']);
    expect(sweepDirProblem(d, 'file')).toBeUndefined();
    expect(sweepDirProblem(d, 'paper')).toMatch(/is not a hwy sweep directory/);
  });
  it('each kind continues its own sweep and not the other', () => {
    const file = dirWith(['plan.json', 'optuna.db'], ['trials', 'runs']);
    const paper = dirWith(['sweep.json'], ['trials', 'plain-10']);
    expect(sweepDirProblem(file, 'file')).toBeUndefined();
    expect(sweepDirProblem(paper, 'paper')).toBeUndefined();
    expect(sweepDirProblem(file, 'paper')).toMatch(/holds a sweep file's sweep/);
    expect(sweepDirProblem(paper, 'file')).toMatch(/holds the paper's sweep/);
  });
  it('a file, a run directory and other files are refused; so is a path that leads to one through ..', () => {
    const d = dirWith(['notes.txt']);
    expect(sweepDirProblem(join(d, 'notes.txt'), 'file')).toMatch(/exists and is not a directory/);
    expect(sweepDirProblem(dirWith(['run.json']), 'paper')).toMatch(/is a hwy run directory/);
    expect(sweepDirProblem(d, 'file')).toMatch(/is not empty and is not a hwy sweep directory \(1 entry, no plan\.json\)/);
    expect(sweepDirProblem(join(d, 'new', '..'), 'file')).toMatch(/is not a hwy sweep directory/);
  });
});
