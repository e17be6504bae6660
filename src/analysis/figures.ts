import { writeFileAtomic } from '../util/atomic.js';
import type { GateStats, LayerBlock, OpenGates } from './probes.js';
import { isSingular } from './linalg.js';
import { thousands } from '../language/thousands.js';

type Spec = Record<string, unknown>;
const FONT = 'DejaVu Sans';
/** 10^k exactly (10 ** -4 is 0.00009999999999999999). */
const decade = (k: number): number => Number(`1e${k}`);

/** The largest / smallest of many numbers: spreading 200,000 of them into Math.max overflows the stack (a 1000-layer network's gates). */
function largest(xs: Iterable<number>, start = -Infinity): number {
  let m = start;
  for (const x of xs) if (x > m) m = x;
  return m;
}
function smallest(xs: Iterable<number>, start = Infinity): number {
  let m = start;
  for (const x of xs) if (x < m) m = x;
  return m;
}

const CONFIG = { font: FONT, title: { fontSize: 14 }, axis: { labelFontSize: 10, titleFontSize: 12 }, view: { stroke: null } };

/**
 * Writes NAME.svg, NAME.png, NAME.json (the data) and NAME.vl.json (the vega-lite spec, data
 * inline, so a figure can be restyled in any vega-lite editor); rendered in Node, no browser.
 */
export async function writeFigure(base: string, spec: Spec, data: unknown): Promise<void> {
  const vega = await import('vega');
  const { compile } = await import('vega-lite');
  const { Resvg } = await import('@resvg/resvg-js');
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, background: 'white', ...spec };
  const view = new vega.View(vega.parse(compile(full as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: FONT } }).render().asPng();
  writeFileAtomic(`${base}.svg`, svg);
  writeFileAtomic(`${base}.png`, png);
  writeFileAtomic(`${base}.json`, JSON.stringify(data, null, 1) + '\n');
  writeFileAtomic(`${base}.vl.json`, JSON.stringify(full, null, 1) + '\n');
}

function cells(m: LayerBlock, field = 'value'): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  m.forEach((row, layer) => row.forEach((v, block) => out.push({ layer: layer + 1, block: block + 1, [field]: v })));
  return out;
}

function heatmap(title: string | string[], m: LayerBlock, scale: Spec, width = 220, legendTitle: string | null = null): Spec {
  return {
    title,
    data: { values: cells(m) },
    mark: { type: 'rect' },
    width,
    height: Math.max(200, Math.min(420, m.length * 8)),
    encoding: {
      x: { field: 'block', type: 'ordinal', title: 'block', axis: { values: ticks(m[0]?.length ?? 0), labelAngle: 0 } },
      y: { field: 'layer', type: 'ordinal', title: 'layer', axis: { values: ticks(m.length) } },
      color: { field: 'value', type: 'quantitative', scale, legend: { title: legendTitle, titleLimit: 0, orient: 'bottom', gradientLength: 160, ...legendEnds(scale) } },
    },
  };
}

/**
 * Labels at the ends of a colour scale's domain (and at 0 when it spans 0), to two
 * significant digits: left to vega, a ±0.71 scale is labelled −1 and 1, past its ends.
 */
function legendEnds(scale: Spec): Spec {
  const d = scale.domain as number[] | undefined;
  if (!d || d.length !== 2) return {};
  return { values: d[0] < 0 && d[1] > 0 ? [d[0], 0, d[1]] : d, format: '.2~r' };
}

/** About ten axis labels whatever the count: steps of 1, 2, 5, 10, 20, 50, … (a 1000-layer network too). */
function ticks(n: number): number[] {
  let k = 0;
  while (n / niceStep(k) > 12) k++;
  const step = niceStep(k);
  const t = [1];
  for (let i = step; i <= n; i += step) if (i !== 1) t.push(i);
  return t;
}

/** 1, 2, 5, 10, 20, 50, 100, …: the k-th. */
function niceStep(k: number): number {
  return [1, 2, 5][k % 3] * 10 ** Math.floor(k / 3);
}
/** The width of a figure-2 panel's plot, and the space from one plot to the next (its layer axis takes about 50 px of it). */
const PANEL = 220;
const PANEL_GAP = 90;

