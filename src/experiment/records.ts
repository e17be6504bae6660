/**
 * What a sweep directory records of a finished trial (trials/NAME.json), and the objective
 * read off a run's metrics. Pure: results, figures and the runner share them.
 */
import type { MetricsLine } from '../backends/engine.js';
import type { GridPoint, Objective, ObjectiveMetric, ParamValue } from '../ir/experiment.js';
import type { StopReason, StopRule } from '../analysis/sweep-protocol.js';
import type { ExperimentPlan } from '../ir/experiment.js';

/**
 * How a run (and a trial) ended. done: it converged (the target loss, or its loss stopped
 * falling); capped: it reached the epoch cap still falling, so how low it would go is not
 * known; pruned: the search stopped it; diverged: a non-finite loss; interrupted: stopped by
 * the user before it finished (not recorded: the sweep continues it).
 */
export type RunStatus = 'done' | 'capped' | 'pruned' | 'diverged' | 'interrupted';

export interface RunResult {
  seed: number;
  /** The run directory, relative to the sweep directory. */
  run: string;
  status: RunStatus;
  stopped?: StopReason;
  epochs: number;
  /** The run's objective (final or best epoch, as the plan says); NaN when it has none. */
  objective: number;
  /** The epoch the objective was read at. */
  objectiveEpoch: number | null;
  finalLoss: number;
  finalAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** First epoch within 1.05x of the final training loss; null when the run did not converge (capped, diverged, at chance). */
  convergedEpoch: number | null;
  /** Its training accuracy never rose clearly above chance (at most 1.5x 1/classes): a flat curve, not a converged one. */
  atChance: boolean;
  classes: number;
  /** Training seconds over all epochs (the engine's measure). */
  seconds: number;
}

export interface TrialRecord {
  /** The trial's name in the sweep directory: its grid point and number. */
  name: string;
  /** The search's id of the trial. */
  id: number;
  trial?: number;
  point: GridPoint;
  /** The grid point's name: the group whose best trial the tables report. */
  group: string;
  /** The searched parameters that applied to its network. */
  params: Record<string, ParamValue>;
  /** interrupted: in this invocation's results only; its record is not written, so the sweep continues it. */
  status: RunStatus;
  /** Mean of the runs' objectives over the seeds (NaN when a run has none). */
  objective: number;
  /** Sample standard deviation over the seeds (0 with one seed: unknown, see `seeds.length`). */
  std: number;
  runs: RunResult[];
  /** The protocol it finished under: a record made under another one is not reused. */
  rule: StopRule;
  objectiveSpec: Objective;
  finishedAt: string;
  /** The machine and sweep directory its runs were trained in (each `run` is relative to that directory). */
  host?: string;
  sweepDir?: string;
}

/** A trial's record as JSON holds it (nulls for NaN read back as NaN), or undefined when it is not one. */
export function recordFromJson(value: unknown): TrialRecord | undefined {
  const rec = value as TrialRecord;
  if (!rec || typeof rec !== 'object' || typeof rec.name !== 'string' || !Array.isArray(rec.runs) || !rec.point || typeof rec.point !== 'object') return undefined;
  const num = (x: number | null) => x ?? NaN;
  rec.objective = num(rec.objective);
  for (const r of rec.runs) Object.assign(r, { objective: num(r.objective), finalLoss: num(r.finalLoss), finalAccuracy: num(r.finalAccuracy) });
  return rec;
}

const FIELD: Record<ObjectiveMetric, keyof MetricsLine> = { loss: 'loss', accuracy: 'accuracy', val_loss: 'valLoss', val_accuracy: 'valAccuracy' };

/** The objective's metric after each epoch (null where the epoch has none, such as validation metrics without a validation split). */
export function objectiveCurve(m: MetricsLine[], metric: ObjectiveMetric): (number | null)[] {
  return m.map((x) => {
    const v = x[FIELD[metric]];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });
}

/** The objective of a curve: its last epoch's value, or its best (by direction); NaN with the epoch null when there is none. */
export function objectiveOf(curve: (number | null)[], o: Objective): { value: number; epoch: number | null } {
  if (!curve.length) return { value: NaN, epoch: null };
  if (o.reduce === 'final') {
    const v = curve[curve.length - 1];
    return v === null ? { value: NaN, epoch: null } : { value: v, epoch: curve.length };
  }
  let best: { value: number; epoch: number | null } = { value: NaN, epoch: null };
  curve.forEach((v, i) => {
    if (v === null) return;
    if (best.epoch === null || better(v, best.value, o.direction)) best = { value: v, epoch: i + 1 };
  });
  return best;
}

/** a is better than b for this direction. */
export function better(a: number, b: number, direction: Objective['direction']): boolean {
  return direction === 'minimize' ? a < b : a > b;
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

// the paper sweep's rule too: one definition (src/analysis/sweep-protocol.ts)
export { atChance } from '../analysis/sweep-protocol.js';

/** A trial's status from its runs': the first of pruned, diverged, capped that any run has, else done. */
export function trialStatus(runs: RunStatus[]): TrialRecord['status'] {
  for (const s of ['pruned', 'diverged', 'capped'] as const) if (runs.includes(s)) return s;
  return 'done';
}

/**
 * The stop rule of a plan as stopReason takes it. What the plan leaves out does not stop a
 * run: no target loss, no patience (only the cap), and an improvement of any size counts.
 */
export function planRule(plan: ExperimentPlan): StopRule {
  const s = plan.stop;
  return { maxEpochs: s.maxEpochs, targetLoss: s.targetLoss ?? -Infinity, patience: s.patience ?? 0, minImprovement: s.minImprovement ?? 0 };
}
