import { Diagnostics } from '../diagnostics/types.js';
import type { DraftLayer, DraftNetworkIR } from '../ir/types.js';
import { fmtShape } from '../language/shape.js';
import { kindDef } from '../language/kinds.js';

/**
 * The paper changes dimensionality with plain layers between highway layers. Where a
 * highway or residual block asks for a size other than its input's, this pass inserts
 * that plain layer (the block's kind says which), marks it `inserted`, and says so (an
 * info diagnostic).
 */
export function insertProjections(ir: DraftNetworkIR, diags: Diagnostics): DraftNetworkIR {
  if (!ir.layers.some((l) => l.projectFrom)) return ir;
  const out: DraftLayer[] = [];
  let n = 0;
  for (const l of ir.layers) {
    const from = l.projectFrom;
    const to = l.inShape;
    const def = kindDef(l.kind);
    if (from && to && def.projection) {
      const proj = def.projection(l, from, to);
      // Key order as the IR has always written it: identity, weights, shapes, then the kind's own fields.
      const p = {
        name: `projection_${++n}`,
        kind: proj.kind,
        span: l.span,
        inserted: true,
        given: [],
        activation: 'activation' in l ? l.activation : undefined,
        init: 'init' in l ? l.init : undefined,
        biasInit: 0,
        inShape: from,
        outShape: to,
      } as DraftLayer;
      if (l.repeat) p.repeat = l.repeat.map((r) => ({ ...r }));
      Object.assign(p, proj.fields);
      diags.info(
        'HWY3006',
        l.span,
        `inserted a plain ${proj.what} layer before this ${def.word} block: its input is ${fmtShape(from)}, it asks for ${fmtShape(to)}`,
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
