/**
 * Grid search in-process: every combination of the space's values at each grid point, in
 * order (the first parameter outermost), one a trial. Only choices and whole-number ranges
 * have a finite set of values; a continuous distribution under the grid sampler is refused
 * by name. It never prunes: pruning needs Optuna.
 */
import type { Distribution, ExperimentPlan, GridPoint, ParamValue } from '../ir/experiment.js';
import type { Search, TrialTicket } from './search.js';
import { TrialCounter } from './random.js';

export class GridSearchError extends Error {}

/** The values a distribution takes on a grid, or undefined when it has no finite set. */
export function gridValues(d: Distribution): ParamValue[] | undefined {
  if (d.type === 'choice') return d.choices;
  if (d.type === 'int') {
    const out: number[] = [];
    for (let v = d.low; v <= d.high; v += d.step) out.push(v);
    return out;
  }
  return undefined;
}

/** Every combination of the space's values, the first parameter outermost; [{}] for an empty space. */
export function spaceCombinations(plan: ExperimentPlan): Record<string, ParamValue>[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const p of plan.space) {
    const values = gridValues(p.dist);
    if (!values) throw new GridSearchError(`the grid sampler needs a finite set of values: '${p.name}' is ${p.dist.type} from ${'low' in p.dist ? p.dist.low : '?'} to ${'high' in p.dist ? p.dist.high : '?'}; give it as a choice or an integer range, or use the random or tpe sampler`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [p.name]: v })));
  }
  return combos;
}

/** Trials a grid point gets: every combination, or the first `plan.trials` of them when it asks for fewer. */
export function gridTrials(plan: ExperimentPlan): { combinations: number; trials: number } {
  const combinations = spaceCombinations(plan).length;
  return { combinations, trials: Math.min(combinations, Math.max(1, plan.trials)) };
}

export function gridSearch(plan: ExperimentPlan): Search {
  const combos = spaceCombinations(plan);
  const { trials } = gridTrials(plan);
  const counter = new TrialCounter(plan);
  return {
    async ask(point: GridPoint): Promise<TrialTicket | null> {
      const t = counter.take(point, trials);
      return t && { id: t.id, point, params: { ...combos[t.trial - 1] }, trial: t.trial };
    },
    async report() {
      return false;
    },
    async tell() {},
    async close() {},
  };
}
