import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProgressInfo, MetricsLine } from '../../src/backends/engine.js';

/**
 * What `hwy train` writes while training when standard error is not a terminal (a pipe, a
 * log file): the engine is replaced by one that reports a long epoch step by step, with the
 * clock moving 20 s a step, so that any per-step line, however throttled, would show.
 */
vi.mock('../../src/run/session.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/run/session.js')>();
  const { DataError } = await import('../../src/data/index.js');
  return {
    ...orig,
    runTraining: vi.fn(async (o: { hooks: { onEpochStart(e: number, n: number, steps: number): void; onProgress(p: ProgressInfo): void; onEpochEnd(m: MetricsLine): void } }) => {
      const steps = 50;
      for (const epoch of [1, 2]) {
        o.hooks.onEpochStart(epoch, 2, steps);
        for (let step = 1; step <= steps; step++) o.hooks.onProgress({ epoch, epochs: 2, step, steps, loss: 1, accuracy: 0.5, samplesPerSec: 10 } as ProgressInfo);
        o.hooks.onEpochEnd({ epoch, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, lr: 0.01, seconds: 1000, samplesPerSec: 10 } as MetricsLine);
      }
      // ends the command without a run directory to report
      throw new DataError('the fake run ends here');
    }),
  };
});

afterEach(() => vi.restoreAllMocks());

describe('hwy train progress off a terminal', () => {
  it('prints one line an epoch and no per-step lines', async () => {
    const { trainCommand } = await import('../../src/cli/commands/train-run.js');
    let now = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 20_000));
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      written.push(String(s));
      return true;
    });
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    try {
      await expect(trainCommand(undefined, { progress: true, format: 'text' })).rejects.toThrow('the fake run ends here');
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    const lines = written.join('').split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => /step \d+\/\d+/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^epoch \d+: loss/.test(l))).toHaveLength(2);
  });
});
