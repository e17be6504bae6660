// The curves of the selected runs, drawn by uPlot (canvas, made for long time series): a
// metric's training and validation curves by epoch or by training time, on a linear or a
// log scale; or, grouped by a setting, each group's mean by epoch with a band of ± one
// standard deviation over its runs (seeds). Values come from the server, downsampled there
// past MAX_POINTS; the caller says so.
import uPlot from 'uplot';

export interface MetricsLine {
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  lr?: number | null;
  seconds?: number | null;
}

export interface CurveRun {
  id: string;
  label: string;
  colour: string;
  lines: MetricsLine[];
  /** The group's name, when grouped by a setting (its curves take the `colour` of its first run). */
  group?: string;
}

export type Metric = 'loss' | 'accuracy' | 'lr';

export interface CurveOptions {
  metric: Metric;
  train: boolean;
  val: boolean;
  x: 'epoch' | 'time';
  log: boolean;
  /** Group the runs by their `group` (mean ± std band by epoch). */
  grouped: boolean;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

interface Series {
  label: string;
  colour: string;
  dash?: number[];
  points: [number, number][];
  /** A band's edge: drawn as the band's fill only, not in the legend. */
  edge?: boolean;
  width?: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function keysOf(o: CurveOptions): { key: keyof MetricsLine; label: string; dash?: number[] }[] {
  if (o.metric === 'lr') return [{ key: 'lr', label: 'learning rate' }];
  const val = o.metric === 'loss' ? 'valLoss' : 'valAccuracy';
  return [...(o.train ? [{ key: o.metric as keyof MetricsLine, label: o.metric }] : []), ...(o.val ? [{ key: val as keyof MetricsLine, label: `val ${o.metric}`, dash: [6, 4] }] : [])];
}

/** x of each line: its epoch, or the training seconds up to its end (metrics' seconds are per epoch, and downsampled lines skip some: scaled by the epochs between). */
function xsOf(lines: MetricsLine[], x: CurveOptions['x']): number[] {
  if (x === 'epoch') return lines.map((l) => l.epoch);
  let t = 0;
  let prev = 0;
  return lines.map((l) => {
    t += (finite(l.seconds) ? l.seconds : 0) * (l.epoch - prev);
    prev = l.epoch;
    return t;
  });
}

function runSeries(runs: CurveRun[], o: CurveOptions): Series[] {
  return runs.flatMap((r) => {
    const xs = xsOf(r.lines, o.x);
    return keysOf(o).map((k) => ({
      label: `${r.label} ${k.label}`,
      colour: r.colour,
      dash: k.dash,
      points: r.lines.flatMap((l, i) => (finite(l[k.key]) && (!o.log || (l[k.key] as number) > 0) ? [[xs[i], l[k.key] as number] as [number, number]] : [])),
    }));
  });
}

function groupSeries(runs: CurveRun[], o: CurveOptions): Series[] {
  // in the order the runs come (the caller sorts them by the setting)
  const groups = new Map<string, CurveRun[]>();
  for (const r of runs) groups.set(r.group ?? '', [...(groups.get(r.group ?? '') ?? []), r]);
  const out: Series[] = [];
  for (const [name, members] of groups) {
    const colour = members[0].colour;
    for (const k of keysOf(o)) {
      const byEpoch = new Map<number, number[]>();
      for (const r of members) for (const l of r.lines) if (finite(l[k.key]) && (!o.log || (l[k.key] as number) > 0)) byEpoch.set(l.epoch, [...(byEpoch.get(l.epoch) ?? []), l[k.key] as number]);
      const epochs = [...byEpoch.keys()].sort((a, b) => a - b);
      const mean: [number, number][] = [];
      const lo: [number, number][] = [];
      const hi: [number, number][] = [];
      for (const e of epochs) {
        const v = byEpoch.get(e)!;
        const m = v.reduce((s, x) => s + x, 0) / v.length;
        const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : 0;
        mean.push([e, m]);
        // on a log scale the band stays above zero
        lo.push([e, o.log ? Math.max(m - sd, m / 10) : m - sd]);
        hi.push([e, m + sd]);
      }
      const label = `${name} ${k.label} (${members.length > 1 ? `mean ± std of ${members.length} runs` : '1 run'})`;
      out.push({ label, colour, dash: k.dash, points: mean, width: 2 }, { label: `${label} + std`, colour, points: hi, edge: true }, { label: `${label} − std`, colour, points: lo, edge: true });
    }
  }
  return out;
}

/** uPlot wants one x array shared by every series: the union of their xs, each series null where it has no point. */
function align(series: Series[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  return [
    xs,
    ...series.map((s) => {
      const ys: (number | null)[] = new Array<number | null>(xs.length).fill(null);
      for (const [x, y] of s.points) ys[at.get(x)!] = y;
      return ys;
    }),
  ];
}

const fmt = (v: number | null) => v === null ? '' :  Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4));
const duration = (s: number) => (s < 120 ? `${fmt(s)} s` : s < 7200 ? `${fmt(s / 60)} min` : `${fmt(s / 3600)} h`);

let plot: uPlot | undefined;
/** What the drawn chart shows (options and curves): the same again takes new data only, keeping a zoom. */
let drawnSignature = '';

/** Draws `runs` into `box` (replacing what was there); returns how many curves and points it drew. */
export function drawCurves(box: HTMLElement, runs: CurveRun[], o: CurveOptions, height = 320): { curves: number; points: number } {
  const series = (o.grouped ? groupSeries(runs, o) : runSeries(runs, o)).filter((s) => s.points.length);
  const points = series.filter((s) => !s.edge).reduce((n, s) => n + s.points.length, 0);
  box.dataset.curves = String(series.filter((s) => !s.edge).length);
  box.dataset.points = String(points);
  box.dataset.bands = String(series.filter((s) => s.edge).length / 2);
  const signature = JSON.stringify([o, series.map((s) => [s.label, s.colour, s.points.length < 30])]);
  const data = align(series);
  // a training run's new epoch: the same curves, longer; a zoom the user made stays
  if (plot && series.length && signature === drawnSignature && box.contains(plot.root)) {
    const was = plot.data[0];
    const { min, max } = plot.scales.x;
    const zoomed = min !== undefined && max !== undefined && (min > was[0] || max < was[was.length - 1]);
    plot.setData(data, !zoomed);
    return { curves: series.filter((s) => !s.edge).length, points };
  }
  plot?.destroy();
  plot = undefined;
  drawnSignature = signature;
  if (!series.length) return { curves: 0, points: 0 };
  box.replaceChildren();
  const bands: uPlot.Band[] = [];
  series.forEach((s, i) => {
    if (s.edge && series[i + 1]?.edge && !series[i - 1]?.edge) bands.push({ series: [i + 1, i + 2], fill: `${s.colour}33` });
  });
  const metricName = o.metric === 'lr' ? 'learning rate' : o.metric;
  const opts: uPlot.Options = {
    width: Math.max(box.clientWidth || 800, 400),
    height,
    // a log scale fitted to the data, not widened to whole decades
    scales: { x: { time: false }, y: o.log ? { distr: 3, range: (_u, lo, hi) => [lo / 1.15, hi * 1.15] } : { distr: 1 } },
    axes: [
      // epochs are whole: ticks (and their grid lines) only at whole steps, never between epochs
      { label: o.x === 'epoch' ? 'epoch' : 'training time', ...(o.x === 'epoch' ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000] } : {}), values: (_u, ticks) => ticks.map((t) => (t === null ? '' : o.x === 'epoch' ? (Number.isInteger(t) ? String(t) : '') : duration(t))) },
      { label: `${metricName}${o.log ? ' (log scale)' : ''}`, values: (_u, ticks) => ticks.map(fmt), size: 60 },
    ],
    series: [
      { label: o.x === 'epoch' ? 'epoch' : 'time', value: (_u, v) => (v === null ? '' : o.x === 'epoch' ? String(v) : duration(v)) },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.edge ? 'transparent' : s.colour,
        width: s.edge ? 0 : (s.width ?? 1.6),
        dash: s.dash,
        spanGaps: true,
        points: { show: !s.edge && s.points.length < 30, size: 5, fill: s.colour },
        value: (_u: uPlot, v: number | null) => (v === null ? '' : fmt(v)),
      })),
    ],
    bands,
    legend: { live: true },
    // the x range shown, for scripts (and the tests) to read
    hooks: { setScale: [(u, key) => void (key === 'x' && (box.dataset.xRange = `${u.scales.x.min}..${u.scales.x.max}`))] },
    cursor: { drag: { x: true, y: false } },
  };
  plot = new uPlot(opts, data, box);
  box.setAttribute('aria-label', `${metricName} by ${o.x}${o.grouped ? ', grouped' : ''}`);
  // a band's edges are not curves of their own: out of the legend
  const rows = plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
  series.forEach((s, i) => {
    if (s.edge && rows[i + 1]) rows[i + 1].style.display = 'none';
  });
  return { curves: series.filter((s) => !s.edge).length, points };
}

/** Keeps the chart as wide as its box. */
export function resizeCurves(box: HTMLElement): void {
  plot?.setSize({ width: Math.max(box.clientWidth || 800, 400), height: plot.height });
}
