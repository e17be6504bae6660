import { Diagnostics, type Span } from '../diagnostics/types.js';
import type { DraftNetworkIR } from '../ir/types.js';
import { isGated, kindDef } from '../language/kinds.js';

/**
 * The depth guideline for the initial transform-gate bias, as the language reference
 * states it (grammar/README.md, "Gate biases"): -round(h/10) for h highway layers, clamped
 * to [-10, -1]. It extends the paper's -1, -2, -3 for depths about 10, 20, 30 linearly,
 * within the range the paper searched.
 */
export function guidelineGateBias(highwayDepth: number): number {
  return -Math.min(10, Math.max(1, Math.round(highwayDepth / 10)));
}

/** Fills every setting the spec left out: gate biases (by the depth guideline), initialisers, activations, strides, padding, rounding. */
export function resolve(ir: DraftNetworkIR, diags: Diagnostics): DraftNetworkIR {
  const highway = ir.layers.filter(isGated);
  const guideline = guidelineGateBias(highway.length);
  // A block with an error of its own (a gate bias written `-3..5`, an unknown activation)
  // gets no note: "no gate bias given" would be false there, or beside the point.
  const errorSpans = diags.items.filter((d) => d.severity === 'error').map((d) => d.span);
  const hasError = new Map<number, boolean>();
  const broken = (span: Span) => {
    let b = hasError.get(span.start.offset);
    if (b === undefined) {
      b = errorSpans.some((e) => e.file === span.file && e.start.offset >= span.start.offset && e.end.offset <= span.end.offset);
      hasError.set(span.start.offset, b);
    }
    return b;
  };
  const unbiased = highway.filter((l) => l.gateBias === undefined && !broken(l.span));
  if (unbiased.length > 0) {
    diags.info(
      'HWY5004',
      unbiased[0].span,
      `no gate bias given: using ${guideline}, the depth guideline for ${highway.length} highway layer${highway.length === 1 ? '' : 's'}`,
      "set it with 'gate_bias=…' on the block or 'defaults gate_bias=…' in the network",
    );
  }
  for (const l of ir.layers) kindDef(l.kind).resolve?.(l, { gateBias: guideline });
  return ir;
}
