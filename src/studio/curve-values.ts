// The rows the run page's curves are drawn from: one a metric, split and epoch. Shared by
// the server (the chart's first data, ./charts.ts) and the page (the rows it swaps in as
// epochs finish), so that the two cannot disagree; pure, no imports.

/** The fields of a metrics.jsonl line the curves use (src/backends/engine.ts MetricsLine). */
export interface CurveLine {
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface CurveValue {
  epoch: number;
  metric: 'loss' | 'accuracy';
  split: 'training' | 'validation';
  value: number;
}

/** The name of the chart's data set: the page replaces its rows by this name. */
export const CURVES_DATA = 'curves';

export function curveValues(lines: CurveLine[]): CurveValue[] {
  const out: CurveValue[] = [];
  const add = (epoch: number, metric: CurveValue['metric'], split: CurveValue['split'], value: number | null) => {
    if (typeof value === 'number' && Number.isFinite(value)) out.push({ epoch, metric, split, value });
  };
  for (const l of lines) {
    add(l.epoch, 'loss', 'training', l.loss);
    add(l.epoch, 'loss', 'validation', l.valLoss);
    add(l.epoch, 'accuracy', 'training', l.accuracy);
    add(l.epoch, 'accuracy', 'validation', l.valAccuracy);
  }
  return out;
}
