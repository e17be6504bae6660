// A sweep's verdicts from made-up trial records, so that every wording is exercised: they
// never claim more than the runs show.
import { describe, expect, it } from 'vitest';
import { meanStd, summarise } from '../../src/experiment/results.js';
import type { RunResult, TrialRecord } from '../../src/experiment/records.js';
import { planRule } from '../../src/experiment/records.js';
import { tinyPlan } from './plans.js';

const plan = tinyPlan('/x/tiny.hwy', { stop: { maxEpochs: 20 } });

function run(objective: number, o: Partial<RunResult> = {}): RunResult {
  return { seed: 1, run: 'r', status: 'done', stopped: 'plateau', epochs: 10, objective, objectiveEpoch: 10, finalLoss: 0.1, finalAccuracy: 0.9, valLoss: objective, valAccuracy: 0.9, convergedEpoch: 8, atChance: false, classes: 10, seconds: 1, ...o };
}
function trial(width: number, t: number, runs: RunResult[], status: TrialRecord['status'] = 'done'): TrialRecord {
  const vs = runs.map((r) => r.objective);
  const m = vs.reduce((a, b) => a + b, 0) / vs.length;
  const sd = vs.length > 1 ? Math.sqrt(vs.reduce((a, x) => a + (x - m) ** 2, 0) / (vs.length - 1)) : 0;
  return { name: `tiny-width${width}-t${t}`, id: t, trial: t, point: { network: 'tiny', values: { width } }, group: `tiny-width${width}`, params: { 'train.lr': 0.01 * t }, status, objective: m, std: sd, runs, rule: planRule(plan), objectiveSpec: plan.objective, finishedAt: '' };
}

describe('sweep verdicts', () => {
  it('ranks groups by their best trial, and calls two groups apart only when their spreads over seeds do not overlap', () => {
    const apart = summarise(plan, [trial(8, 1, [run(0.5), run(0.52)]), trial(4, 1, [run(1.0), run(1.02)]), trial(4, 2, [run(2), run(2.1)])], { total: 4, complete: false });
    expect(apart.records.map((r) => r.name)).toEqual(['tiny-width4-t1', 'tiny-width4-t2', 'tiny-width8-t1']);
    expect(apart.groups.map((g) => [g.group, g.best?.name])).toEqual([
      ['tiny-width4', 'tiny-width4-t1'],
      ['tiny-width8', 'tiny-width8-t1'],
    ]);
    expect(apart.verdicts[0]).toBe('Partial: 3 of 4 trials finished; run the same command again to continue.');
    expect(apart.verdicts).toContain('Best: tiny-width8 (trial 1), final val_loss 0.51 ± 0.01414 (2 seeds).');
    expect(apart.verdicts.at(-1)).toMatch(/^Runner-up: tiny-width4, 1.01 ± 0.01414 \(2 seeds\)\. tiny-width8 is better by 0\.5, more than the two standard deviations/);

    const close = summarise(plan, [trial(8, 1, [run(0.5), run(0.9)]), trial(4, 1, [run(0.6), run(1.0)])], { total: 2, complete: true });
    expect(close.verdicts.at(-1)).toMatch(/The difference \(0\.1\) is within the spread over seeds .*: tiny-width8 and tiny-width4 are not distinguished\.$/);

    const oneSeed = summarise(plan, [trial(8, 1, [run(0.5)]), trial(4, 1, [run(0.6)])], { total: 2, complete: true });
    expect(oneSeed.verdicts.at(-1)).toContain('With one seed a trial the spread over seeds is unknown: the order of tiny-width8 and tiny-width4 may be noise.');
    expect(meanStd(oneSeed.records[0])).toBe('0.6 (1 seed)');
  });

  it('capped, diverged, pruned and chance-level trials are named; a capped or chance-level best is not a conclusion', () => {
    const s = summarise(
      plan,
      [
        trial(4, 1, [run(0.3, { status: 'capped', stopped: 'max-epochs', convergedEpoch: null, epochs: 20 })], 'capped'),
        trial(4, 2, [run(NaN, { status: 'diverged', stopped: 'diverged', convergedEpoch: null })], 'diverged'),
        trial(8, 1, [run(2.3, { atChance: true, convergedEpoch: null, finalAccuracy: 0.1 })]),
        trial(8, 2, [run(0.2, { status: 'pruned' })], 'pruned'),
      ],
      { total: 4, complete: true },
    );
    expect(s.verdicts).toEqual([
      'All 4 trials finished.',
      'inconclusive: 1 trial reached the cap of 20 epochs before converging; how far it would go is unknown (raise the cap to continue it).',
      '1 trial never left chance level (training accuracy at most 1.5x chance): a flat curve there is not convergence.',
      '1 trial diverged (a non-finite loss); the search went on.',
      '1 trial pruned by the search: partial objectives, not ranked.',
      'Best: tiny-width4 (trial 1), final val_loss 0.3 (1 seed), but it reached the epoch cap: inconclusive.',
      'Runner-up: tiny-width8, 2.3 (1 seed). With one seed a trial the spread over seeds is unknown: the order of tiny-width4 and tiny-width8 may be noise. tiny-width4 reached the epoch cap: the order may change with more epochs.',
    ]);
    expect(s.groups.map((g) => g.verdict)).toEqual(['inconclusive: the best trial reached the cap of 20 epochs (1 capped, 1 diverged of 2)', 'nothing learned: the best trial stayed at chance level (1 pruned of 2)']);
    // the pruned trial's lower objective is not ranked
    expect(s.groups[1].best?.name).toBe('tiny-width8-t1');
  });

  it('a group with no finished objective says what happened to its trials; no trial at all says so', () => {
    const s = summarise(plan, [trial(4, 1, [run(NaN, { status: 'diverged' })], 'diverged')], { total: 1, complete: true });
    expect(s.groups[0].verdict).toBe('no result: 1 diverged');
    expect(s.verdicts).toContain('No trial finished with an objective: there is no best.');
    expect(summarise(plan, [], { total: 3, complete: false }).verdicts).toEqual(['Partial: 0 of 3 trials finished; run the same command again to continue.', 'No trial has finished yet.']);
  });
});

