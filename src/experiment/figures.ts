/**
 * A sweep's figures, vega-lite rendered to SVG and PNG as the analysis figures are
 * (src/analysis/figures.ts `writeFigure`: the data and the .vl.json spec saved beside):
 * the objective against each searched setting, parallel coordinates of every trial, the
 * best trial's curves of each group with a band over its seeds, and parameter importances
 * (the search's own, Optuna's, where it computes them; else the share of the objective's
 * variance each setting explains alone, labelled as such).
 */
import { join } from 'node:path';
import type { ExperimentPlan, ParamValue } from '../ir/experiment.js';
import { writeFigure } from '../analysis/figures.js';
import { readMetrics } from '../run/run-dir.js';
import { objectiveCurve, type TrialRecord } from './records.js';
import { summarise } from './results.js';
import { judgedSettings, logObjective, ranked, spreadImportances, valueOf, variedAxes } from './importances.js';

export { spreadImportances, variedAxes } from './importances.js';

type Spec = Record<string, unknown>;

function objectiveTitle(plan: ExperimentPlan, log: boolean): string {
  return `${plan.objective.reduce} ${plan.objective.metric}, mean over seeds${log ? ' (log scale)' : ''}`;
}

/** The objective of every finished trial against each varied setting, one panel a setting. */
export function objectiveVsSettings(plan: ExperimentPlan, records: TrialRecord[]): Spec {
  const rs = records.filter(ranked);
  const log = logObjective(plan, rs.map((r) => r.objective));
  const panels = variedAxes(plan)
    .filter((a) => a.name !== 'network')
    .map((a) => {
      const values = rs.filter((r) => valueOf(r, a.name) !== undefined).map((r) => ({ value: valueOf(r, a.name), objective: r.objective, group: r.point.network, status: r.status, trial: r.name }));
      return {
        title: a.name,
        width: 200,
        height: 160,
        data: { values },
        mark: { type: 'point', filled: true, size: 40, opacity: 0.8 },
        encoding: {
          // a number's axis spans the range searched, so where the trials fell in it shows
          x:
            a.kind === 'name'
              ? { field: 'value', type: 'nominal', title: a.name, sort: a.names, axis: { labelAngle: 0 } }
              : { field: 'value', type: 'quantitative', title: a.name, scale: { ...(a.kind === 'log' ? { type: 'log' } : { type: 'linear', zero: false }), nice: false, domain: a.range, padding: 8 }, axis: a.whole ? { format: 'd', tickMinStep: 1 } : {} },
          y: { field: 'objective', type: 'quantitative', title: objectiveTitle(plan, log), scale: log ? { type: 'log' } : { zero: false } },
          color: { field: 'group', type: 'nominal', title: 'network', scale: { domain: plan.networks.map((n) => n.label), scheme: 'category10' }, legend: plan.networks.length > 1 ? {} : null },
          shape: { field: 'status', type: 'nominal', title: 'status', scale: { domain: ['done', 'capped'], range: ['circle', 'triangle-up'] } },
          tooltip: [{ field: 'trial' }, { field: 'value' }, { field: 'objective' }],
        },
      };
    });
  return {
    title: { anchor: 'start', text: `Sweep ${plan.name}: the objective against each setting`, subtitle: `one point a finished trial (triangles: reached the epoch cap); ${plan.objective.direction === 'minimize' ? 'lower' : 'higher'} is better` },
    columns: 3,
    concat: panels.length ? panels : [{ mark: 'text', data: { values: [{ t: 'nothing is searched' }] }, encoding: { text: { field: 't' } } }],
  };
}

