import { Diagnostics } from '../diagnostics/types.js';
import type { Layer, NetworkIR } from '../ir/types.js';
import type { Limits } from './limits.js';

/** Parameters of one layer, from its input and output shapes. */
export function layerParams(l: Layer): number {
  const inS = l.inShape;
  const out = l.outShape;
  if (!inS || !out) return 0;
  const gates = l.carry === 'free' ? 3 : 2; // H and T, plus C when the carry gate is free
  switch (l.kind) {
    case 'dense':
      return inS[0] * out[0] + out[0];
    case 'conv':
      return l.kernel![0] * l.kernel![1] * inS[2] * out[2] + out[2];
    case 'highway_dense':
      return gates * (out[0] * out[0] + out[0]);
    case 'residual_dense':
      return out[0] * out[0] + out[0];
    case 'highway_conv':
      return gates * (l.kernel![0] * l.kernel![1] * out[2] * out[2] + out[2]);
    case 'residual_conv':
      return l.kernel![0] * l.kernel![1] * out[2] * out[2] + out[2];
    default:
      return 0;
  }
}

/** Floating-point operations for one example's forward pass (a multiply-add is 2). */
export function layerFlops(l: Layer): number {
  const inS = l.inShape;
  const out = l.outShape;
  if (!inS || !out) return 0;
  const size = out.reduce((a, b) => a * b, 1);
  const gates = l.carry === 'free' ? 3 : 2;
  switch (l.kind) {
    case 'dense':
      return 2 * inS[0] * out[0];
    case 'conv':
      return 2 * out[0] * out[1] * l.kernel![0] * l.kernel![1] * inS[2] * out[2];
    case 'highway_dense':
      return gates * 2 * out[0] * out[0] + 4 * size;
    case 'residual_dense':
      return 2 * out[0] * out[0] + size;
    case 'highway_conv':
      return gates * 2 * out[0] * out[1] * l.kernel![0] * l.kernel![1] * out[2] * out[2] + 4 * size;
    case 'residual_conv':
      return 2 * out[0] * out[1] * l.kernel![0] * l.kernel![1] * out[2] * out[2] + size;
    case 'maxpool':
    case 'avgpool':
      return size * l.kernel![0] * l.kernel![1];
    case 'globalavgpool':
      return inS.reduce((a, b) => a * b, 1);
    default:
      return 0;
  }
}

/** Parameter and FLOP counts per layer and for the network. */
export function count(ir: NetworkIR, diags: Diagnostics, limits: Limits): NetworkIR {
  let totalParams = 0;
  let totalFlops = 0;
  for (const l of ir.layers) {
    l.params = layerParams(l);
    l.flops = layerFlops(l);
    totalParams += l.params;
    totalFlops += l.flops;
  }
  if (totalParams > limits.maxParams) {
    const big = ir.layers.reduce((a, b) => ((b.params ?? 0) > (a.params ?? 0) ? b : a));
    diags.error('HWY4002', big.span, `the network has ${totalParams.toExponential(2)} parameters; the limit is ${limits.maxParams.toExponential(2)}`, 'this layer holds the most; reduce its size');
  }
  const weighted = (l: Layer) => ['dense', 'conv', 'highway_dense', 'highway_conv', 'residual_dense', 'residual_conv'].includes(l.kind);
  ir.stats = {
    totalParams,
    totalFlops,
    weightedLayers: ir.layers.filter(weighted).length,
    highwayLayers: ir.layers.filter((l) => l.kind.startsWith('highway_')).length,
    residualLayers: ir.layers.filter((l) => l.kind.startsWith('residual_')).length,
    insertedLayers: ir.layers.filter((l) => l.inserted).length,
  };
  return ir;
}
