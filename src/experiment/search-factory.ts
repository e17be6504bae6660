/**
 * Which search runs a plan: grid and random search in-process (no Python, either engine),
 * anything that needs Optuna (the tpe sampler, a pruner, a storage shared between
 * processes) through Optuna's ask-and-tell. What needs Optuna and cannot have it is
 * refused by name, never replaced by something else.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { ExperimentPlan } from '../ir/experiment.js';
import type { Search, SharedRecord } from './search.js';
import { recordFromJson } from './records.js';
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
 * Optuna's search, as the runner drives it: a ticket's `trial` is its number in its grid
 * point's study (1-based), and a trial that takes over an interrupted one keeps that one's
 * number (its slot's, through any number of takeovers), so its runs continue in the same run
 * directories from their checkpoints. Each trial records the machine and sweep directory it
 * was trained in, and the runner's record of it: the results list every trial of the study
 * once, whichever worker trained it, and name where its runs live.
 */
async function optunaSearch(plan: ExperimentPlan, o: SearchChoice): Promise<Search> {
  const { OptunaError, optunaSearch: open } = await import('./optuna.js');
  let inner: Awaited<ReturnType<typeof open>>;
  try {
    // the default storage is a SQLite file in the sweep directory, made here once Optuna is known to be there
    inner = await open(plan, { sweepDir: o.dir, storage: o.storage, where: { host: hostname(), dir: resolve(o.dir) }, beforeStorage: o.storage === undefined ? () => mkdirSync(o.dir, { recursive: true }) : undefined });
  } catch (e) {
    if (e instanceof OptunaError) throw new SearchChoiceError(e.message);
    throw e;
  }
  type Inner = Awaited<ReturnType<typeof inner.ask>>;
  return {
    async ask(point) {
      const t = await inner.ask(point);
      if (!t) return null;
      const o = t as Inner & { slot: number };
      return { ...t, trial: o.slot + 1 };
    },
    report: (t, step, value) => inner.report(t, step, value),
    tell: (t, end, record) => inner.tell(t, end, record),
    async records(): Promise<SharedRecord[]> {
      const out: SharedRecord[] = [];
      for (const s of await inner.storedRecords()) {
        const record = recordFromJson(s.record);
        if (record) out.push({ record, host: s.host ?? undefined, dir: s.dir ?? undefined });
      }
      return out;
    },
    close: () => inner.close(),
    // fANOVA within each grid point, averaged over the points (weighted by their completed trials)
    async importances() {
      const per = await inner.importances();
      const sum: Record<string, number> = {};
      let weight = 0;
      for (const p of per) {
        if (!p.importances) continue;
        weight += p.complete;
        for (const [k, v] of Object.entries(p.importances)) sum[k] = (sum[k] ?? 0) + v * p.complete;
      }
      return weight ? Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v / weight])) : undefined;
    },
  } as Search & { importances(): Promise<Record<string, number> | undefined> };
}

/** The search that runs this plan. */
export async function searchFor(plan: ExperimentPlan, o: SearchChoice): Promise<Search> {
  const why = needsOptuna(plan, o);
  if (why) return optunaSearch(plan, o);
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
  if (typeof s.importances !== 'function') return undefined;
  try {
    return await s.importances();
  } catch {
    // Optuna's importances need scikit-learn: without it the figure draws the stand-in, which it labels as such
    return undefined;
  }
}
