import type { Layer, LayerKind, LayerOf, NetworkIR, Pair } from '../../ir/types.js';
import type { GatedLayer } from '../../language/kinds.js';

/** One weight as both engines name and lay it out. */
export interface WeightMapEntry {
  /** Its name in the tfjs weights manifest (model.json), `<layer>/<weight>`. */
  tfjs: string;
  /** Its shape in tfjs. */
  shape: number[];
  /** Its key in the PyTorch state dict of the module emit-model.ts writes. */
  torch: string;
  /** `torch_tensor.permute(perm)` gives the tfjs layout; null when both agree. */
  perm: number[] | null;
  /**
   * The rows [start, end) of the torch tensor's first axis that hold this weight (taken before
   * `perm`); absent when it is the whole tensor. A highway block keeps H, T and C in one layer.
   */
  rows?: [number, number];
}

/** tfjs dense kernel [in, out] = torch weight [out, in] transposed. */
const DENSE_PERM = [1, 0];
/** tfjs conv kernel [kh, kw, in, out] = torch weight [out, in, kh, kw] permuted. */
const CONV_PERM = [2, 3, 1, 0];

const lastDim = (s: number[]) => s[s.length - 1];

/** A kernel and its bias: tfjs `<layer>/<kernel>` and `<layer>/<bias>` against torch `<prefix>.weight` and `<prefix>.bias`. */
function pair(l: Layer, kernelName: string, biasName: string, prefix: string, kernelShape: number[], perm: number[]): WeightMapEntry[] {
  const out = lastDim(kernelShape);
  return [
    { tfjs: `${l.name}/${kernelName}`, shape: kernelShape, torch: `${prefix}.weight`, perm },
    { tfjs: `${l.name}/${biasName}`, shape: [out], torch: `${prefix}.bias`, perm: null },
  ];
}

function gated(l: GatedLayer, kernelShape: number[], perm: number[]): WeightMapEntry[] {
  // the order tfjs layers.ts adds them in: H, T, then C for a free carry; in torch, one layer's rows
  const parts = l.carry === 'free' ? ['h', 't', 'c'] : ['h', 't'];
  const n = lastDim(kernelShape);
  return parts.flatMap((p, k) => {
    const rows: [number, number] = [k * n, (k + 1) * n];
    return [
      { tfjs: `${l.name}/kernel_${p}`, shape: kernelShape, torch: `${l.name}.gates.weight`, perm, rows },
      { tfjs: `${l.name}/bias_${p}`, shape: [n], torch: `${l.name}.gates.bias`, perm: null, rows },
    ];
  });
}

function convKernel(l: { kernel: Pair }, cIn: number, cOut: number): number[] {
  const [kh, kw] = l.kernel;
  return [kh, kw, cIn, cOut];
}

/** The weights of each IR kind, in the order its tfjs layer creates them. */
const WEIGHTS: { [K in LayerKind]: (l: LayerOf<K>) => WeightMapEntry[] } = {
  input: () => [],
  flatten: () => [],
  dense: (l) => pair(l, 'kernel', 'bias', l.name, [lastDim(l.inShape), lastDim(l.outShape)], DENSE_PERM),
  conv: (l) => pair(l, 'kernel', 'bias', l.name, convKernel(l, lastDim(l.inShape), lastDim(l.outShape)), CONV_PERM),
  highway_dense: (l) => {
    const n = lastDim(l.inShape);
    return gated(l, [n, n], DENSE_PERM);
  },
  highway_conv: (l) => {
    const c = lastDim(l.inShape);
    return gated(l, convKernel(l, c, c), CONV_PERM);
  },
  residual_dense: (l) => {
    const n = lastDim(l.inShape);
    return pair(l, 'kernel', 'bias', `${l.name}.h`, [n, n], DENSE_PERM);
  },
  residual_conv: (l) => {
    const c = lastDim(l.inShape);
    return pair(l, 'kernel', 'bias', `${l.name}.h`, convKernel(l, c, c), CONV_PERM);
  },
  maxpool: () => [],
  avgpool: () => [],
  globalavgpool: () => [],
  dropout: () => [],
  activation: () => [],
};

/**
 * Every weight of the network in the order of the tfjs weights manifest (model.json), with
 * its PyTorch state-dict key and layout: what hwy_weights.py needs to move weights between
 * a tfjs `weights.bin` and a torch state dict.
 */
export function torchWeightMap(ir: NetworkIR): WeightMapEntry[] {
  return ir.layers.flatMap((l) => (WEIGHTS[l.kind] as (l: Layer) => WeightMapEntry[])(l));
}
