import * as tf from '@tensorflow/tfjs';
import type { Layer, NetworkIR } from '../../ir/types.js';
import { Dense, Dropout, HighwayConv2D, HighwayDense, Pool2D, ResidualBlock, registerLayers, tfInitializer } from './layers.js';

export interface LowerOptions {
  /** Seeds weight initialisation and dropout, so the same seed gives the same model. */
  seed?: number;
}

function lowerLayer(l: Layer, seed: number | undefined, index: number): tf.layers.Layer | null {
  const s = seed === undefined ? undefined : seed * 1000 + index * 7;
  const name = l.name;
  switch (l.kind) {
    case 'input':
      return null;
    case 'flatten':
      return tf.layers.flatten({ name });
    case 'dense':
      return new Dense({ name, units: l.units ?? l.outShape![0], activation: l.activation!, init: l.init!, biasInit: l.biasInit ?? 0, seed: s });
    case 'conv':
      return tf.layers.conv2d({
        name,
        filters: l.filters ?? l.outShape![2],
        kernelSize: l.kernel!,
        strides: l.stride!,
        padding: l.padding!,
        activation: l.activation,
        kernelInitializer: tfInitializer(l.init!, s),
        biasInitializer: tf.initializers.constant({ value: l.biasInit ?? 0 }),
      });
    case 'highway_dense':
    case 'highway_conv': {
      const cfg = { name, activation: l.activation!, gateBias: l.gateBias!, carry: l.carry!, init: l.init!, gateInit: l.gateInit!, biasInit: l.biasInit ?? 0, seed: s };
      return l.kind === 'highway_dense' ? new HighwayDense(cfg) : new HighwayConv2D({ ...cfg, kernelSize: l.kernel! });
    }
    case 'residual_dense':
    case 'residual_conv':
      return new ResidualBlock({ name, activation: l.activation!, init: l.init!, biasInit: l.biasInit ?? 0, kernelSize: l.kind === 'residual_conv' ? l.kernel : undefined, seed: s });
    case 'maxpool':
    case 'avgpool':
      return new Pool2D({ name, mode: l.kind === 'maxpool' ? 'max' : 'avg', poolSize: l.kernel!, strides: l.stride!, padding: l.padding!, round: l.round! });
    case 'globalavgpool':
      return tf.layers.globalAveragePooling2d({ name });
    case 'dropout':
      return new Dropout({ name, rate: l.rate!, seed: s ?? index });
    case 'activation':
      return tf.layers.activation({ name, activation: l.activation! });
  }
}

/** Checked IR -> a trainable tfjs LayersModel, one tfjs layer per IR layer (same names). */
export function lowerToModel(ir: NetworkIR, opts: LowerOptions = {}): tf.LayersModel {
  registerLayers();
  const input = ir.layers[0];
  if (!input || input.kind !== 'input') throw new Error('the IR has no input layer');
  const x = tf.input({ shape: input.outShape!, name: input.name });
  let y: tf.SymbolicTensor = x;
  ir.layers.forEach((l, i) => {
    const layer = lowerLayer(l, opts.seed, i);
    if (layer) y = layer.apply(y) as tf.SymbolicTensor;
  });
  return tf.model({ inputs: x, outputs: y, name: ir.network.name });
}
