import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { learningRate } from '../../src/backends/tfjs/train.js';
import type { LrConfig } from '../../src/ir/types.js';
import { pythonDir } from '../../src/backends/torch/engine.js';
import { pythonOrReason } from './torch/cases.js';

const lr = (o: Partial<LrConfig>): LrConfig => ({ value: 0.1, schedule: 'constant', gamma: 1, steps: [], minLr: 0, warmup: 0, warmupSteps: 0, ...o });

describe('learning-rate schedules', () => {
  it('cosine falls from the rate towards min_lr over the epochs, as PyTorch\'s CosineAnnealingLR (T_max = epochs)', () => {
    const c = lr({ schedule: 'cosine', minLr: 0.01 });
    const at = (e: number) => learningRate(c, e, { epochs: 4 });
    expect(at(1)).toBe(0.1);
    expect(at(3)).toBeCloseTo(0.055, 15); // half way: the mean of rate and floor
    expect(at(2)).toBeCloseTo(0.01 + 0.09 * (1 + Math.SQRT1_2) / 2, 15);
    // the last epoch stays above the floor, so it still trains
    expect(at(4)).toBeGreaterThan(0.01);
    expect([1, 2, 3, 4].map(at)).toEqual([1, 2, 3, 4].map(at).sort((a, b) => b - a));
  });

  it('a warm-up grows the rate linearly, step by step, to the schedule\'s, counted in epochs or in steps', () => {
    // 2 epochs of 5 steps: step k (0-based in the run) at (k + 1) / 10 of the rate
    const w = lr({ warmup: 2 });
    const steps = Array.from({ length: 15 }, (_, k) => learningRate(w, Math.floor(k / 5) + 1, { epochs: 3, step: k % 5, steps: 5 }));
    steps.slice(0, 10).forEach((x, k) => expect(x).toBeCloseTo((0.1 * (k + 1)) / 10, 16));
    expect(steps.slice(10)).toEqual(new Array(5).fill(0.1));
    // the same in steps, and on top of a decaying schedule: it multiplies the epoch's rate
    const s = lr({ schedule: 'exponential', gamma: 0.5, warmupSteps: 4 });
    expect(learningRate(s, 1, { epochs: 3, step: 0, steps: 3 })).toBeCloseTo(0.1 * 0.25, 16);
    expect(learningRate(s, 2, { epochs: 3, step: 0, steps: 3 })).toBe(0.05);
    expect(learningRate(s, 1, { epochs: 3, step: 2, steps: 3 })).toBeCloseTo(0.1 * 0.75, 16);
  });

  it('a run recorded before warm-up and cosine existed (no such fields) keeps its rates', () => {
    const old = { value: 0.1, schedule: 'multistep', gamma: 0.1, steps: [2] } as unknown as LrConfig;
    expect([1, 2, 3].map((e) => learningRate(old, e, { epochs: 3, step: 1, steps: 10 }))).toEqual([0.1, 0.1, 0.1 * 0.1]);
  });

  const { python } = pythonOrReason();
  it.skipIf(!python)("the torch engine's learning_rate gives the same rates, to the last bit but the cosine's", () => {
    const cases: [LrConfig, number][] = [
      [lr({ schedule: 'cosine', minLr: 0.001, warmup: 1 }), 7],
      [lr({ schedule: 'exponential', gamma: 0.9, warmupSteps: 7 }), 4],
      [lr({ schedule: 'multistep', gamma: 0.5, steps: [2, 3], warmupSteps: 3 }), 4],
      [lr({ value: 0.3 }), 2],
    ];
    const grid = cases.flatMap(([c, epochs], i) => Array.from({ length: epochs * 3 }, (_, k) => ({ i, c, epoch: Math.floor(k / 3) + 1, step: k % 3, epochs })));
    const code = `import sys, json; sys.path.insert(0, ${JSON.stringify(pythonDir())}); import hwy_train as t\ng = json.load(sys.stdin)\nprint(json.dumps([t.learning_rate(x['c'], x['epoch'], x['epochs'], x['step'], 3) for x in g]))`;
    const r = spawnSync(python!.path, ['-c', code], { input: JSON.stringify(grid), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as number[];
    grid.forEach((x, k) => {
      const want = learningRate(x.c, x.epoch, { epochs: x.epochs, step: x.step, steps: 3 });
      // cos comes from two maths libraries (V8's and the C library's): equal to the last bit or so
      if (x.c.schedule === 'cosine') expect(Math.abs(got[k] - want) / want, JSON.stringify(x)).toBeLessThan(1e-15);
      else expect(got[k], JSON.stringify(x)).toBe(want);
    });
  });
});