/** Figure 2 of the paper: gate biases, mean gate outputs, one sample's gate outputs and block outputs. */
export function figure2(g: GateStats, network: string): Spec {
  const lim = largest(g.sample.output.flat().map(Math.abs), 1e-6);
  return {
    title: { text: `${network}: transform gates after training`, subtitle: [`one sample: class ${g.sample.label} (example ${g.sample.index}), ${openText(g.openGates.sample, g.openGates)}`, `over all examples: ${openText(g.openGates.median, g.openGates)} (median; 10-90%: ${g.openGates.p10}-${g.openGates.p90})`] },
    // The panels are laid out by their plots alone ('flush' bounds), a fixed step apart: by their
    // full extent (the default), a title, an axis label or a legend running past one plot moved
    // the next, and the gaps differed. The step leaves room for the next panel's layer axis, and
    // each title is two short lines, no wider than its plot.
    hconcat: [
      heatmap(['Transform gate biases', 'after training'], g.biases, biasScale(g.biases), PANEL, 'gate bias b_T'),
      heatmap(['Mean transform gate', 'outputs, all examples'], g.meanGate, { scheme: 'viridis', domain: [0, 1] }, PANEL, 'mean T(x)'),
      heatmap(['Transform gate', 'outputs, one sample'], g.sample.gate, { scheme: 'viridis', domain: [0, 1] }, PANEL, 'T(x)'),
      heatmap(['Block outputs', 'one sample'], g.sample.output, { scheme: 'redblue', domain: [-lim, lim] }, PANEL, 'block output y'),
    ],
    spacing: PANEL_GAP,
    bounds: 'flush',
    resolve: { scale: { color: 'independent' } },
  };
}

/** "12 of 2,450 gates (0.5%) more than half open". */
function openText(count: number, o: OpenGates): string {
  const pct = o.gates ? (100 * count) / o.gates : 0;
  return `${thousands(count)} of ${thousands(o.gates)} gates (${pct < 1 ? pct.toFixed(2) : pct.toFixed(1)}%) more than ${o.threshold === 0.5 ? 'half' : o.threshold} open`;
}

/**
 * Gate biases are all negative and move little in training: a sequential scale over their
 * range, never narrower than one unit, so that noise of a few hundredths reads as uniform
 * rather than as structure.
 */
function biasScale(b: LayerBlock): Spec {
  const flat = b.flat();
  let lo = smallest(flat);
  let hi = largest(flat);
  if (hi - lo < 1) {
    const mid = (lo + hi) / 2;
    lo = mid - 0.5;
    hi = mid + 0.5;
  }
  return { scheme: 'blues', reverse: true, domain: [lo, hi] };
}

/** Figure 3: a class's mean gate activity minus the mean over all samples. */
export function figure3(g: GateStats, classes: number[], network: string): { spec: Spec; data: unknown } {
  const diffs = classes.map((c) => ({ class: c, diff: g.classMeanGate[c].map((row, l) => row.map((v, b) => v - g.meanGate[l][b])) }));
  const lim = largest(diffs.flatMap((d) => d.diff.flat().map(Math.abs)), 1e-6);
  return {
    data: diffs,
    spec: {
      title: { text: `${network}: data-dependent routing`, subtitle: 'mean transform gate output of a class minus the mean over all samples' },
      hconcat: diffs.map((d) => heatmap(`class ${d.class}`, d.diff, { scheme: 'redblue', domain: [-lim, lim] }, 180, 'class mean − overall mean')),
      resolve: { scale: { color: 'shared' } },
    },
  };
}

