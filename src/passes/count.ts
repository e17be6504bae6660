import { Diagnostics } from '../diagnostics/types.js';
import type { DraftLayer, DraftNetworkIR } from '../ir/types.js';
import { flagsOf, isGated, isReady, kindDef } from '../language/kinds.js';
import type { Limits } from './limits.js';

/** Parameters of one layer, from its input and output shapes (0 where they are unknown). */
export function layerParams(l: DraftLayer): number {
  const count = kindDef(l.kind).params;
  return count && l.inShape && l.outShape && isReady(l) ? count(l, l.inShape, l.outShape) : 0;
}

/** Floating-point operations for one example's forward pass (a multiply-add is 2). */
export function layerFlops(l: DraftLayer): number {
  const count = kindDef(l.kind).flops;
  return count && l.inShape && l.outShape && isReady(l) ? count(l, l.inShape, l.outShape) : 0;
}

/** Parameter and FLOP counts per layer and for the network. */
export function count(ir: DraftNetworkIR, diags: Diagnostics, limits: Limits): DraftNetworkIR {
  let totalParams = 0;
  let totalFlops = 0;
  for (const l of ir.layers) {
    // layerParams and layerFlops with readiness asked once: a sweep's check counts thousands of layers
    const def = kindDef(l.kind);
    const ready = l.inShape && l.outShape && isReady(l);
    l.params = ready && def.params ? def.params(l, l.inShape!, l.outShape!) : 0;
    l.flops = ready && def.flops ? def.flops(l, l.inShape!, l.outShape!) : 0;
    totalParams += l.params;
    totalFlops += l.flops;
  }
  if (totalParams > limits.maxParams) {
    const big = ir.layers.reduce((a, b) => ((b.params ?? 0) > (a.params ?? 0) ? b : a));
    diags.error('HWY4002', big.span, `the network has ${totalParams.toExponential(2)} parameters; the limit is ${limits.maxParams.toExponential(2)}`, 'this layer holds the most; reduce its size');
  }
  ir.stats = {
    totalParams,
    totalFlops,
    weightedLayers: ir.layers.filter((l) => flagsOf(l).weighted).length,
    highwayLayers: ir.layers.filter(isGated).length,
    residualLayers: ir.layers.filter((l) => flagsOf(l).residual).length,
    insertedLayers: ir.layers.filter((l) => l.inserted).length,
  };
  return ir;
}
