// hwy sweep on the tfjs engine, small and real: trials stop when they have converged (at an
// epoch's end, after its checkpoint), each finished trial is recorded, and a longer budget
// continues the trials that stopped at the old cap without retraining the others.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweep, type SweepProgress } from '../../src/analysis/sweep.js';
import { readMetrics, readState, findCheckpoint } from '../../src/run/run-dir.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 11);
  data = { train: subset(trainval, p.subarray(0, 300), 'train'), validation: subset(trainval, p.subarray(300, 360), 'validation'), test: subset(test, Array.from({ length: 20 }, (_, i) => i)), source: 'subset' };
});

describe('hwy sweep trains each trial to convergence (tfjs)', () => {
  it('a trial that stops falling stops at that epoch with its checkpoint; one that reaches the target stops at once', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sw-conv-')), 'sweep');
    const progress: SweepProgress[] = [];
    // 50% a epoch is more than a 2-layer net keeps falling by: a plateau within a few epochs, long before the cap of 30
    const r = await sweep({ depths: [2], kinds: ['plain', 'highway'], epochs: 30, trials: 1, out, preloaded: data, backend: 'wasm', stop: { patience: 1, minImprovement: 0.5 }, onProgress: (p) => progress.push(p) });
    for (const row of r.rows) {
      expect(row.stopped, row.network).toBe('plateau');
      expect(row.epochs).toBeLessThan(30);
      const m = readMetrics(row.runDir);
      expect(m.length).toBe(row.epochs);
      // the rule, read off the recorded losses: the last epoch is not 50% below the one before
      expect(m[m.length - 1].loss).toBeGreaterThan(Math.min(...m.slice(0, -1).map((x) => x.loss)) * 0.5);
      const state = readState(findCheckpoint(row.runDir)!);
      expect([state.epoch, state.step]).toEqual([row.epochs, 0]);
      // a plateau at chance accuracy (at most 1.5x 1/10) is not convergence
      if (row.finalAccuracy <= 0.15) expect(row.convergedEpoch, row.network).toBeNull();
      else {
        expect(row.convergedEpoch).toBeGreaterThanOrEqual(1);
        expect(row.convergedEpoch).toBeLessThanOrEqual(row.epochs);
      }
    }
    expect(r.complete).toBe(true);
    expect(progress[progress.length - 1]).toMatchObject({ done: 2, total: 2, trainedNow: 2, eta: 0 });
    // after the first trial: the other one's time left, from the first one's (no trial of its network yet)
    expect(progress[progress.length - 2].eta).toBeGreaterThan(0);
    expect(Object.keys(progress[progress.length - 1].best).sort()).toEqual(['highway-2', 'plain-2']);

    const target = await sweep({ depths: [2], kinds: ['plain'], epochs: 30, trials: 1, out: join(out, '..', 'target'), preloaded: data, backend: 'wasm', stop: { targetLoss: 10 } });
    expect(target.rows.map((x) => [x.stopped, x.epochs])).toEqual([['target', 1]]);
  });

  it('a trial stopped by its epoch cap trains on when the cap is raised; converged trials are kept as they are', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sw-cap-')), 'sweep');
    const opts = { depths: [2], kinds: ['plain' as const], trials: 2, out, preloaded: data, backend: 'wasm' as const, stop: { patience: 0 } };
    const first = await sweep({ ...opts, epochs: 2 });
    expect(first.rows.map((x) => [x.stopped, x.epochs])).toEqual([
      ['max-epochs', 2],
      ['max-epochs', 2],
    ]);
    const record = JSON.parse(readFileSync(join(out, 'trials', 'plain-2-t1.json'), 'utf8'));
    expect(record.row).toMatchObject({ run: 'plain-2-t1', stopped: 'max-epochs', epochs: 2 });
    // stopped at the cap: not converged, and what they decide is inconclusive, not "does not hold"
    expect(first.rows.map((x) => x.convergedEpoch)).toEqual([null, null]);
    expect(first.claims.find((c) => c.id === 'low-loss')).toMatchObject({ status: 'inconclusive', why: expect.stringContaining('1 trial reached the cap of 2 epochs (plain-2)') });
    const md = readFileSync(join(out, 'sweep.md'), 'utf8');
    expect(md).not.toContain('does not hold');
    expect(md).toContain('| **inconclusive**: 1 trial reached the cap of 2 epochs (plain-2)');
    expect(md).toMatch(/\| 2 \(max-epochs\) \| - \|/);
    // a record written when a capped trial was called converged reads as not converged
    writeFileSync(join(out, 'trials', 'plain-2-t1.json'), JSON.stringify({ ...record, row: { ...record.row, convergedEpoch: 2 } }));
    const before = statSync(join(out, 'plain-2-t1', 'metrics.jsonl')).mtimeMs;
    const lines: string[] = [];
    const again = await sweep({ ...opts, epochs: 2, log: (s) => lines.push(s) });
    expect(lines.filter((l) => l.startsWith('run ')).every((l) => l.endsWith('(done before)'))).toBe(true);
    expect(statSync(join(out, 'plain-2-t1', 'metrics.jsonl')).mtimeMs).toBe(before);
    expect(again.best[0].finalLoss).toBe(first.best[0].finalLoss);
    expect(again.rows.map((x) => x.convergedEpoch)).toEqual([null, null]);
    const early = readMetrics(join(out, 'plain-2-t1')).map((m) => m.loss);
    const longer: string[] = [];
    const more = await sweep({ ...opts, epochs: 3, log: (s) => longer.push(s) });
    expect(longer.filter((l) => l.startsWith('run '))).toEqual(['run 1/2: plain depth 2 trial 1 (resuming after epoch 2)', 'run 2/2: plain depth 2 trial 2 (resuming after epoch 2)']);
    expect(more.rows.map((x) => x.epochs)).toEqual([3, 3]);
    // the same run continued: its first two epochs are the ones trained before
    expect(readMetrics(join(out, 'plain-2-t1')).slice(0, 2).map((m) => m.loss)).toEqual(early);
    const saved = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(saved).toMatchObject({ complete: true, finished: 2, total: 2, protocol: { maxEpochs: 3 } });
    expect(saved.rows.map((x: { runDir: string }) => x.runDir)).toEqual(['plain-2-t1', 'plain-2-t2']);
    expect(saved.claims.map((c: { id: string }) => c.id)).toEqual(['low-loss', 'plain-degrades', 'ratio', 'faster']);
  });
});
