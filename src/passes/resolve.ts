import { Diagnostics } from '../diagnostics/types.js';
import type { DraftNetworkIR } from '../ir/types.js';
import { isGated, kindDef } from '../language/kinds.js';

/**
 * The paper's guideline for the initial transform-gate bias: -1, -2, -3 for highway
 * networks of depth about 10, 20, 30 (clamped to [-10, -1], the range the paper searched).
 */
export function guidelineGateBias(highwayDepth: number): number {
  return -Math.min(10, Math.max(1, Math.round(highwayDepth / 10)));
}

/** Fills every setting the spec left out: gate biases (by the depth guideline), initialisers, activations, strides, padding, rounding. */
export function resolve(ir: DraftNetworkIR, diags: Diagnostics): DraftNetworkIR {
  const highway = ir.layers.filter(isGated);
  const guideline = guidelineGateBias(highway.length);
  const unbiased = highway.filter((l) => l.gateBias === undefined);
  if (unbiased.length > 0) {
    diags.info(
      'HWY5004',
      unbiased[0].span,
      `no gate bias given: using ${guideline}, the paper's guideline for ${highway.length} highway layer${highway.length === 1 ? '' : 's'}`,
      "set it with 'gate_bias=…' on the block or 'defaults gate_bias=…' in the network",
    );
  }
  for (const l of ir.layers) kindDef(l.kind).resolve?.(l, { gateBias: guideline });
  return ir;
}
