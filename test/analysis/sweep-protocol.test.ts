// Figure 1's protocol: when a trial has converged, and the paper's claims checked on the
// best run of each network (made-up rows, so that every verdict is exercised).
import { describe, expect, it } from 'vitest';
import { convergedEpoch, DEFAULT_CLAIMS, epochsTo, evaluateClaims, stopReason, type ClaimRow, type StopRule } from '../../src/analysis/sweep-protocol.js';

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

/** A sweep's best rows as the paper reports them: plain 10/20 low, plain 50/100 stuck near chance, highway low everywhere and faster. */
function paperLike(): ClaimRow[] {
  return [
    { kind: 'plain', depth: 10, finalLoss: 2e-4, epochsToLow: 20 },
    { kind: 'highway', depth: 10, finalLoss: 1e-4, epochsToLow: 12 },
    { kind: 'plain', depth: 20, finalLoss: 5e-4, epochsToLow: 30 },
    { kind: 'highway', depth: 20, finalLoss: 2e-4, epochsToLow: 14 },
    { kind: 'plain', depth: 50, finalLoss: 0.3, epochsToLow: null },
    { kind: 'highway', depth: 50, finalLoss: 3e-4, epochsToLow: 15 },
    { kind: 'plain', depth: 100, finalLoss: 2.3, epochsToLow: null },
    { kind: 'highway', depth: 100, finalLoss: 4e-4, epochsToLow: 16 },
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
    expect(claims.find((c) => c.id === 'faster')!.detail).toContain('depth 10: highway 12 epochs, plain 20 epochs');
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
    expect(verdicts([{ kind: 'plain', depth: 10, finalLoss: 1, epochsToLow: null }])['ratio']).toBe('not checked');
  });
  it('faster: a tie, a slower highway network, or one that never gets low breaks it; a plain one that never does loses', () => {
    expect(verdicts(change(paperLike(), 'highway', 10, { epochsToLow: 20 }))['faster']).toBe('does not hold');
    expect(verdicts(change(paperLike(), 'highway', 20, { epochsToLow: 31 }))['faster']).toBe('does not hold');
    const never = evaluateClaims(change(paperLike(), 'highway', 50, { epochsToLow: null })).find((x) => x.id === 'faster')!;
    expect(never.status).toBe('does not hold');
    expect(never.detail).toContain('depth 50: highway never, plain never');
    expect(never.detail).toContain('not faster at depth 50');
  });
  it('thresholds are parameters', () => {
    expect(verdicts(paperLike().map((r) => ({ ...r })))['low-loss']).toBe('holds');
    expect(Object.fromEntries(evaluateClaims(paperLike(), { ...DEFAULT_CLAIMS, low: 1.5e-4 }).map((c) => [c.id, c.status]))['low-loss']).toBe('does not hold');
    expect(Object.fromEntries(evaluateClaims(paperLike(), { ...DEFAULT_CLAIMS, ratio: 1e4 }).map((c) => [c.id, c.status]))['ratio']).toBe('does not hold');
  });
});
