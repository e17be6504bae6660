/**
 * From a checked plan to what trains: its grid points (every network at every combination
 * of the grid axes), the seed a trial draws its parameters from, and the run assignments of
 * a trial (one a seed). Pure functions of the plan, so that every worker of a sweep, and a
 * sweep started again, names the same points and trials the same way.
 */
import { createHash } from 'node:crypto';
import type { ExperimentPlan, GridAxis, GridPoint, ParamValue, RunAssignment, SearchParam } from '../ir/experiment.js';

/**
 * Which names a network defines as `let` constants (a constant a network lacks is not
 * varied there: the gate bias of a sweep of plain and highway networks is the highway
 * network's alone). Undefined: every name applies.
 */
export type HasConstant = (network: string, name: string) => boolean;

/**
 * Does a grid axis or searched parameter apply to a network? Where the plan lists the
 * networks it applies to (`networks`, from the language side), those; else a training
 * setting applies everywhere and a constant where the network defines it.
 */
export function appliesTo(item: GridAxis | SearchParam, network: string, has?: HasConstant): boolean {
  const listed = (item as { networks?: string[] }).networks;
  if (listed) return listed.includes(network);
  return item.target === 'setting' || !has || has(network, item.name);
}

/**
 * Every grid point, in the order they train: the grid's combinations with the first axis
 * outermost, every network at each (so a sweep stopped early has covered the networks
 * alike, as the paper sweep did: depth 10 plain, depth 10 highway, depth 20 plain, …).
 * A constant axis is left out of a network that does not define it, so that network is
 * not trained once a value of an axis it ignores.
 */
export function gridPoints(plan: ExperimentPlan, has?: HasConstant): GridPoint[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const axis of plan.grid) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.name]: v })));
  const out: GridPoint[] = [];
  const seen = new Set<string>();
  for (const c of combos)
    for (const n of plan.networks) {
      const values: Record<string, ParamValue> = {};
      for (const axis of plan.grid) if (appliesTo(axis, n.label, has)) values[axis.name] = c[axis.name];
      const key = `${n.label}\0${pointKey(plan, { network: n.label, values })}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ network: n.label, values });
    }
  return out;
}

/**
 * A grid point's values as one string, for trial seeds and names: the value alone when the
 * grid has one axis (figure 1's depth: '10'), else `name=value` pairs in the plan's order.
 */
export function pointKey(plan: ExperimentPlan, point: GridPoint): string {
  const axes = plan.grid.filter((a) => Object.hasOwn(point.values, a.name));
  if (plan.grid.length === 1) return axes.length ? String(point.values[axes[0].name]) : '';
  return axes.map((a) => `${a.name}=${point.values[a.name]}`).join(',');
}

/**
 * The seed trial `trial` (1-based) of a grid point draws its parameters from: the paper
 * sweep's `trialSeed(seed, kind, depth, trial)` (src/analysis/sweep.ts) with the network's
 * label as the kind and the point's key as the depth, so that figure 1 written as a sweep
 * draws the trials the paper sweep drew.
 */
export function trialDrawSeed(seed: number, network: string, key: string, trial: number): number {
  return createHash('sha256').update(`${seed}:${network}:${key}:${trial}`).digest().readUInt32LE(0);
}

/** A name safe in a file name: letters, digits, '.', '_' and '-' (a value such as -2 or 1e-3 stays readable). */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** A grid point's name in the sweep directory and the tables: 'highway-depth10', 'plain-depth10-train.optimizer_adam'. */
export function pointName(plan: ExperimentPlan, point: GridPoint): string {
  const parts = plan.grid.filter((a) => Object.hasOwn(point.values, a.name)).map((a) => `${slug(a.name.replace(/^train\./, ''))}${slug(String(point.values[a.name]))}`);
  return [slug(point.network), ...parts].join('-');
}

/** A grid point in words: 'highway, depth 10'. */
export function pointLabel(plan: ExperimentPlan, point: GridPoint): string {
  const parts = plan.grid.filter((a) => Object.hasOwn(point.values, a.name)).map((a) => `${a.name} ${point.values[a.name]}`);
  return [point.network, ...parts].join(', ');
}

/**
 * The training seed of a trial's run with seed `seed` of the plan. Under random search,
 * `seed + trial - 1`, so that the trials of a point start from different weights, as the
 * paper sweep's did (its trial t trained with seed t). A grid's combinations, and the trials
 * of a search that does not number them within a point, train with the seeds as written,
 * so that they compare from the same weights.
 */
export function runSeed(plan: ExperimentPlan, seed: number, trial: number | undefined): number {
  return plan.sampler === 'random' && trial !== undefined ? seed + trial - 1 : seed;
}

/**
 * The runs of one trial, one a seed of the plan: the grid point's values and the trial's
 * parameters, split into `let` constants (for compile's overrides) and training settings
 * (as `--set train.…` takes them). A constant the network does not define is left out.
 */
export function runAssignments(plan: ExperimentPlan, point: GridPoint, params: Record<string, ParamValue>, trial: number | undefined, has?: HasConstant): RunAssignment[] {
  const items = new Map<string, GridAxis | SearchParam>([...plan.grid.map((a) => [a.name, a] as const), ...plan.space.map((p) => [p.name, p] as const)]);
  const constants: Record<string, ParamValue> = {};
  const settings: { path: string; value: string }[] = [];
  for (const [name, value] of [...Object.entries(point.values), ...Object.entries(params)]) {
    const item = items.get(name);
    if (item && !appliesTo(item, point.network, has)) continue;
    if (item?.target === 'setting') settings.push({ path: name, value: String(value) });
    else constants[name] = value;
  }
  return plan.seeds.map((s) => ({ network: point.network, constants, settings, seed: runSeed(plan, s, trial) }));
}

/** The parameters of a trial that apply to its network (a searched constant the network lacks is dropped). */
export function applicableParams(plan: ExperimentPlan, network: string, params: Record<string, ParamValue>, has?: HasConstant): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of plan.space) if (Object.hasOwn(params, p.name) && appliesTo(p, network, has)) out[p.name] = params[p.name];
  return out;
}

/** The most runs a plan trains: grid points x trials x seeds. */
export function plannedRuns(plan: ExperimentPlan, has?: HasConstant): { points: number; trials: number; runs: number } {
  const points = gridPoints(plan, has).length;
  return { points, trials: points * plan.trials, runs: points * plan.trials * plan.seeds.length };
}
