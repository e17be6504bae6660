/**
 * Random search in-process, with no Python: each trial draws the plan's space parameters,
 * in the plan's order, one uniform number each, from mulberry32 seeded by the trial's draw
 * seed (points.ts). Figure 1 written as a sweep (networks `plain` and `highway`, grid depth
 * 10/20/50/100, the paper's space in the paper's order) draws exactly the trials of the
 * paper sweep's `sampleTrial(trialSeed(…))`. It never prunes: pruning needs Optuna.
 */
import type { Distribution, ExperimentPlan, GridPoint, ParamValue } from '../ir/experiment.js';
import { rng } from '../data/dataset.js';
import type { Search, TrialTicket } from './search.js';
import { appliesTo, pointKey, trialDrawSeed } from './points.js';

/**
 * A range's width as its ends are written in decimal: 1 - 0.8 is 0.19999999999999996 in
 * binary, and the paper sweep draws 0.8 + 0.2r; fifteen significant digits are exact for
 * any width written with fewer.
 */
export function width(low: number, high: number): number {
  return Number((high - low).toPrecision(15));
}

/** One parameter's value from one uniform number r in [0, 1). */
export function drawParam(d: Distribution, r: number): ParamValue {
  switch (d.type) {
    case 'uniform':
      return d.low + width(d.low, d.high) * r;
    case 'loguniform': {
      const lo = Math.log10(d.low);
      return 10 ** (lo + width(lo, Math.log10(d.high)) * r);
    }
    case 'int':
      return d.low + d.step * Math.floor(r * (Math.floor((d.high - d.low) / d.step) + 1));
    case 'choice':
      return d.choices[Math.floor(r * d.choices.length)];
  }
}

/**
 * The parameters of trial `trial` (1-based) at a grid point. A parameter the plan lists
 * for other networks only is not drawn (the paper's plain networks draw no gate bias); one
 * without a list is drawn, and the runner leaves it out where the network lacks it.
 */
export function drawTrial(plan: ExperimentPlan, point: GridPoint, trial: number): Record<string, ParamValue> {
  const r = rng(trialDrawSeed(plan.seed, point.network, pointKey(plan, point), trial));
  const params: Record<string, ParamValue> = {};
  for (const p of plan.space) if (appliesTo(p, point.network)) params[p.name] = drawParam(p.dist, r());
  return params;
}

/** Counts the trials asked at each grid point, and numbers tickets in the order asked. */
export class TrialCounter {
  private asked = new Map<string, number>();
  private next = 0;
  constructor(private plan: ExperimentPlan) {}
  /** The next trial number (1-based) at this point and the ticket id, or null past `limit`. */
  take(point: GridPoint, limit: number): { trial: number; id: number } | null {
    const key = `${point.network}\0${pointKey(this.plan, point)}`;
    const trial = (this.asked.get(key) ?? 0) + 1;
    if (trial > limit) return null;
    this.asked.set(key, trial);
    return { trial, id: this.next++ };
  }
}

export function randomSearch(plan: ExperimentPlan): Search {
  const counter = new TrialCounter(plan);
  return {
    async ask(point: GridPoint): Promise<TrialTicket | null> {
      const t = counter.take(point, plan.trials);
      return t && { id: t.id, point, params: drawTrial(plan, point, t.trial), trial: t.trial };
    },
    async report() {
      return false;
    },
    async tell() {},
    async close() {},
  };
}
