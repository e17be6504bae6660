import { Diagnostics } from '../diagnostics/types.js';
import type { Layer, NetworkIR } from '../ir/types.js';
import { fmtShape } from './shape-rules.js';

/**
 * The paper changes dimensionality with plain layers between highway layers. Where a
 * highway or residual block asks for a size other than its input's, this pass inserts
 * that plain layer, marks it `inserted`, and says so (an info diagnostic).
 */
export function insertProjections(ir: NetworkIR, diags: Diagnostics): NetworkIR {
  if (!ir.layers.some((l) => l.projectFrom)) return ir;
  const out: Layer[] = [];
  let n = 0;
  for (const l of ir.layers) {
    if (l.projectFrom) {
      const from = l.projectFrom;
      const dense = l.kind.endsWith('_dense');
      const p: Layer = {
        name: `projection_${++n}`,
        kind: dense ? 'dense' : 'conv',
        span: l.span,
        inserted: true,
        given: [],
        activation: l.activation,
        init: l.init,
        biasInit: 0,
        inShape: from,
        outShape: l.inShape,
      };
      if (l.repeat) p.repeat = l.repeat.map((r) => ({ ...r }));
      if (dense) p.units = l.inShape![0];
      else Object.assign(p, { filters: l.inShape![2], kernel: [...l.kernel!], stride: [1, 1], padding: 'same' });
      const what = dense ? `dense ${fmtShape(from)} -> ${fmtShape(l.inShape)}` : `conv ${l.kernel!.join('x')} ${from[2]} -> ${l.inShape![2]} maps`;
      diags.info(
        'HWY3006',
        l.span,
        `inserted a plain ${what} layer before this ${l.kind.replace('_', ' ')} block: its input is ${fmtShape(from)}, it asks for ${fmtShape(l.inShape)}`,
        'a highway layer keeps its size; the paper changes size with a plain layer. Write that layer yourself to make it explicit',
      );
      delete l.projectFrom;
      out.push(p);
    }
    out.push(l);
  }
  ir.layers = out;
  return ir;
}
