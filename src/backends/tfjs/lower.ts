import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Layer, LayerKind, LayerOf, NetworkIR } from '../../ir/types.js';
import { Dense, Dropout, HighwayConv2D, HighwayDense, ResidualConv2D, ResidualDense, gatedInitializers, pooling2d, registerLayers, tfInitializer } from './layers.js';

export interface LowerOptions {
  /** Seeds weight initialisation and dropout, so the same seed gives the same model. */
  seed?: number;
}

interface LowerContext {
  name: string;
  /** Seed of this layer's initialisers and dropout mask (undefined: unseeded). */
  seed: number | undefined;
  index: number;
}

/** One lowering per layer kind (null: nothing to apply, the model input stands for it). */
type Lowerings = { [K in LayerKind]: (l: LayerOf<K>, c: LowerContext) => tfl.layers.Layer | null };

const LOWER: Lowerings = {
  input: () => null,
  flatten: (_l, { name }) => tfl.layers.flatten({ name }),
  dense: (l, { name, seed }) => new Dense({ name, units: l.units, activation: l.activation, kernelInitializer: tfInitializer(l.init, seed), biasInitializer: tfl.initializers.constant({ value: l.biasInit }) }),
  conv: (l, { name, seed }) =>
    tfl.layers.conv2d({
      name,
      filters: l.filters,
      kernelSize: l.kernel,
      strides: l.stride,
      padding: l.padding,
      activation: l.activation,
      kernelInitializer: tfInitializer(l.init, seed),
      biasInitializer: tfl.initializers.constant({ value: l.biasInit }),
    }),
  highway_dense: (l, { name, seed }) => new HighwayDense({ name, activation: l.activation, gateBias: l.gateBias, carry: l.carry, ...gatedInitializers(l.init, l.gateInit, l.biasInit, seed) }),
  highway_conv: (l, { name, seed }) => new HighwayConv2D({ name, activation: l.activation, gateBias: l.gateBias, carry: l.carry, ...gatedInitializers(l.init, l.gateInit, l.biasInit, seed), kernelSize: l.kernel }),
  residual_dense: (l, { name, seed }) => new ResidualDense({ name, activation: l.activation, kernelInitializer: tfInitializer(l.init, seed), biasInitializer: tfl.initializers.constant({ value: l.biasInit }) }),
  residual_conv: (l, { name, seed }) => new ResidualConv2D({ name, activation: l.activation, kernelInitializer: tfInitializer(l.init, seed), biasInitializer: tfl.initializers.constant({ value: l.biasInit }), kernelSize: l.kernel }),
  maxpool: (l, { name }) => pooling2d({ name, mode: 'max', poolSize: l.kernel, strides: l.stride, padding: l.padding, round: l.round }),
  avgpool: (l, { name }) => pooling2d({ name, mode: 'avg', poolSize: l.kernel, strides: l.stride, padding: l.padding, round: l.round }),
  globalavgpool: (_l, { name }) => tfl.layers.globalAveragePooling2d({ name }),
  dropout: (l, { name, seed, index }) => new Dropout({ name, rate: l.rate, seed: seed ?? index }),
  activation: (l, { name }) => tfl.layers.activation({ name, activation: l.activation }),
};

function lowerLayer(l: Layer, seed: number | undefined, index: number): tfl.layers.Layer | null {
  // LOWER[l.kind] is the lowering of exactly this layer's kind; the checker cannot correlate the two.
  const lower = LOWER[l.kind] as (l: Layer, c: LowerContext) => tfl.layers.Layer | null;
  return lower(l, { name: l.name, seed: seed === undefined ? undefined : seed * 1000 + index * 7, index });
}

/** Checked IR -> a trainable tfjs LayersModel, one tfjs layer per IR layer (same names). */
export function lowerToModel(ir: NetworkIR, opts: LowerOptions = {}): tfl.LayersModel {
  registerLayers();
  const input = ir.layers[0];
  if (!input || input.kind !== 'input') throw new Error('the IR has no input layer');
  const x = tfl.input({ shape: input.outShape, name: input.name });
  let y: tfl.SymbolicTensor = x;
  ir.layers.forEach((l, i) => {
    const layer = lowerLayer(l, opts.seed, i);
    if (layer) y = layer.apply(y) as tfl.SymbolicTensor;
  });
  return tfl.model({ inputs: x, outputs: y, name: ir.network.name });
}
