// Figures drawn with vega-lite (loaded on demand: ./vega-entry.ts): a metric of the runs
// against one of their settings, and parallel coordinates over settings and metrics. The
// specs are written here; vega draws them.
import type { RunRow } from '../runs.js';
import { ROW_METRICS, settingLabel, settingOf } from './settings.js';

type Spec = Record<string, unknown>;
/** What ./vega-entry.ts puts on the page (its types only: the code comes with /static/vega.js). */
type VegaApi = Pick<typeof import('./vega-entry.js'), 'render' | 'draw' | 'replaceValues'>;

let loading: Promise<VegaApi> | undefined;

/** Loads /static/vega.js once (a script of this server: the content security policy allows it). */
export function loadVega(): Promise<VegaApi> {
  loading ??= new Promise<VegaApi>((ok, fail) => {
    const s = document.createElement('script');
    s.src = '/static/vega.js';
    s.onload = () => ok((globalThis as unknown as { hwyVega: VegaApi }).hwyVega);
    s.onerror = () => {
      loading = undefined;
      fail(new Error('cannot load /static/vega.js'));
    };
    document.head.append(s);
  });
  return loading;
}

const views = new WeakMap<HTMLElement, { finalize(): void }>();

/** Draws `spec` into `el`, replacing the figure drawn there before. */
export async function drawSpec(el: HTMLElement, spec: Spec): Promise<void> {
  const vega = await loadVega();
  views.get(el)?.finalize();
  el.replaceChildren();
  views.set(el, await vega.render(el, spec));
  el.dataset.drawn = String(Date.now());
}

const CONFIG = { font: 'system-ui, sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } };

/** A row metric against a setting, one point a run; numbers on a log axis when they span over 50x. */
export function scatterSpec(runs: RunRow[], setting: string, metric: keyof RunRow, width: number): Spec {
  const rows = runs.flatMap((r) => {
    const x = settingOf(r, setting);
    const y = r[metric];
    return x !== undefined && typeof y === 'number' && Number.isFinite(y) ? [{ run: r.dir, x, y, network: r.network ?? '' }] : [];
  });
  const numeric = rows.length > 0 && rows.every((r) => typeof r.x === 'number');
  const xs = rows.map((r) => r.x as number);
  const log = numeric && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) > 50;
  const label = ROW_METRICS.find((m) => m.key === metric)?.label ?? String(metric);
  return {
    config: CONFIG,
    width: Math.max(300, width - 160),
    height: 260,
    data: { values: rows },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.75, tooltip: true },
    encoding: {
      x: { field: 'x', type: numeric ? 'quantitative' : 'nominal', title: settingLabel(setting), scale: numeric ? (log ? { type: 'log' } : { zero: false }) : undefined },
      y: { field: 'y', type: 'quantitative', title: label, scale: { zero: false } },
      color: { field: 'network', type: 'nominal', title: 'network' },
      tooltip: [
        { field: 'run', title: 'run' },
        { field: 'x', title: settingLabel(setting) },
        { field: 'y', title: label, format: '.4~g' },
      ],
    },
  };
}

/**
 * Parallel coordinates: one line a run across the settings that vary among the runs and
 * the chosen metrics, each axis scaled to its own range (names evenly spaced), coloured
 * by `colourBy`.
 */
export function parallelSpec(runs: RunRow[], settings: string[], metrics: (keyof RunRow)[], colourBy: keyof RunRow, width: number): Spec {
  const axes = [
    ...settings.map((s) => ({ key: s, label: settingLabel(s), value: (r: RunRow) => settingOf(r, s) })),
    ...metrics.map((m) => ({ key: String(m), label: ROW_METRICS.find((x) => x.key === m)?.label ?? String(m), value: (r: RunRow) => r[m] as number | undefined })),
  ].filter((a) => new Set(runs.map((r) => String(a.value(r) ?? ''))).size > 1 || metrics.includes(a.key as keyof RunRow));
  const values: Record<string, unknown>[] = [];
  const ends: Record<string, unknown>[] = [];
  for (const a of axes) {
    const raw = runs.map((r) => a.value(r));
    const nums = raw.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const numeric = nums.length === raw.filter((v) => v !== undefined && v !== null).length && nums.length > 0;
    const names = numeric ? [] : [...new Set(raw.filter((v) => v !== undefined && v !== null).map(String))].sort();
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    // a number spanning over 50x (a learning rate) is placed on a log scale, as the scatter does
    const log = numeric && lo > 0 && hi / lo > 50;
    const place = (v: number) => (hi > lo ? (log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo)) : 0.5);
    // each axis's ends, written at its top and bottom
    if (numeric) ends.push({ axis: a.label, pos: 0, text: `${+lo.toPrecision(3)}${log ? ' (log)' : ''}` }, { axis: a.label, pos: 1, text: +hi.toPrecision(3) });
    else names.forEach((n, i) => ends.push({ axis: a.label, pos: names.length > 1 ? i / (names.length - 1) : 0.5, text: n }));
    runs.forEach((r, i) => {
      const v = raw[i];
      if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) return;
      const pos = numeric ? place(v as number) : names.length > 1 ? names.indexOf(String(v)) / (names.length - 1) : 0.5;
      values.push({ run: r.dir, axis: a.label, pos, value: typeof v === 'number' ? +v.toPrecision(4) : String(v), colour: r[colourBy] ?? null });
    });
  }
  const colourLabel = ROW_METRICS.find((m) => m.key === colourBy)?.label ?? String(colourBy);
  return {
    config: CONFIG,
    width: Math.max(300, width - 200),
    height: 260,
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#c8ced6' }, encoding: { x: { field: 'axis', type: 'nominal', sort: axes.map((a) => a.label), title: null, axis: { orient: 'top', labelAngle: 0, domain: false, ticks: false, labelPadding: 14, labelFontWeight: 'bold' } } } },
      {
        mark: { type: 'line', opacity: 0.6, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'axis', type: 'nominal', sort: axes.map((a) => a.label) },
          y: { field: 'pos', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
          detail: { field: 'run', type: 'nominal' },
          color: { field: 'colour', type: 'quantitative', title: colourLabel, scale: { scheme: 'viridis' } },
          tooltip: [{ field: 'run' }, { field: 'axis' }, { field: 'value' }],
        },
      },
      {
        data: { values: ends },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#4a525c' },
        encoding: { x: { field: 'axis', type: 'nominal', sort: axes.map((a) => a.label) }, y: { field: 'pos', type: 'quantitative' }, text: { field: 'text' } },
      },
    ],
  };
}
