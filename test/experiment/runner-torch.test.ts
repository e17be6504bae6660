// The sweep runner on the torch engine: every run trains in PyTorch, and --jobs 2 trains
// two trials side by side.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonOrReason, torchTitle } from '../backends/torch/cases.js';
import { runSweep } from '../../src/experiment/runner.js';
import { readRunRecord } from '../../src/run/run-dir.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';
import { TINY_SPEC, tinyPlan } from './plans.js';

const { python, reason } = pythonOrReason();
const title = torchTitle(python, reason);

describe.skipIf(!python)(title('runSweep --engine torch'), () => {
  it('trains every run with torch, two trials at once with jobs 2', async () => {
    const { trainval, test } = loadBundledMnist();
    const p = permutation(trainval.count, 3);
    const data: Splits = { train: subset(trainval, p.subarray(0, 256), 'train'), validation: subset(trainval, p.subarray(256, 320), 'validation'), test: subset(test, [0, 1]), source: 'subset' };
    const dir = mkdtempSync(join(tmpdir(), 'hwy-exp-torch-'));
    const spec = join(dir, 'tiny.hwy');
    writeFileSync(spec, TINY_SPEC);
    const out = join(dir, 'sweep');
    const events: { at: number; line: string }[] = [];
    const r = await runSweep({ plan: tinyPlan(spec, { grid: [], trials: 2, seeds: [1] }), out, preloaded: data, engine: 'torch', device: 'cpu', jobs: 2, figures: false, log: (line) => events.push({ at: Date.now(), line }) });
    expect(r.complete).toBe(true);
    expect(r.records.map((x) => [x.name, x.status])).toEqual([
      ['tiny-t1', 'capped'],
      ['tiny-t2', 'capped'],
    ]);
    for (const rec of r.records) {
      expect(readRunRecord(join(out, rec.runs[0].run))).toMatchObject({ engine: 'torch', device: 'cpu' });
      expect(Number.isFinite(rec.objective)).toBe(true);
    }
    // the second trial started before the first one ended
    const starts = events.filter((e) => /^trial tiny, trial \d/.test(e.line)).map((e) => e.at);
    const ends = events.filter((e) => /^  seed \d+: /.test(e.line)).map((e) => e.at);
    expect(starts.length).toBe(2);
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
  }, 180_000);
});
