import { Diagnostics } from '../diagnostics/types.js';
import type { DraftNetworkIR, SourceIR } from '../ir/types.js';
import type { Expr, Value } from '../parser/ast.js';
import type { SrcNode } from '../ir/types.js';
import { windowOut } from '../language/shape.js';
import { flagsOf, isGated, isReady } from '../language/kinds.js';

/** Plain stacks deeper than this are hard to optimise (the paper's figure 1). */
export const PLAIN_DEPTH_WARNING = 20;

/** Advice that is not an error: suspicious gate biases, deep plain stacks, rounding that matters, unused constants, softmax before the end. */
export function lint(ir: DraftNetworkIR, src: SourceIR, diags: Diagnostics): DraftNetworkIR {
  const warnedSpans = new Set<number>();
  let plainRun = 0;
  ir.layers.forEach((l, i) => {
    if (!isReady(l)) return; // its invalid values were reported already
    const flags = flagsOf(l);
    if (isGated(l) && l.given.includes('gate_bias') && l.gateBias !== undefined && !warnedSpans.has(l.span.start.offset)) {
      if (l.gateBias > 0) {
        warnedSpans.add(l.span.start.offset);
        diags.warning('HWY5001', l.span, `gate bias ${l.gateBias} is positive: the layer starts mostly transforming, not carrying`, 'the paper initialises b_T negative (-1 to -3 by depth) so deep networks start near identity');
      } else if (l.gateBias < -10) {
        warnedSpans.add(l.span.start.offset);
        diags.warning('HWY5006', l.span, `gate bias ${l.gateBias} is below -10: the gate starts shut (sigmoid ≈ ${Math.exp(l.gateBias).toExponential(0)}) and may never open`, 'the paper searched initial gate biases in [-10, -1]');
      }
    }
    if (flags.weighted && !flags.gated && !flags.residual && !l.inserted) {
      plainRun++;
      if (plainRun === PLAIN_DEPTH_WARNING + 1) {
        diags.warning(
          'HWY5002',
          l.span,
          `${plainRun} plain layers in a row: plain networks this deep are hard to train with SGD`,
          "make the middle layers 'highway dense' / 'highway conv' (or residual)",
        );
      }
    } else if (flags.gated || flags.residual) {
      plainRun = 0;
    }
    if ((l.kind === 'maxpool' || l.kind === 'avgpool') && l.inShape && l.padding === 'valid' && !l.given.includes('round')) {
      const [h, w] = l.inShape;
      const dims: [number, number, number][] = [
        [h, l.kernel[0], l.stride[0]],
        [w, l.kernel[1], l.stride[1]],
      ];
      const uneven = dims.find(([n, k, s]) => (n - k) % s !== 0);
      if (uneven && !warnedSpans.has(l.span.start.offset)) {
        warnedSpans.add(l.span.start.offset);
        const [n, k, s] = uneven;
        diags.warning(
          'HWY5003',
          l.span,
          `pooling ${n} with window ${k} and stride ${s} does not divide evenly: floor gives ${windowOut(n, k, s, 'valid', 'floor')}, ceil gives ${windowOut(n, k, s, 'valid', 'ceil')}`,
          "say which with 'round=floor' (tfjs, Keras) or 'round=ceil' (Caffe, the paper's networks)",
        );
      }
    }
    if ('activation' in l && l.activation === 'softmax' && i < ir.layers.length - 1 && ir.layers.slice(i + 1).some((x) => x.kind !== 'dropout' && x.kind !== 'activation')) {
      if (!warnedSpans.has(l.span.start.offset)) {
        warnedSpans.add(l.span.start.offset);
        diags.warning('HWY5007', l.span, 'softmax before the last layer squashes what later layers see', 'use softmax on the output layer only');
      }
    }
  });
  unusedConstants(src, diags);
  return ir;
}

function refsOfExpr(e: Expr, out: Set<string>): void {
  if (e.type === 'ref') out.add(e.name);
  else if (e.type === 'neg') refsOfExpr(e.operand, out);
  else if (e.type === 'paren') refsOfExpr(e.inner, out);
  else if (e.type === 'bin') {
    refsOfExpr(e.left, out);
    refsOfExpr(e.right, out);
  }
}
function refsOfValue(v: Value, out: Set<string>): void {
  if (v.type === 'dims') v.items.forEach((e) => refsOfExpr(e, out));
  else if (v.type === 'list') v.items.forEach((x) => refsOfValue(x, out));
}
function refsOfNodes(nodes: SrcNode[], out: Set<string>): void {
  for (const n of nodes) {
    if (n.type === 'repeat') {
      refsOfExpr(n.count, out);
      refsOfNodes(n.body, out);
    } else for (const a of Object.values(n.attrs)) refsOfValue(a.value, out);
  }
}

function unusedConstants(src: SourceIR, diags: Diagnostics): void {
  const used = new Set<string>();
  for (const l of src.lets) refsOfExpr(l.value, used);
  if (src.network) refsOfNodes(src.network.body, used);
  if (src.train) refsOfNodes(src.train.settings, used);
  for (const l of src.lets) {
    if (!used.has(l.name)) diags.warning('HWY5005', l.nameSpan, `constant '${l.name}' is never used`, 'remove it, or use it in the network');
  }
}
