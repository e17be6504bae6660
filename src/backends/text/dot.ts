import type { NetworkIR } from '../../ir/types.js';
import { fmtShape } from '../../language/shape.js';
import { flagsOf, isGated, layerLabel } from '../../language/kinds.js';
import { groupLayers } from './groups.js';
import { thousands } from '../../language/thousands.js';

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** A Graphviz diagram: one node per layer (identical repeated layers folded into one), shapes on the edges. */
export function toDot(ir: NetworkIR): string {
  const out = [`digraph "${esc(ir.network.name)}" {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#f4f4f4", fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  const groups = groupLayers(ir.layers, true);
  groups.forEach((g, i) => {
    const l = g.first;
    const times = g.count > 1 ? ` x${g.count}` : '';
    const params = l.params ? `\\n${thousands(l.params * g.count)} params` : '';
    const style = flagsOf(l).gated
      ? ', fillcolor="#d8ecff"'
      : flagsOf(l).residual
        ? ', fillcolor="#e6f6e0"'
        : l.inserted
          ? ', style="rounded,dashed"'
          : '';
    const label = `${esc(layerLabel(l))}${times}${isGated(l) ? `\\ngate bias ${l.gateBias}` : ''}${params}${l.inserted ? '\\n(inserted)' : ''}`;
    out.push(`  n${i} [label="${label}"${style}];`);
    if (i > 0) out.push(`  n${i - 1} -> n${i} [label="${fmtShape(g.first.inShape)}"];`);
  });
  if (groups.length) {
    const last = groups[groups.length - 1].first;
    out.push('  out [shape=plaintext, label="output", style=""];', `  n${groups.length - 1} -> out [label="${fmtShape(last.outShape)}"];`);
  }
  out.push('}');
  return out.join('\n');
}