/** Every finished trial as a line across the varied settings (each scaled to its range), coloured by its objective. */
export function parallelCoordinates(plan: ExperimentPlan, records: TrialRecord[]): Spec {
  const rs = records.filter(ranked);
  const axes = variedAxes(plan);
  const rows: Record<string, unknown>[] = [];
  const ends: Record<string, unknown>[] = [];
  for (const a of axes) {
    const vs = rs.map((r) => valueOf(r, a.name)).filter((v): v is ParamValue => v !== undefined);
    const t = (v: number) => (a.kind === 'log' ? Math.log10(v) : v);
    const nums = vs.filter((v): v is number => typeof v === 'number').map(t);
    // the range searched where the plan gives one, else the values'
    const lo = a.range ? t(a.range[0]) : Math.min(...nums);
    const hi = a.range ? t(a.range[1]) : Math.max(...nums);
    const pos = (v: ParamValue): number => {
      if (a.kind === 'name') {
        const i = a.names!.indexOf(String(v));
        return a.names!.length > 1 ? i / (a.names!.length - 1) : 0.5;
      }
      const x = a.kind === 'log' ? Math.log10(v as number) : (v as number);
      return hi > lo ? (x - lo) / (hi - lo) : 0.5;
    };
    for (const r of rs) {
      const v = valueOf(r, a.name);
      if (v !== undefined) rows.push({ trial: r.name, axis: a.name, pos: pos(v), value: String(v), objective: r.objective });
    }
    // each axis's ends, written at its top and bottom
    const show = (x: number) => String(Number((a.kind === 'log' ? 10 ** x : x).toPrecision(3)));
    if (a.kind === 'name') a.names!.forEach((n) => ends.push({ axis: a.name, pos: pos(n), label: n }));
    else if (a.values) a.values.forEach((v) => ends.push({ axis: a.name, pos: pos(v), label: show(t(v)) }));
    else if (nums.length) {
      ends.push({ axis: a.name, pos: hi > lo ? 0 : 0.5, label: show(lo) });
      if (hi > lo) ends.push({ axis: a.name, pos: 1, label: show(hi) });
    }
  }
  const log = logObjective(plan, rs.map((r) => r.objective));
  const order = axes.map((a) => a.name);
  return {
    title: { anchor: 'start', text: `Sweep ${plan.name}: parallel coordinates`, subtitle: [`one line a finished trial; each axis spans the range searched${axes.some((a) => a.kind === 'log') ? ' (log-uniform: log scale)' : ''}`] },
    width: Math.max(300, 120 * axes.length),
    height: 260,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', opacity: 0.7, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'axis', type: 'nominal', sort: order, title: null, axis: { labelAngle: 0, orient: 'bottom', domain: false, ticks: false, labelFontSize: 11, labelPadding: 20 } },
          y: { field: 'pos', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
          detail: { field: 'trial' },
          color: { field: 'objective', type: 'quantitative', title: `${plan.objective.reduce} ${plan.objective.metric}${log ? ' (log)' : ''}`, scale: { type: log ? 'log' : 'linear', scheme: 'viridis', reverse: plan.objective.direction === 'minimize' }, legend: { titleLimit: 300, orient: 'right' } },
        },
      },
      { data: { values: axes.map((a) => ({ axis: a.name })) }, mark: { type: 'rule', color: '#999' }, encoding: { x: { field: 'axis', type: 'nominal', sort: order } } },
      // an axis's ends above and below it, where no line runs: written beside the axis, a
      // line leaving an end level with it struck through the label, and "-1" read as "1"
      ...(
        [
          ['top', { align: 'center', baseline: 'bottom', dy: -4 }],
          ['bottom', { align: 'center', baseline: 'top', dy: 4 }],
          // the first axis has no lines on its left: its values go there
          ['first', { align: 'right', baseline: 'middle', dx: -5 }],
          ['middle', { align: 'left', baseline: 'bottom', dx: 4, dy: -2 }],
        ] as const
      )
        .map(([at, place]) => ({ at, place, values: ends.filter((e) => endPlace(e.pos as number, e.axis === order[0]) === at) }))
        .filter((l) => l.values.length)
        // each label over a white halo of itself, so that a line crossing a value's label does not hide it
        .flatMap((l) =>
          [{ color: 'white', stroke: 'white', strokeWidth: 4, strokeJoin: 'round' }, { color: '#333' }].map((paint) => ({ data: { values: l.values }, mark: { type: 'text', ...l.place, fontSize: 10, ...paint }, encoding: { x: { field: 'axis', type: 'nominal', sort: order }, y: { field: 'pos', type: 'quantitative' }, text: { field: 'label' } } })),
        ),
    ],
  };
}

/** Where an axis's label goes: above its top, below its bottom, or beside a value between (left of the first axis, where no line runs). */
function endPlace(pos: number, first: boolean): 'top' | 'bottom' | 'first' | 'middle' {
  return pos >= 1 ? 'top' : pos <= 0 ? 'bottom' : first ? 'first' : 'middle';
}

