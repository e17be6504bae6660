import { Diagnostics } from '../diagnostics/types.js';
import type { NetworkIR } from '../ir/types.js';

/**
 * The paper's guideline for the initial transform-gate bias: -1, -2, -3 for highway
 * networks of depth about 10, 20, 30 (clamped to [-10, -1], the range the paper searched).
 */
export function guidelineGateBias(highwayDepth: number): number {
  return -Math.min(10, Math.max(1, Math.round(highwayDepth / 10)));
}

/** Fills every setting the spec left out: gate biases (by the depth guideline), initialisers, activations, strides, padding, rounding. */
export function resolve(ir: NetworkIR, diags: Diagnostics): NetworkIR {
  const highway = ir.layers.filter((l) => l.kind.startsWith('highway_'));
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
  for (const l of ir.layers) {
    const gated = l.kind.startsWith('highway_');
    const skip = gated || l.kind.startsWith('residual_');
    if (l.kind === 'dense' || l.kind === 'conv' || skip) {
      l.activation ??= skip ? 'relu' : 'linear';
      l.init ??= 'glorot_uniform';
      l.biasInit ??= 0;
    }
    if (gated) {
      l.gateBias ??= guideline;
      l.carry ??= 'coupled';
      l.gateInit ??= 'glorot_uniform';
    }
    if (l.kind === 'conv' || l.kind === 'highway_conv' || l.kind === 'residual_conv') {
      l.stride ??= [1, 1];
      l.padding ??= skip ? 'same' : 'valid';
      if (skip) l.kernel ??= [3, 3];
    }
    if (l.kind === 'maxpool' || l.kind === 'avgpool') {
      l.stride ??= l.kernel ? [...l.kernel] : [1, 1];
      l.padding ??= 'valid';
      l.round ??= 'floor';
    }
  }
  return ir;
}
