// Figure 1's protocol: when a trial has converged, and the paper's claims checked on the
// best run of each network (made-up rows, so that every verdict is exercised).
import { describe, expect, it } from 'vitest';
import { convergedAt, convergedEpoch, DEFAULT_CLAIMS, epochsTo, evaluateClaims, stopReason, type ClaimRow, type StopRule } from '../../src/analysis/sweep-protocol.js';

const RULE: StopRule = { maxEpochs: 50, targetLoss: 1e-4, patience: 3, minImprovement: 0.01 };

describe('stopReason', () => {
  it('goes on while the loss falls, and stops at the epoch cap', () => {
    const falling = Array.from({ length: 49 }, (_, i) => 2 * 0.9 ** i);
    expect(stopReason(falling, RULE)).toBeUndefined();
    expect(stopReason([...falling, falling[48] * 0.9], RULE)).toBe('max-epochs');
    expect(stopReason([], RULE)).toBeUndefined();
  });
  it('stops once the loss reaches the target', () => {
    expect(stopReason([1, 0.1, 1e-4], RULE)).toBe('target');
    expect(stopReason([1, 0.1, 1.01e-4], RULE)).toBeUndefined();
  });
  it('stops when the best of the last `patience` epochs is not `minImprovement` below the best before them', () => {
    // best before the last three: 1.0; best of the last three 0.995 (0.5% lower): a plateau
    expect(stopReason([2, 1, 0.999, 0.998, 0.995], RULE)).toBe('plateau');
    // 0.98 is 2% lower: still falling
    expect(stopReason([2, 1, 0.999, 0.998, 0.98], RULE)).toBeUndefined();
    // a bump up that recovers counts by the best values, not the last
    expect(stopReason([2, 1, 1.5, 1.2, 0.9], RULE)).toBeUndefined();
    // not before `patience` epochs have passed after a first one
    expect(stopReason([2, 2, 2], RULE)).toBeUndefined();
    expect(stopReason([2, 2, 2, 2], RULE)).toBe('plateau');
  });
  it('patience 0 never stops on a plateau; a non-finite loss is divergence', () => {
    expect(stopReason([2, 2, 2, 2, 2, 2], { ...RULE, patience: 0 })).toBeUndefined();
    expect(stopReason([2, NaN], RULE)).toBe('diverged');
  });
});

describe('epochs to a loss', () => {
  it('epochsTo: the first epoch below the threshold, or null', () => {
    expect(epochsTo([2, 0.5, 0.009, 0.001], 1e-2)).toBe(3);
    expect(epochsTo([2, 0.5, 0.01], 1e-2)).toBeNull();
  });
  it('convergedEpoch: the first epoch within 1.05x of the final loss', () => {
    expect(convergedEpoch([2, 1, 0.52, 0.51, 0.5])).toBe(3);
    expect(convergedEpoch([2.3, 2.3, 2.3])).toBe(1);
    expect(convergedEpoch([2, NaN])).toBeNull();
  });
});

/** A loss curve from chance (2.3) down to `final`, geometrically, over `epochs` epochs. */
function curve(final: number, epochs: number): number[] {
  return Array.from({ length: epochs }, (_, i) => 2.3 * (final / 2.3) ** (i / (epochs - 1)));
}

/** A sweep's best rows as the paper reports them: plain 10/20 low, plain 50/100 stuck, highway low everywhere and faster. */
function paperLike(): ClaimRow[] {
  const row = (kind: 'plain' | 'highway', depth: number, finalLoss: number, epochs: number) => ({ kind, depth, finalLoss, losses: curve(finalLoss, epochs) });
  return [
    row('plain', 10, 2e-4, 40),
    row('highway', 10, 1e-4, 20),
    row('plain', 20, 5e-4, 40),
    row('highway', 20, 2e-4, 20),
    row('plain', 50, 0.3, 40),
    row('highway', 50, 3e-4, 20),
    { kind: 'plain', depth: 100, finalLoss: 2.301, losses: [2.303, 2.302, 2.302, 2.301] },
    row('highway', 100, 4e-4, 20),
  ];
}
const verdicts = (rows: ClaimRow[]) => Object.fromEntries(evaluateClaims(rows, DEFAULT_CLAIMS).map((c) => [c.id, c.status]));
const change = (rows: ClaimRow[], kind: string, depth: number, patch: Partial<ClaimRow>) => rows.map((r) => (r.kind === kind && r.depth === depth ? { ...r, ...patch } : r));