/** Figure 4: training error with each layer lesioned; the intact network as a dashed line. */
export function figure4(r: { intact: number; lesioned: { layer: string; error: number }[] }, network: string): Spec {
  const values = r.lesioned.map((l, i) => ({ layer: i + 1, name: l.layer, error: l.error }));
  const errors = [r.intact, ...values.map((v) => v.error)];
  const format = percentFormat(largest(errors) - smallest(errors));
  return {
    title: { text: `${network}: lesioning`, subtitle: [`training error with one highway layer’s gates forced shut (T = 0)`, `dashed line: the intact network, ${(r.intact * 100).toFixed(2)}%`] },
    width: 460,
    height: 260,
    layer: [
      { data: { values }, mark: { type: 'line', point: true }, encoding: { x: { field: 'layer', type: 'quantitative', title: 'lesioned highway layer', axis: { format: 'd', tickMinStep: 1 }, scale: { domain: [1, Math.max(2, values.length)] } }, y: { field: 'error', type: 'quantitative', title: 'training error', axis: { format } }, tooltip: [{ field: 'name' }, { field: 'error', format: '.2%' }] } },
      { data: { values: [{ error: r.intact }] }, mark: { type: 'rule', strokeDash: [6, 4], color: 'black' }, encoding: { y: { field: 'error', type: 'quantitative' } } },
    ],
  };
}

/**
 * A d3 percent format with enough decimals that ticks over `range` (a fraction) read
 * apart: '.0%' over 1.2% of range labels its ticks 0%, 0%, 1%, 1%.
 */
export function percentFormat(range: number): string {
  const pct = range * 100;
  const decimals = pct > 0 ? Math.min(4, Math.max(0, Math.ceil(-Math.log10(pct)) + 1)) : 0;
  return `.${decimals}%`;
}

/**
 * Condition numbers of the hidden representation per layer, one line per run, runs in the
 * order given (legend and colours). A singular layer (κ infinite, or past the float32 limit
 * where σmin is rounding: see isSingular) cannot be plotted: it is a cross above the plot's
 * top edge, one row per run, so that runs singular at the same layers do not hide each
 * other. The dashed line is the float32 limit.
 */
