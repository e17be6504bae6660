import { Diagnostics } from '../diagnostics/types.js';
import type { DraftNetworkIR } from '../ir/types.js';
import { flagsOf, isGated, isReady, kindDef } from '../language/kinds.js';
import type { Limits } from './limits.js';

/**
 * Parameter and FLOP counts (a multiply-add is 2 FLOPs) per layer, from its input and output
 * shapes (0 where they are unknown), and for the network.
 */
export function count(ir: DraftNetworkIR, diags: Diagnostics, limits: Limits): DraftNetworkIR {
  let totalParams = 0;
  let totalFlops = 0;
  for (const l of ir.layers) {
    // a layer's readiness asked once for both counts: a sweep's check counts thousands of layers
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
