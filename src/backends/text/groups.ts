import type { Layer } from '../../ir/types.js';
import { isGated } from '../../language/kinds.js';

/** A run of identical layers from the same source block (a repeat), shown as one row. */
export interface LayerGroup {
  first: Layer;
  last: Layer;
  count: number;
}

function same(a: Layer, b: Layer): boolean {
  return (
    a.kind === b.kind &&
    a.span.start.offset === b.span.start.offset &&
    a.inserted === b.inserted &&
    a.params === b.params &&
    (isGated(a) ? a.gateBias : null) === (isGated(b) ? b.gateBias : null) &&
    String(a.outShape) === String(b.outShape) &&
    String(a.inShape) === String(b.inShape)
  );
}

export function groupLayers(layers: Layer[], collapse: boolean): LayerGroup[] {
  const out: LayerGroup[] = [];
  for (const l of layers) {
    const g = out[out.length - 1];
    if (collapse && g && same(g.last, l)) {
      g.last = l;
      g.count++;
    } else out.push({ first: l, last: l, count: 1 });
  }
  return out;
}
