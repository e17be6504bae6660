/**
 * Which search runs a plan: grid and random search in-process (no Python, either engine),
 * anything that needs Optuna (the tpe sampler, a pruner, a storage shared between
 * processes) through Optuna's ask-and-tell. What needs Optuna and cannot have it is
 * refused by name, never replaced by something else.
 */
import type { ExperimentPlan } from '../ir/experiment.js';
import type { Search } from './search.js';
import { randomSearch } from './random.js';
import { gridSearch, GridSearchError } from './grid.js';

export class SearchChoiceError extends Error {}

export interface SearchChoice {
  /** An Optuna storage URL (sqlite:///…, postgresql://…, mysql://…). */
  storage?: string;
  /** The sweep directory (Optuna's default storage is a SQLite file there). */
  dir: string;
}

/** What of the plan (or the options) needs Optuna, in words ('the tpe sampler'), or undefined when an in-process search runs it. */
export function needsOptuna(plan: ExperimentPlan, o: { storage?: string } = {}): string | undefined {
  if (plan.sampler === 'tpe') return 'the tpe sampler';
  if (plan.pruner !== 'none') return `the ${plan.pruner.replace('_', ' ')} pruner`;
  if (o.storage !== undefined) return `a shared storage (--storage ${o.storage})`;
  return undefined;
}

/**
 * The Optuna search, where this build has it. The Optuna side (src/experiment/optuna.ts,
 * `optunaSearch`) plugs in here: `return (await import('./optuna.js')).optunaSearch(plan, o)`.
 */
async function optunaSearch(plan: ExperimentPlan, o: SearchChoice, why: string): Promise<Search> {
  void plan;
  void o;
  throw new SearchChoiceError(`${why} needs Optuna, which this build of hwy does not include; use the random or grid sampler with no pruner and no --storage`);
}

/** The search that runs this plan. */
export async function searchFor(plan: ExperimentPlan, o: SearchChoice): Promise<Search> {
  const why = needsOptuna(plan, o);
  if (why) return optunaSearch(plan, o, why);
  try {
    return plan.sampler === 'grid' ? gridSearch(plan) : randomSearch(plan);
  } catch (e) {
    if (e instanceof GridSearchError) throw new SearchChoiceError(e.message);
    throw e;
  }
}

/**
 * Parameter importances from the search, where it computes them (Optuna's, as an
 * `importances()` method of its Search); undefined otherwise, and the figures draw the η²
 * stand-in, labelled as such. An Optuna module exporting importances as a function of its
 * own instead plugs in here.
 */
export async function searchImportances(search: Search): Promise<Record<string, number> | undefined> {
  const s = search as Search & { importances?: () => Promise<Record<string, number>> };
  return typeof s.importances === 'function' ? s.importances() : undefined;
}
