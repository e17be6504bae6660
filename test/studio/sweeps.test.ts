// A sweep's page as the server gives it (readSweepDetail): the paper sweep's sweep.json
// (claims and rows) read as a sweep file's is (verdicts and trials), and a sweep that is
// still running not called stopped ("run the same command again") while its lock is held.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSweepDetail } from '../../src/studio/sweeps.js';
import { ROOT } from '../helpers.js';

const found = (dir: string) => ({ id: '0/sweep', dir, real: dir });

describe('the sweep page, server side', () => {
  it("reads the paper sweep's format: its claims as verdicts, its rows as trials, nothing said to be training", () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hwy-studio-paper-')), 'sweep');
    cpSync(join(ROOT, 'docs/sweep'), dir, { recursive: true });
    const d = readSweepDetail(found(dir), []);
    expect(d.format).toBe('paper');
    expect(d.row).toMatchObject({ complete: true, finished: 80, total: 80, running: false });
    const s = d.summary as { verdicts: string[]; trials: { name: string; group: string; status: string; objective: number; params: Record<string, unknown>; runs: { epochs: number }[] }[] };
    expect(s.trials).toHaveLength(80);
    expect(s.trials[0]).toMatchObject({ group: 'plain-10', status: 'done', runs: [{ epochs: expect.any(Number) }] });
    expect(Object.keys(s.trials[0].params)).toContain('lr');
    expect(s.verdicts[0]).toBe('All 80 trials finished.');
    // every claim, with its verdict
    expect(s.verdicts.filter((v) => /: (holds|does not hold|inconclusive|not checked)\./.test(v))).toHaveLength(4);
    expect(d.figures.map((f) => f.name)).toEqual(['figure1-depth']);
  });

  it("a paper sweep's capped rows are capped trials; running is said while the lock is held", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-studio-paper-'));
    const row = (kind: string, loss: number) => ({ network: `${kind}-10`, kind, depth: 10, trial: 1, runDir: `${kind}-10`, settings: null, finalLoss: loss, epochs: 2, stopped: 'max-epochs' });
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ complete: false, finished: 1, total: 2, epochs: 2, trials: 1, claims: [{ id: 'low-loss', claim: 'low', status: 'inconclusive', why: '1 trial reached the cap of 2 epochs (plain-10)', detail: 'plain-10 1.97' }], rows: [row('plain', 1.969)], best: [row('plain', 1.969)] }));
    holdLock(dir);
    const d = readSweepDetail(found(dir), []);
    expect(d.row.running).toBe(true);
    const s = d.summary as { verdicts: string[]; trials: { status: string }[] };
    expect(s.trials.map((t) => t.status)).toEqual(['capped']);
    expect(s.verdicts).toEqual(['Running: 1 of 2 trials finished; the others are training or waiting their turn.', 'low: inconclusive (1 trial reached the cap of 2 epochs (plain-10)). plain-10 1.97']);
  });

  it("a sweep file's partial summary reads as running while its lock is held, and as stopped once it is not", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-studio-file-'));
    const partial = 'Partial: 3 of 4 trials finished; run the same command again to continue.';
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ sweep: 'tiny', complete: false, finished: 3, total: 4, verdicts: [partial, 'No trial has finished yet.'], trials: [] }));
    const idle = readSweepDetail(found(dir), []);
    expect(idle.format).toBe('file');
    expect(idle.row.running).toBe(false);
    expect((idle.summary as { verdicts: string[] }).verdicts[0]).toBe(partial);
    holdLock(dir);
    const live = readSweepDetail(found(dir), []);
    expect(live.row.running).toBe(true);
    expect((live.summary as { verdicts: string[] }).verdicts).toEqual(['Running: 3 of 4 trials finished; the others are training or waiting their turn.', 'No trial has finished yet.']);
    // the page is fetched again when it starts or stops running
    expect(live.row.version).not.toBe(idle.row.version);
  });

  it('a sweep without a lock of its own (one sharing an Optuna study) is running while one of its runs is training', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-studio-shared-'));
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ sweep: 'tiny', complete: false, finished: 0, total: 2, verdicts: ['Partial: 0 of 2 trials finished; run the same command again to continue.'], trials: [] }));
    const run = join(dir, 'runs', 't1-s1');
    mkdirSync(run, { recursive: true });
    const runs = [{ id: '0/sweep/runs/t1-s1', dir: run, real: run }];
    expect(readSweepDetail(found(dir), runs).row.running).toBe(false);
    holdLock(run);
    const d = readSweepDetail(found(dir), runs);
    expect(d.row).toMatchObject({ running: true, runs: ['0/sweep/runs/t1-s1'] });
    expect((d.summary as { verdicts: string[] }).verdicts[0]).toMatch(/^Running: 0 of 2 trials finished/);
  });
});

/** The sweep directory's lock as src/run/lock.ts leaves it, held by this (live) process. */
function holdLock(dir: string): void {
  mkdirSync(join(dir, '.hwy.lock'));
  writeFileSync(join(dir, '.hwy.lock.json'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'test', startedAt: new Date().toISOString() }));
}