describe('evaluateClaims', () => {
  it('all four hold on rows like the paper\'s, with the numbers in the detail', () => {
    const claims = evaluateClaims(paperLike());
    expect(claims.map((c) => [c.id, c.status])).toEqual([
      ['low-loss', 'holds'],
      ['plain-degrades', 'holds'],
      ['ratio', 'holds'],
      ['faster', 'holds'],
    ]);
    expect(claims.find((c) => c.id === 'ratio')!.detail).toContain('= 5.75e+3x');
    expect(claims.find((c) => c.id === 'plain-degrades')!.detail).toContain('plain-10 2.00e-4');
  });
  it('low loss: one shallow plain or any highway network above the threshold breaks it (deep plain ones do not count)', () => {
    expect(verdicts(change(paperLike(), 'plain', 20, { finalLoss: 0.02 }))['low-loss']).toBe('does not hold');
    expect(verdicts(change(paperLike(), 'highway', 100, { finalLoss: 0.01 }))['low-loss']).toBe('does not hold');
    expect(verdicts(change(paperLike(), 'plain', 100, { finalLoss: 0.01 }))['low-loss']).toBe('holds');
    const c = evaluateClaims(change(paperLike(), 'highway', 50, { finalLoss: 0.5 })).find((x) => x.id === 'low-loss')!;
    expect(c.detail).toContain('not low: highway-50');
  });
  it('degrade: every deep plain network must end at least 10x above the best shallow one', () => {
    expect(verdicts(change(paperLike(), 'plain', 50, { finalLoss: 1e-3 }))['plain-degrades']).toBe('does not hold'); // 5x
    expect(verdicts(change(paperLike(), 'plain', 50, { finalLoss: 2e-3 }))['plain-degrades']).toBe('holds'); // 10x
    expect(verdicts(paperLike().filter((r) => !(r.kind === 'plain' && r.depth <= 20)))['plain-degrades']).toBe('not checked');
  });
  it('ratio: at the deepest depth with both kinds, at least 100x', () => {
    expect(verdicts(change(paperLike(), 'highway', 100, { finalLoss: 0.023 }))['ratio']).toBe('holds'); // exactly 100x
    expect(verdicts(change(paperLike(), 'highway', 100, { finalLoss: 0.024 }))['ratio']).toBe('does not hold');
    // without plain-100, the deepest depth with both is 50
    const c = evaluateClaims(paperLike().filter((r) => !(r.kind === 'plain' && r.depth === 100))).find((x) => x.id === 'ratio')!;
    expect(c.claim).toContain('highway-50');
    expect(c.status).toBe('holds');
    expect(verdicts([{ kind: 'plain', depth: 10, finalLoss: 1, losses: [2, 1] }])['ratio']).toBe('not checked');
  });
  it('faster: epochs to the loss both reach; a tie or a slower highway network breaks it', () => {
    const claims = evaluateClaims(paperLike());
    // depth 10: the level is plain-10's final 2e-4, which plain reaches only at its 40th epoch
    const c = claims.find((x) => x.id === 'faster')!;
    expect(c.detail).toMatch(/depth 10: to 2\.00e-4, highway (\d+) epochs, plain 40 epochs/);
    expect(Number(/depth 10: to 2\.00e-4, highway (\d+) epochs/.exec(c.detail)![1])).toBeLessThan(20);
    expect(c.detail).toContain('depth 100: to 2.30e+0, highway 1 epoch, plain 4 epochs');
    // the same curve: a tie
    const tie = change(paperLike(), 'highway', 20, { finalLoss: 5e-4, losses: curve(5e-4, 40) });
    expect(verdicts(tie)['faster']).toBe('does not hold');
    // highway slower to the common level
    const slow = evaluateClaims(change(paperLike(), 'highway', 50, { losses: curve(3e-4, 60) }).map((r) => (r.kind === 'plain' && r.depth === 50 ? { ...r, finalLoss: 2e-4, losses: curve(2e-4, 30) } : r))).find((x) => x.id === 'faster')!;
    expect(slow.status).toBe('does not hold');
    expect(slow.detail).toContain('depth 50: to 3.00e-4, highway 60 epochs, plain');
    expect(slow.detail).toContain('not faster at depth 50');
  });
  it('thresholds are parameters', () => {
    expect(verdicts(paperLike().map((r) => ({ ...r })))['low-loss']).toBe('holds');
    expect(Object.fromEntries(evaluateClaims(paperLike(), { ...DEFAULT_CLAIMS, low: 1.5e-4 }).map((c) => [c.id, c.status]))['low-loss']).toBe('does not hold');
    expect(Object.fromEntries(evaluateClaims(paperLike(), { ...DEFAULT_CLAIMS, ratio: 1e4 }).map((c) => [c.id, c.status]))['ratio']).toBe('does not hold');
  });

  it('a verdict that runs stopped at the cap could overturn is inconclusive, naming how many reached the cap of how many epochs, never "does not hold"', () => {
    // hwy sweep --depths 10 --epochs 2: both runs stopped at the cap, far from low
    const capped = (kind: 'plain' | 'highway', finalLoss: number): ClaimRow => ({ kind, depth: 10, finalLoss, losses: [2.2, finalLoss], stopped: 'max-epochs' });
    const claims = evaluateClaims([capped('plain', 1.969), capped('highway', 1.5)]);
    for (const id of ['low-loss', 'ratio', 'faster']) {
      const c = claims.find((x) => x.id === id)!;
      expect(c.status, id).toBe('inconclusive');
      expect(c.why, id).toMatch(/^\d trials? reached the cap of 2 epochs \(/);
    }
    expect(claims.find((x) => x.id === 'low-loss')!.why).toContain('2 trials reached the cap of 2 epochs (highway-10, plain-10)');
    // one epoch: singular
    expect(evaluateClaims([{ ...capped('plain', 2), losses: [2] }]).find((x) => x.id === 'low-loss')!.why).toMatch(/^1 trial reached the cap of 1 epoch \(plain-10\)/);
    // the same numbers from runs that stopped on their own: the verdicts stand
    const own = evaluateClaims([{ ...capped('plain', 1.969), stopped: 'plateau' }, { ...capped('highway', 1.5), stopped: 'plateau' }]);
    expect(own.map((c) => c.status)).toEqual(['does not hold', 'not checked', 'does not hold', 'does not hold']);
    // a low loss reached at the cap still counts as reached; paper-like rows where nothing hit the cap read as before
    expect(verdicts(paperLike().map((r) => ({ ...r, stopped: 'plateau' as const })))).toEqual(verdicts(paperLike()));
    expect(verdicts(change(paperLike(), 'highway', 10, { stopped: 'max-epochs' }))['low-loss']).toBe('holds');
  });

  it('convergedAt: only a run that stopped on its own above chance converged', () => {
    expect(convergedAt([2, 1, 0.52, 0.51, 0.5], 'plateau', false)).toBe(3);
    expect(convergedAt([2.2, 1.969], 'max-epochs', false)).toBeNull();
    expect(convergedAt([2.3, 2.3, 2.3], 'plateau', true)).toBeNull();
    expect(convergedAt([2, NaN], 'diverged', false)).toBeNull();
  });
});
