import { writeFileAtomic } from '../util/atomic.js';
import type { GateStats, LayerBlock } from './probes.js';

type Spec = Record<string, unknown>;
const FONT = 'DejaVu Sans';
const CONFIG = { font: FONT, title: { fontSize: 14 }, axis: { labelFontSize: 10, titleFontSize: 12 }, view: { stroke: null } };

/** Writes NAME.svg, NAME.png and NAME.json (the data) for a vega-lite spec; rendered in Node, no browser. */
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
}

function cells(m: LayerBlock, field = 'value'): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  m.forEach((row, layer) => row.forEach((v, block) => out.push({ layer: layer + 1, block: block + 1, [field]: v })));
  return out;
}

function heatmap(title: string, m: LayerBlock, scale: Spec, width = 220): Spec {
  return {
    title,
    data: { values: cells(m) },
    mark: { type: 'rect' },
    width,
    height: Math.max(200, Math.min(420, m.length * 8)),
    encoding: {
      x: { field: 'block', type: 'ordinal', title: 'block', axis: { values: ticks(m[0]?.length ?? 0), labelAngle: 0 } },
      y: { field: 'layer', type: 'ordinal', title: 'layer', axis: { values: ticks(m.length) } },
      color: { field: 'value', type: 'quantitative', scale, legend: { title: null, orient: 'bottom', gradientLength: 160 } },
    },
  };
}

function ticks(n: number): number[] {
  const step = n > 40 ? 10 : n > 10 ? 5 : 1;
  const t = [1];
  for (let i = step; i <= n; i += step) if (i !== 1) t.push(i);
  return t;
}

/** Figure 2 of the paper: gate biases, mean gate outputs, one sample's gate outputs and block outputs. */
export function figure2(g: GateStats, network: string): Spec {
  const lim = Math.max(1e-6, ...g.sample.output.flat().map(Math.abs));
  return {
    title: { text: `${network}: transform gates after training`, subtitle: `one sample: class ${g.sample.label} (example ${g.sample.index})` },
    hconcat: [
      heatmap('Transform gate biases', g.biases, { scheme: 'redblue', domainMid: 0 }),
      heatmap('Mean transform gate outputs', g.meanGate, { scheme: 'viridis', domain: [0, 1] }),
      heatmap('Transform gate outputs (one sample)', g.sample.gate, { scheme: 'viridis', domain: [0, 1] }),
      heatmap('Block outputs (one sample)', g.sample.output, { scheme: 'redblue', domain: [-lim, lim] }),
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

/** Figure 3: a class's mean gate activity minus the mean over all samples. */
export function figure3(g: GateStats, classes: number[], network: string): { spec: Spec; data: unknown } {
  const diffs = classes.map((c) => ({ class: c, diff: g.classMeanGate[c].map((row, l) => row.map((v, b) => v - g.meanGate[l][b])) }));
  const lim = Math.max(1e-6, ...diffs.flatMap((d) => d.diff.flat().map(Math.abs)));
  return {
    data: diffs,
    spec: {
      title: { text: `${network}: data-dependent routing`, subtitle: 'mean transform gate output of a class minus the mean over all samples' },
      hconcat: diffs.map((d) => heatmap(`class ${d.class}`, d.diff, { scheme: 'redblue', domain: [-lim, lim] }, 180)),
      resolve: { scale: { color: 'shared' } },
    },
  };
}

/** Figure 4: training error with each layer lesioned; the intact network as a dashed line. */
export function figure4(r: { intact: number; lesioned: { layer: string; error: number }[] }, network: string): Spec {
  const values = r.lesioned.map((l, i) => ({ layer: i + 1, name: l.layer, error: l.error }));
  return {
    title: { text: `${network}: lesioning`, subtitle: 'training error with one highway layer’s gates forced shut (T = 0)' },
    width: 460,
    height: 260,
    layer: [
      { data: { values }, mark: { type: 'line', point: true }, encoding: { x: { field: 'layer', type: 'quantitative', title: 'lesioned highway layer' }, y: { field: 'error', type: 'quantitative', title: 'training error', axis: { format: '.0%' } }, tooltip: [{ field: 'name' }, { field: 'error', format: '.2%' }] } },
      { data: { values: [{ error: r.intact }] }, mark: { type: 'rule', strokeDash: [6, 4], color: 'black' }, encoding: { y: { field: 'error', type: 'quantitative' } } },
      { data: { values: [{ error: r.intact, label: `intact network ${(r.intact * 100).toFixed(2)}%` }] }, mark: { type: 'text', align: 'right', dy: -6, x: 'width' }, encoding: { y: { field: 'error', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
}

/** Condition numbers of the hidden representation per layer, one line per run. */
export function conditionFigure(rows: { run: string; index: number; condition: number }[]): Spec {
  const values = rows.map((r) => ({ ...r, condition: Number.isFinite(r.condition) ? r.condition : null, singular: !Number.isFinite(r.condition) }));
  return {
    title: { text: 'Condition number of the hidden representation', subtitle: 'σmax / σmin of the layer outputs over the data; missing points: singular (dead units)' },
    width: 460,
    height: 280,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'index', type: 'quantitative', title: 'layer' },
      y: { field: 'condition', type: 'quantitative', scale: { type: 'log' }, title: 'condition number (log scale)' },
      color: { field: 'run', type: 'nominal', title: 'run' },
    },
  };
}

/** Figure 1: training loss vs epoch for every network, log scale, plain dashed. */
export function figure1(rows: { network: string; kind: string; depth: number; epoch: number; loss: number }[]): Spec {
  return {
    title: { text: 'Optimisation of plain and highway networks by depth', subtitle: 'training loss (cross-entropy) of the best run of each network' },
    width: 480,
    height: 300,
    data: { values: rows },
    mark: { type: 'line', point: { size: 20 } },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'mean training loss (log scale)' },
      color: { field: 'depth', type: 'ordinal', title: 'depth', scale: { scheme: 'category10' } },
      strokeDash: { field: 'kind', type: 'nominal', title: 'network', scale: { domain: ['highway', 'plain'], range: [[1, 0], [5, 3]] }, legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 } },
      detail: { field: 'network' },
    },
  };
}
