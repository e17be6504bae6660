import type { Layer, NetworkIR } from '../../ir/types.js';
import { fmtShape } from '../../language/shape.js';
import { isGated, layerLabel } from '../../language/kinds.js';
import { groupLayers, type LayerGroup } from './groups.js';
import { estimateTrainingMemory, MEMORY_METHOD, savedValuesPerExample, type MemoryEstimate } from '../memory.js';
import { formatBytes } from '../../util/bytes.js';
import { thousands } from '../../language/thousands.js';

const num = thousands;

function notes(l: Layer): string {
  const n: string[] = [];
  if (l.inserted) n.push('inserted projection');
  if (isGated(l)) n.push(`gate bias ${l.gateBias}${l.carry === 'free' ? ', free carry' : ''}`);
  return n.join('; ');
}

/** The table's rows: runs of identical layers folded into one (unless `collapse` is false), named as the text names them. */
function tableRows(ir: NetworkIR, collapse: boolean): { g: LayerGroup; name: string; layers: string[] }[] {
  let next = 0;
  return groupLayers(ir.layers, collapse).map((g) => {
    // a group is a run of consecutive layers
    const layers = ir.layers.slice(next, (next += g.count)).map((l) => l.name);
    return { g, name: g.count > 1 ? `${g.first.name} … ${g.last.name.split('_').pop()}` : g.first.name, layers };
  });
}

export interface SummaryOptions {
  /** List every layer instead of collapsing runs of identical ones. */
  expand?: boolean;
}

/** The estimate with what each part counts, as torchinfo prints its own below the table. */
function memoryLines(m: MemoryEstimate): string[] {
  const rows: [string, number, string][] = [
    ['weights', m.parameterBytes, `${num(m.parameterBytes / m.bytesPerValue)} parameters x ${m.bytesPerValue} bytes`],
    ['gradients', m.gradientBytes, 'one per parameter'],
    ['optimizer state', m.optimizerBytes, m.optimizer],
    ['activations', m.activationBytes, `2 x ${num(m.savedValuesPerExample)} values an example x ${num(m.batch)} x ${m.bytesPerValue} bytes (outputs and their gradients)`],
  ];
  const sizes = rows.map((r) => formatBytes(r[1]));
  const w = sizes.reduce((a, x) => Math.max(a, x.length), 0);
  return [
    `Training memory per batch of ${num(m.batch)} (estimated): ${formatBytes(m.total)}`,
    ...rows.map((r, i) => `  ${r[0].padEnd(17)}${sizes[i].padStart(w)}  ${r[2]}`),
    ...wrap(`(${MEMORY_METHOD})`, 78).map((l) => `  ${l}`),
  ];
}

/** Words into lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** A Keras-style table: layer, kind, output shape, parameters, notes; totals below. */
export function summaryText(ir: NetworkIR, opts: SummaryOptions = {}): string {
  const rows: string[][] = [['Layer', 'Kind', 'Output shape', 'Params', 'Notes']];
  for (const { g, name } of tableRows(ir, !opts.expand)) {
    const params = g.count > 1 ? `${g.count} x ${num(g.first.params)}` : num(g.first.params);
    rows.push([name, layerLabel(g.first), fmtShape(g.first.outShape), params, notes(g.first)]);
  }
  // a reduce, not a spread: a spec written out layer by layer has 100,000 rows
  const widths = rows[0].map((_, i) => rows.reduce((m, r) => Math.max(m, r[i].length), 0));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const s = ir.stats;
  const depth = [`${s.weightedLayers} weighted layers`];
  if (s.highwayLayers) depth.push(`${s.highwayLayers} highway`);
  if (s.residualLayers) depth.push(`${s.residualLayers} residual`);
  if (s.insertedLayers) depth.push(`${s.insertedLayers} inserted`);
  return [
    `Network ${ir.network.name} (${ir.file})`,
    rule,
    line(rows[0]),
    rule,
    ...rows.slice(1).map(line),
    rule,
    `Total params: ${num(s.totalParams)}`,
    `Depth: ${depth[0]}${depth.length > 1 ? ` (${depth.slice(1).join(', ')})` : ''}`,
    `Forward FLOPs per example: ${num(s.totalFlops)}`,
    ...(ir.train ? memoryLines(estimateTrainingMemory(ir, ir.train)) : []),
  ].join('\n');
}

/** One row of the table as the text shows it: a layer, or a run of identical repeated layers. */
export interface SummaryRow {
  /** As the table writes it: `highway_conv_1 … 2`. */
  name: string;
  /** The layers of the row, in order. */
  layers: string[];
  count: number;
  kind: string;
  /** The Kind column: `highway conv 3x3 relu`. */
  label: string;
  outputShape: number[];
  /** Parameters of each layer of the row. */
  params: number;
  /** The Notes column. */
  notes: string;
}

/** A layer with every setting the IR resolved for it (activation, gate bias, kernel, stride, padding…). */
export type SummaryLayer = { name: string; kind: string; label: string; line: number; inputShape: number[] | null; outputShape: number[]; params: number; flops: number; inserted: boolean; savedValuesPerExample: number } & Record<string, unknown>;

export interface SummaryJson {
  network: string;
  file: string;
  totalParams: number;
  totalFlops: number;
  weightedLayers: number;
  highwayLayers: number;
  residualLayers: number;
  insertedLayers: number;
  layers: SummaryLayer[];
  rows: SummaryRow[];
  /** Estimated training memory for a batch of the spec's size (absent when the IR has no training settings). */
  memory: (MemoryEstimate & { method: string }) | null;
}

/** IR fields the summary names otherwise (or that locate the source: `line` stands for the span). */
const OWN = new Set(['name', 'kind', 'span', 'given', 'inShape', 'outShape', 'params', 'flops', 'inserted']);

export function summaryJson(ir: NetworkIR): SummaryJson {
  const s = ir.stats;
  return {
    network: ir.network.name,
    file: ir.file,
    totalParams: s.totalParams,
    totalFlops: s.totalFlops,
    weightedLayers: s.weightedLayers,
    highwayLayers: s.highwayLayers,
    residualLayers: s.residualLayers,
    insertedLayers: s.insertedLayers,
    layers: ir.layers.map((l) => {
      // the kind's own fields, whatever the kind: a new kind's settings appear without a change here
      const fields = Object.fromEntries(Object.entries(l).filter(([k]) => !OWN.has(k)));
      return {
        name: l.name,
        kind: l.kind,
        label: layerLabel(l),
        line: l.span.start.line,
        ...fields,
        inputShape: l.inShape,
        outputShape: l.outShape,
        params: l.params,
        flops: l.flops,
        inserted: l.inserted,
        savedValuesPerExample: savedValuesPerExample(l),
      };
    }),
    rows: tableRows(ir, true).map(({ g, name, layers }) => ({
      name,
      layers,
      count: g.count,
      kind: g.first.kind,
      label: layerLabel(g.first),
      outputShape: g.first.outShape,
      params: g.first.params,
      notes: notes(g.first),
    })),
    memory: ir.train ? { ...estimateTrainingMemory(ir, ir.train), method: MEMORY_METHOD } : null,
  };
}