describe('the stop rule of a plan', () => {
  it('says which setting mattered as far as the importances can: whose they are, what they leave out, and that few trials rank nothing', () => {
    const recs = [trial(4, 1, [run(1.0), run(1.02)]), trial(4, 2, [run(2), run(2.1)]), trial(8, 1, [run(0.5), run(0.52)]), trial(8, 2, [run(0.6), run(0.7)], 'pruned')];
    // without importances (a sweep still running): no such verdict
    expect(summarise(plan, recs, { total: 4, complete: true }).verdicts.join('\n')).not.toMatch(/importance|explains/i);
    // Optuna's fANOVA is fitted within each grid point: the grid's width is not among them, and the groups compare it
    const optuna = summarise(plan, recs, { total: 4, complete: true, importances: { source: 'optuna', values: { 'train.momentum': 0.25, 'train.lr': 0.75 } } });
    expect(optuna.verdicts.at(-1)).toBe(
      "Importances (Optuna's fANOVA within each grid point, averaged over the points; 1 to 2 finished trials a grid point): train.lr 0.75, train.momentum 0.25. width is a grid axis, not among them: the best of each group above compares its values. From fewer than 10 finished trials a grid point they are a rough guide, not a ranking of the settings.",
    );
    // the η² stand-in says it is one, over the trials it pooled
    const eta = summarise(plan, recs, { total: 4, complete: true, importances: { source: 'eta-squared', values: { width: 0.9, 'train.lr': 0.1 } } });
    expect(eta.verdicts.at(-1)).toBe("Share of the objective's variance each setting explains alone (η², not Optuna's importances: interactions ignored; 3 finished trials): width 0.90, train.lr 0.10. From 3 finished trials they are a rough guide, not a ranking of the settings.");
    // enough trials a point: the importances stand without the caveat
    const many = Array.from({ length: 10 }, (_, i) => [trial(4, i + 1, [run(1 + i / 10), run(1.01 + i / 10)]), trial(8, i + 1, [run(0.5 + i / 10), run(0.51 + i / 10)])]).flat();
    expect(summarise(plan, many, { total: 20, complete: true, importances: { source: 'optuna', values: { 'train.lr': 1 } } }).verdicts.at(-1)).toMatch(/; 10 finished trials a grid point\): train\.lr 1\.00\. width is a grid axis, not among them: the best of each group above compares its values\.$/);
  });

  it('what the plan leaves out does not stop a run: only the cap', () => {
    expect(planRule(tinyPlan('/x', { stop: { maxEpochs: 9 } }))).toEqual({ maxEpochs: 9, targetLoss: -Infinity, patience: 0, minImprovement: 0 });
    expect(planRule(tinyPlan('/x', { stop: { maxEpochs: 300, targetLoss: 1e-4, patience: 5, minImprovement: 0.01 } }))).toEqual({ maxEpochs: 300, targetLoss: 1e-4, patience: 5, minImprovement: 0.01 });
  });
});

describe('sweep.md states the stop rule as the plan has it', () => {
  it('a patience with no minimum improvement reads "without improvement", not "without 0% improvement"', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeResults } = await import('../../src/experiment/results.js');
    const out = mkdtempSync(join(tmpdir(), 'hwy-results-'));
    const md = (stop: { maxEpochs: number; patience?: number; minImprovement?: number }) => {
      writeResults(out, tinyPlan(join(out, 'tiny.hwy'), { stop }), [], { total: 0, complete: false });
      return readFileSync(join(out, 'sweep.md'), 'utf8');
    };
    expect(md({ maxEpochs: 3, patience: 2 })).toContain('A run stops at 2 epochs without improvement of its best training loss, or at the cap of 3 epochs');
    expect(md({ maxEpochs: 3, patience: 2, minImprovement: 0.01 })).toContain('2 epochs without 1% improvement of its best training loss');
  });
});