/** The objective's metric per epoch of each group's best trial: the mean over its seeds, and a band from the lowest to the highest seed. */
export function bestCurves(plan: ExperimentPlan, curves: { group: string; epoch: number; seed: number; value: number }[]): Spec {
  const pos = curves.map((c) => c.value).filter((v) => v > 0);
  const log = plan.objective.metric.endsWith('loss') && pos.length === curves.length && pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 10;
  const seeds = new Set(curves.map((c) => c.seed)).size;
  return {
    title: { anchor: 'start', text: `Sweep ${plan.name}: the best trial of each group`, subtitle: `${plan.objective.metric} per epoch, mean over ${seeds > 1 ? `its seeds, the band from the lowest to the highest seed` : 'its one seed (no band: one seed a trial)'}` },
    width: 480,
    height: 300,
    data: { values: curves },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      color: { field: 'group', type: 'nominal', title: 'group', scale: { scheme: 'category10' } },
    },
    layer: [
      { mark: { type: 'errorband', extent: 'min-max', opacity: 0.25 }, encoding: { y: { field: 'value', type: 'quantitative', title: `${plan.objective.metric}${log ? ' (log scale)' : ''}`, scale: log ? { type: 'log' } : { zero: false } } } },
      { mark: { type: 'line', point: { size: 16 } }, encoding: { y: { aggregate: 'mean', field: 'value', type: 'quantitative' } } },
    ],
  };
}

export function importanceChart(plan: ExperimentPlan, values: Record<string, number>, source: 'search' | 'spread', logY = false, trials?: number): Spec {
  // Optuna's importances are fitted within each grid point's study: the grid's axes are not among them
  const grid = plan.grid.filter((a) => a.values.length > 1 && !Object.hasOwn(values, a.name)).map((a) => a.name);
  const rows = Object.entries(values).map(([setting, importance]) => ({ setting, importance }));
  return {
    title: {
      anchor: 'start',
      text: `Sweep ${plan.name}: ${source === 'search' ? 'parameter importances (Optuna)' : 'how much each setting alone explains'}`,
      // short lines: the figure is as wide as its longest line, and the bars are 360 wide
      subtitle:
        source === 'search'
          ? ["Optuna's importance evaluator within each grid point,", `averaged over the points${trials !== undefined ? ` (${trials} finished trials in all)` : ''}`, ...(grid.length ? [`${grid.join(', ')}: the grid, not among them`, '(each point its own study): sweep.md compares the groups'] : [])]
          : [`the share of the variance of the objective${logY ? ' (of its log10)' : ''}`, 'between trials that each setting explains alone', `(η², numbers in quartiles${trials !== undefined ? `, over ${trials} finished trials` : ''});`, "not Optuna's importances: interactions are ignored"],
    },
    width: 360,
    height: Math.max(60, 24 * rows.length),
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'setting', type: 'nominal', sort: '-x', title: null },
      x: { field: 'importance', type: 'quantitative', title: source === 'search' ? 'importance' : 'η² (share of variance)', scale: { domain: [0, source === 'search' ? Math.max(1e-9, ...rows.map((r) => r.importance)) : 1] } },
    },
  };
}

/** Draws every figure of a sweep into its directory; returns the files written (relative to it). */
export async function writeFigures(out: string, plan: ExperimentPlan, records: TrialRecord[], o: { importances?: Record<string, number> } = {}): Promise<string[]> {
  const files: string[] = [];
  const write = async (name: string, spec: Spec, data: unknown) => {
    await writeFigure(join(out, name), spec, data);
    files.push(...['svg', 'png', 'json', 'vl.json'].map((e) => `${name}.${e}`));
  };
  const rs = records.filter(ranked);
  if (!rs.length) return files;
  if (variedAxes(plan).some((a) => a.name !== 'network')) {
    await write('objective', objectiveVsSettings(plan, records), rs.map((r) => ({ trial: r.name, params: r.params, point: r.point, objective: r.objective })));
    await write('parallel', parallelCoordinates(plan, records), rs.map((r) => ({ trial: r.name, params: r.params, point: r.point, objective: r.objective })));
  }
  const s = summarise(plan, records, { total: records.length, complete: true });
  const curves = s.groups.flatMap((g) =>
    g.best
      ? g.best.runs.flatMap((run) =>
          objectiveCurve(readMetrics(join(out, run.run)), plan.objective.metric).flatMap((v, i) => (v === null ? [] : [{ group: g.group, epoch: i + 1, seed: run.seed, value: v }])),
        )
      : [],
  );
  if (curves.length) await write('curves', bestCurves(plan, curves), curves);
  // only the settings the trials can judge, whoever computed the importances (sweep.md names the others)
  const judged = new Set(judgedSettings(plan, records).judged);
  const imp = o.importances ? Object.fromEntries(Object.entries(o.importances).filter(([k]) => judged.has(k))) : spreadImportances(plan, records);
  if (Object.keys(imp).length) await write('importances', importanceChart(plan, imp, o.importances ? 'search' : 'spread', logObjective(plan, rs.map((r) => r.objective)), rs.length), { source: o.importances ? 'optuna' : 'eta-squared', importances: imp });
  return files;
}