export function conditionFigure(rows: { run: string; index: number; condition: number; limit?: number }[]): Spec {
  const limit = smallest(rows.map((r) => r.limit ?? Infinity));
  // past the float32 limit a number says only "singular": drawn as such, so that 1e110 does not set the scale (the data keeps it)
  const informative = (r: { condition: number; limit?: number }) => !isSingular(r.condition, r.limit);
  const finite = rows.filter(informative).map((r) => r.condition);
  const runs = [...new Set(rows.map((r) => r.run))];
  const singularRuns = runs.filter((run) => rows.some((r) => r.run === run && !informative(r)));
  const [bottom, top] = conditionDomain(finite, singularRuns.length > 0 ? limit : Infinity);
  const values = rows.map((r) => ({ ...r, condition: informative(r) ? r.condition : null }));
  const x = { field: 'index', type: 'quantitative', title: 'layer', axis: { format: 'd', tickMinStep: 1 }, scale: { domain: [1, largest(rows.map((r) => r.index), 2)] } };
  const y = { field: 'condition', type: 'quantitative', scale: { type: 'log', domain: [bottom, top] }, title: 'condition number σmax / σmin (log scale)' };
  const color = { field: 'run', type: 'nominal', title: 'run', scale: { domain: runs }, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 } };
  const layers: Spec[] = [{ data: { values }, mark: { type: 'line', point: true }, encoding: { x, y, color } }];
  singularRuns.forEach((run, k) => {
    const marks = rows.filter((r) => r.run === run && !informative(r)).map((r) => ({ run, index: r.index, condition: top }));
    layers.push({ data: { values: marks }, mark: { type: 'point', shape: 'cross', size: 50, filled: true, opacity: 1, clip: false, yOffset: -ROW * (k + 1) }, encoding: { x, y, color } });
  });
  if (singularRuns.length) {
    layers.push({
      data: { values: [{ condition: top, label: 'singular' }] },
      mark: { type: 'text', align: 'right', baseline: 'middle', dx: -6, dy: (-ROW * (singularRuns.length + 1)) / 2, x: 0, fontWeight: 'bold' },
      encoding: { y: { field: 'condition', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  // the limit is drawn where it is on the axis: with singular layers (the axis then reaches it), or data near it
  if (Number.isFinite(limit) && limit <= top) {
    layers.push({ data: { values: [{ condition: limit }] }, mark: { type: 'rule', strokeDash: [6, 4], color: 'grey' }, encoding: { y: { field: 'condition', type: 'quantitative' } } });
    layers.push({ data: { values: [{ condition: limit, label: 'float32 limit: above it, singular' }] }, mark: { type: 'text', align: 'left', dx: 4, dy: -6, x: 0, color: 'grey' }, encoding: { y: { field: 'condition', type: 'quantitative' }, text: { field: 'label' } } });
  }
  return {
    title: {
      text: 'Condition number of the hidden representation',
      subtitle: [`σmax / σmin of each layer's outputs over the data, one line per run`, ...(singularRuns.length ? [`crosses above the plot: singular layers (κ = ∞${Number.isFinite(limit) ? ' or past the float32 limit' : ''}), a row per run`] : [])],
      offset: 8 + ROW * singularRuns.length,
    },
    width: 520,
    height: 300,
    layer: layers,
  };
}
/** Pixels between the rows of singular marks above a plot. */
const ROW = 11;

/**
 * The log axis of the condition numbers, fitted to the finite values: a conv net's 40-60
 * fills the plot rather than the bottom of a fixed 10 to 10^8. Over two decades or more the
 * ends are whole decades; over less, the values' own range with a margin (a tenth of a
 * decade at least, so a flat line is not blown up into noise). With singular layers
 * (`limit` finite) the axis reaches a decade past the float32 limit, so that the limit line
 * shows where "singular" starts.
 */
export function conditionDomain(finite: number[], limit = Infinity): [number, number] {
  const singular = Number.isFinite(limit);
  // no finite value at all (every layer singular): the axis up to the limit
  const least = finite.length ? smallest(finite) : singular ? limit : 10;
  const lo = Math.max(1, least);
  const hi = Math.max(lo, largest(finite, lo));
  if (singular || Math.log10(hi / lo) >= 2) {
    // room past each end, so no line runs along an edge
    const top = decade(Math.ceil(Math.log10(Math.max(hi * 1.5, singular ? limit * 10 : 0))));
    return [Math.max(1, decade(Math.floor(Math.log10(lo / 1.5)))), top];
  }
  const pad = 10 ** Math.max(0.1, 0.15 * Math.log10(hi / lo));
  return [Math.max(1, lo / pad), hi * pad];
}

/** Figure 1: training loss vs epoch for every network, log scale, plain dashed. */
export function figure1(rows: { network: string; kind: string; depth: number; epoch: number; loss: number }[]): Spec {
  const losses = rows.map((r) => r.loss).filter((l) => l > 0 && Number.isFinite(l));
  const lo = decade(Math.floor(Math.log10(smallest(losses, 1))));
  const hi = decade(Math.ceil(Math.log10(largest(losses, 1.01))));
  return {
    title: { text: 'Optimisation of plain and highway networks by depth', subtitle: 'training loss (cross-entropy) of the best run of each network' },
    width: 480,
    height: 300,
    data: { values: rows },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, title: 'mean training loss (log scale)' },
      color: { field: 'depth', type: 'ordinal', title: 'depth', scale: { scheme: 'category10' } },
      detail: { field: 'network' },
    },
    // Lines only, so that plain's dashes and highway's solid lines read apart (a marker on every
    // epoch covered them); one small marker where each network's training ended. The markers are
    // a layer of their own: on the line mark they would hide the dash swatches of the legend.
    layer: [
      {
        mark: { type: 'line' },
        encoding: {
          strokeDash: {
            field: 'kind',
            type: 'nominal',
            title: 'network',
            scale: { domain: ['highway', 'plain'], range: [[1, 0], [5, 3]] },
            legend: { symbolType: 'stroke', symbolStrokeColor: '#333', symbolStrokeWidth: 2, symbolSize: 400 },
          },
        },
      },
      {
        transform: [{ joinaggregate: [{ op: 'max', field: 'epoch', as: 'lastEpoch' }], groupby: ['network'] }, { filter: 'datum.epoch === datum.lastEpoch' }],
        mark: { type: 'point', size: 16, filled: true },
      },
    ],
  };
}
