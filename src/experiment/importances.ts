/**
 * What a sweep's importances may say: the settings it varies, and the share of the
 * objective's variance each explains alone (η², the stand-in where the search computes no
 * importances of its own). A setting is judged only when its values (or quartiles) have at
 * least two trials each on average: with one trial a value, η² is 1 by construction, whatever
 * the setting does. Shared by the figures (which leave such settings out) and sweep.md
 * (which says why).
 */
import type { ExperimentPlan, ParamValue } from '../ir/experiment.js';
import type { TrialRecord } from './records.js';

/** A searched or gridded name and how its values lie: numbers (log scale for log-uniform draws) or names. */
export interface Axis {
  name: string;
  kind: 'number' | 'log' | 'name';
  /** A name's values in the plan's order. */
  names?: string[];
  /** A number's range as the plan gives it (a distribution's ends, a grid's extremes). */
  range?: [number, number];
  /** Whole numbers only. */
  whole?: boolean;
  /** Every value it can take, when they are few (a grid's, a small int range's): each labelled on its axis. */
  values?: number[];
}

/** At most this many values of a number axis are each labelled; more, and only its ends are. */
const LABELLED_VALUES = 8;

/** The settings a sweep varies: its space, then the grid axes with more than one value. */
export function variedAxes(plan: ExperimentPlan): Axis[] {
  const out: Axis[] = [];
  for (const p of plan.space) {
    if (p.dist.type === 'choice') {
      const numeric = p.dist.choices.every((c) => typeof c === 'number');
      out.push(numeric ? numberAxis(p.name, p.dist.choices as number[]) : { name: p.name, kind: 'name', names: p.dist.choices.map(String) });
    } else if (p.dist.type === 'int') {
      const { low, high } = p.dist;
      const step = p.dist.step ?? 1;
      const n = Math.floor((high - low) / step) + 1;
      out.push({ name: p.name, kind: 'number', range: [low, high], whole: true, ...(n <= LABELLED_VALUES ? { values: Array.from({ length: n }, (_, i) => low + i * step) } : {}) });
    } else out.push({ name: p.name, kind: p.dist.type === 'loguniform' ? 'log' : 'number', range: [p.dist.low, p.dist.high], whole: false });
  }
  for (const a of plan.grid) {
    if (a.values.length < 2) continue;
    const numeric = a.values.every((v) => typeof v === 'number');
    out.push(numeric ? numberAxis(a.name, a.values as number[]) : { name: a.name, kind: 'name', names: a.values.map(String) });
  }
  if (plan.networks.length > 1) out.push({ name: 'network', kind: 'name', names: plan.networks.map((n) => n.label) });
  return out;
}

function numberAxis(name: string, values: number[]): Axis {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  return { name, kind: 'number', range: [distinct[0], distinct[distinct.length - 1]], whole: values.every(Number.isInteger), ...(distinct.length <= LABELLED_VALUES ? { values: distinct } : {}) };
}

export function valueOf(r: TrialRecord, name: string): ParamValue | undefined {
  if (name === 'network') return r.point.network;
  return Object.hasOwn(r.params, name) ? r.params[name] : r.point.values[name];
}

export const ranked = (r: TrialRecord) => (r.status === 'done' || r.status === 'capped') && Number.isFinite(r.objective);

/** Is the objective a loss whose values span enough to want a log scale (all positive, over 10x)? */
export function logObjective(plan: ExperimentPlan, values: number[]): boolean {
  const pos = values.filter((v) => v > 0);
  return plan.objective.metric.endsWith('loss') && pos.length === values.length && pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 10;
}

/** Trials a group of a setting's values needs on average for η² to say anything (one each: 1 by construction). */
export const MIN_TRIALS_A_GROUP = 2;

interface SettingGroups {
  name: string;
  /** Finished trials with a value of the setting. */
  trials: number;
  /** Its distinct values, or quartiles of a number with more than four. */
  groups: number;
  key: (r: TrialRecord) => string;
  have: TrialRecord[];
}

