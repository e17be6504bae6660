// The run page's charts as vega-lite specs, compiled here to vega so that the page carries
// the vega runtime only (vega-lite is a devDependency, bundled into the server's chunk as
// figure writing bundles it). The analysis figures are the ones `hwy analyze` wrote
// (NAME.vl.json, its data inline); the curves and the confusion matrix are drawn here, with a
// tooltip on every mark, so that a value is read by hovering rather than off an axis.
import type { MetricsLine } from '../run/run-dir.js';
import { CURVES_DATA, curveValues } from './curve-values.js';

type Spec = Record<string, unknown>;

// every mark answers a hover with its fields (the analysis figures encode no tooltips of their own)
const CONFIG = { font: 'system-ui, sans-serif', title: { fontSize: 13, anchor: 'start' }, axis: { labelFontSize: 10, titleFontSize: 11 }, view: { stroke: null }, mark: { tooltip: true } };

/** A vega-lite spec compiled to vega, the studio's look applied; throws on a spec vega-lite refuses. */
export async function toVega(spec: Spec): Promise<Spec> {
  const { compile } = await import('vega-lite');
  const { $schema: _schema, ...rest } = spec;
  const own = (spec.config as Spec | undefined) ?? {};
  return compile({ ...rest, config: { ...CONFIG, ...own, mark: { ...((own.mark as Spec) ?? {}), tooltip: true } } } as never).spec as unknown as Spec;
}

/** Loss and accuracy by epoch, training solid and validation dashed, side by side. */
export function curvesSpec(lines: MetricsLine[]): Spec {
  const panel = (metric: string): Spec => ({
    title: metric,
    // two panels side by side in half of a 1280-pixel page
    width: 215,
    height: 180,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: { size: 30 }, tooltip: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'split', type: 'nominal', scale: { domain: ['training', 'validation'], range: ['#1f77b4', '#d62728'] }, legend: { orient: 'bottom', title: null } },
      strokeDash: { field: 'split', type: 'nominal', scale: { domain: ['training', 'validation'], range: [[1, 0], [5, 3]] }, legend: null },
      tooltip: [{ field: 'epoch', type: 'quantitative' }, { field: 'split', type: 'nominal' }, { field: 'value', type: 'quantitative', title: metric, format: '.4~f' }],
    },
  });
  // named, so that the page can swap in the rows of epochs finished since
  return { data: { name: CURVES_DATA, values: curveValues(lines) }, hconcat: [panel('loss'), panel('accuracy')], resolve: { scale: { color: 'shared' } } };
}

/** A confusion matrix as a heat map: rows the true class, columns the predicted one; counts on hover, and written in the cells when they fit. */
export function confusionSpec(confusion: number[][], title: string): Spec {
  const n = confusion.length;
  const values = confusion.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ true: t, predicted: p, count, share: total ? count / total : 0 }));
  });
  const size = Math.max(160, Math.min(420, n * 26));
  const cell = size / Math.max(1, n);
  const layers: Spec[] = [
    {
      mark: { type: 'rect', tooltip: true },
      encoding: {
        // from white (none) to dark blue (all of the class): an empty cell reads as empty
        color: { field: 'share', type: 'quantitative', title: 'share of the true class', scale: { domain: [0, 1], range: ['#ffffff', '#08306b'], interpolate: 'rgb' }, legend: { orient: 'bottom', format: '.0%', gradientLength: 140 } },
      },
    },
  ];
  if (cell >= 22) {
    layers.push({
      transform: [{ filter: 'datum.count > 0' }],
      // the count over its cell answers the hover as the cell does
      mark: { type: 'text', fontSize: Math.min(11, cell / 2.6), tooltip: true },
      encoding: { text: { field: 'count', type: 'quantitative' }, color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#1d232b' } },
    });
  }
  return {
    title,
    data: { values },
    width: size,
    height: size,
    encoding: {
      x: { field: 'predicted', type: 'ordinal', title: 'predicted class', axis: { labelAngle: 0 } },
      y: { field: 'true', type: 'ordinal', title: 'true class' },
      tooltip: [
        { field: 'true', type: 'ordinal', title: 'true class' },
        { field: 'predicted', type: 'ordinal', title: 'predicted' },
        { field: 'count', type: 'quantitative', title: 'examples' },
        { field: 'share', type: 'quantitative', title: 'share of the true class', format: '.1%' },
      ],
    },
    layer: layers,
  };
}
