import { describe, expect, it } from 'vitest';
import { defaultMonitor, Monitor, monitorProblem } from '../../src/run/monitor.js';
import type { MetricsLine } from '../../src/backends/engine.js';

const line = (epoch: number, m: Partial<MetricsLine>): MetricsLine => ({ epoch, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, lr: 0.1, seconds: 1, samplesPerSec: 1, ...m });

/** Feeds values of one metric, epoch by epoch, until the monitor says stop; the epochs seen and the best. */
function feed(m: Monitor, field: keyof MetricsLine, values: number[]) {
  const bests: number[] = [];
  let stoppedAt: number | undefined;
  values.forEach((v, i) => {
    if (stoppedAt) return;
    const r = m.update(line(i + 1, { [field]: v }));
    if (r.best) bests.push(i + 1);
    if (r.stop) stoppedAt = i + 1;
  });
  return { bests, stoppedAt, best: m.record.best };
}

describe('the monitored metric (Keras EarlyStopping / ModelCheckpoint semantics)', () => {
  it('a loss improves downwards: patience counts epochs since the last improvement, and the best follows every strict improvement', () => {
    const r = feed(new Monitor({ monitor: 'val_loss', patience: 2, minDelta: 0 }), 'valLoss', [1.0, 0.8, 0.9, 0.7, 0.75, 0.71, 0.6]);
    expect(r.bests).toEqual([1, 2, 4]);
    expect(r.stoppedAt).toBe(6);
    expect(r.best).toEqual({ epoch: 4, value: 0.7 });
  });

  it('an accuracy improves upwards', () => {
    const r = feed(new Monitor({ monitor: 'accuracy', patience: 1, minDelta: 0 }), 'accuracy', [0.5, 0.6, 0.6, 0.9]);
    expect(r.bests).toEqual([1, 2]);
    expect(r.stoppedAt).toBe(3);
  });

  it('min-delta: a smaller change does not reset the patience, but it still makes a new best checkpoint', () => {
    const r = feed(new Monitor({ monitor: 'loss', patience: 2, minDelta: 0.05 }), 'loss', [1.0, 0.97, 0.95, 0.5]);
    expect(r.bests).toEqual([1, 2, 3]);
    expect(r.stoppedAt).toBe(3);
  });

  it('without patience it never stops, and NaN never improves', () => {
    const r = feed(new Monitor({ monitor: 'val_loss', minDelta: 0 }), 'valLoss', [1, NaN, 2, 3, 4, 5]);
    expect(r.stoppedAt).toBeUndefined();
    expect(r.bests).toEqual([1]);
  });

  it('a saved record continues: the wait and the best carry over', () => {
    const a = new Monitor({ monitor: 'val_loss', patience: 3, minDelta: 0 });
    feed(a, 'valLoss', [1, 2, 3]);
    const b = new Monitor({ monitor: 'val_loss', patience: 3, minDelta: 0 }, a.record);
    expect(b.update(line(4, { valLoss: 1.5 })).stop).toBe(true);
    expect(b.stopMessage()).toBe('val_loss has not improved for 3 epochs (patience 3); the best, 1.0000, was at epoch 1');
  });

  it('defaults to val_loss with a validation split, loss without; a validation metric without a validation split is refused', () => {
    expect(defaultMonitor(10)).toBe('val_loss');
    expect(defaultMonitor(0)).toBe('loss');
    expect(monitorProblem('val_accuracy', 0)).toMatch(/no validation examples.*monitor accuracy instead/);
    expect(monitorProblem('val_accuracy', 5)).toBeUndefined();
    expect(monitorProblem('loss', 0)).toBeUndefined();
  });
});
