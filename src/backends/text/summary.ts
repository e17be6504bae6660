import type { Layer, NetworkIR } from '../../ir/types.js';
import { fmtShape } from '../../language/shape.js';
import { isGated, layerLabel } from '../../language/kinds.js';
import { groupLayers } from './groups.js';

const num = (n: number) => n.toLocaleString('en-US');

function notes(l: Layer): string {
  const n: string[] = [];
  if (l.inserted) n.push('inserted projection');
  if (isGated(l)) n.push(`gate bias ${l.gateBias}${l.carry === 'free' ? ', free carry' : ''}`);
  return n.join('; ');
}

export interface SummaryOptions {
  /** List every layer instead of collapsing runs of identical ones. */
  expand?: boolean;
}

/** A Keras-style table: layer, kind, output shape, parameters, notes; totals below. */
export function summaryText(ir: NetworkIR, opts: SummaryOptions = {}): string {
  const rows: string[][] = [['Layer', 'Kind', 'Output shape', 'Params', 'Notes']];
  for (const g of groupLayers(ir.layers, !opts.expand)) {
    const name = g.count > 1 ? `${g.first.name} … ${g.last.name.split('_').pop()}` : g.first.name;
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
  ].join('\n');
}

export interface SummaryJson {
  network: string;
  file: string;
  totalParams: number;
  totalFlops: number;
  weightedLayers: number;
  layers: { name: string; kind: string; outputShape: number[] | null; params: number; inserted: boolean }[];
}

export function summaryJson(ir: NetworkIR): SummaryJson {
  return {
    network: ir.network.name,
    file: ir.file,
    totalParams: ir.stats.totalParams,
    totalFlops: ir.stats.totalFlops,
    weightedLayers: ir.stats.weightedLayers,
    layers: ir.layers.map((l) => ({ name: l.name, kind: l.kind, outputShape: l.outShape, params: l.params, inserted: l.inserted })),
  };
}