function settingGroups(plan: ExperimentPlan, rs: TrialRecord[]): SettingGroups[] {
  return variedAxes(plan).map((a) => {
    const have = rs.filter((r) => valueOf(r, a.name) !== undefined);
    let key: (r: TrialRecord) => string;
    const distinct = new Set(have.map((r) => String(valueOf(r, a.name))));
    if (a.kind === 'name' || distinct.size <= 4) key = (r) => String(valueOf(r, a.name));
    else {
      const sorted = have.map((r) => valueOf(r, a.name) as number).sort((p, q) => p - q);
      const cut = [1, 2, 3].map((q) => sorted[Math.floor((q * sorted.length) / 4)]);
      key = (r) => String(cut.filter((c) => (valueOf(r, a.name) as number) >= c).length);
    }
    return { name: a.name, trials: have.length, groups: new Set(have.map(key)).size, key, have };
  });
}

/** The varied settings the finished trials can judge, and those they cannot (with how many trials over how many groups). */
export function judgedSettings(plan: ExperimentPlan, records: TrialRecord[]): { judged: string[]; thin: { name: string; trials: number; groups: number }[] } {
  const all = settingGroups(plan, records.filter(ranked));
  const ok = (g: SettingGroups) => g.trials >= 3 && g.groups >= 2 && g.trials >= MIN_TRIALS_A_GROUP * g.groups;
  return { judged: all.filter(ok).map((g) => g.name), thin: all.filter((g) => !ok(g)).map(({ name, trials, groups }) => ({ name, trials, groups })) };
}

/**
 * Without the search's importances: the share of the objective's variance (of its log10 for
 * a loss over orders of magnitude) that each setting explains alone, η² = between-value
 * sum of squares / total, numbers binned into quartiles. Not Optuna's fANOVA: it ignores
 * interactions. Only the settings the trials can judge (judgedSettings).
 */
export function spreadImportances(plan: ExperimentPlan, records: TrialRecord[]): Record<string, number> {
  const rs = records.filter(ranked);
  const log = logObjective(plan, rs.map((r) => r.objective));
  const y = (r: TrialRecord) => (log ? Math.log10(r.objective) : r.objective);
  const judged = new Set(judgedSettings(plan, records).judged);
  const out: Record<string, number> = {};
  for (const g of settingGroups(plan, rs)) {
    if (!judged.has(g.name)) continue;
    const ys = g.have.map(y);
    const m = ys.reduce((s, v) => s + v, 0) / ys.length;
    const total = ys.reduce((s, v) => s + (v - m) ** 2, 0);
    if (!(total > 0)) continue;
    const groups = new Map<string, number[]>();
    for (const r of g.have) groups.set(g.key(r), [...(groups.get(g.key(r)) ?? []), y(r)]);
    let between = 0;
    for (const v of groups.values()) between += v.length * ((v.reduce((s, x) => s + x, 0) / v.length) - m) ** 2;
    out[g.name] = between / total;
  }
  return out;
}

/** What sweep.md says of the settings left out of the importances, or undefined when none is. */
export function importancesNote(plan: ExperimentPlan, records: TrialRecord[]): string | undefined {
  const { judged, thin } = judgedSettings(plan, records);
  if (!thin.length || !records.some(ranked)) return undefined;
  const list = thin.map((t) => `${t.name} (${t.trials} trial${t.trials === 1 ? '' : 's'} over ${t.groups} value${t.groups === 1 ? '' : 's'} or quartile${t.groups === 1 ? '' : 's'})`).join(', ');
  const why = `too few finished trials to tell what ${thin.length === 1 ? 'it explains' : 'they explain'}: with one trial a value, the share of variance it explains is 1 whatever it does (at least ${MIN_TRIALS_A_GROUP} trials a value are needed)`;
  return judged.length ? `Importances leave out ${list}: ${why}.` : `No importances figure: ${list}; ${why}.`;
}
