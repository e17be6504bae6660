import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Dense as StockDense, DenseLayerArgs, Dropout as StockDropout, DropoutLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core.js';
import { windowOut } from '../../language/shape.js';
import { convSame, dense, highwayCombine, type Act } from './ops.js';

// This module is also the browser entry's (src/layers-entry.ts): it imports tfjs and the
// pure shape arithmetic only, never Node modules.

type Kwargs = Record<string, unknown>;
type ConfigDict = tf.serialization.ConfigDict;
/** tfjs does not export its Initializer class; what we use of it. */
export type Initializer = ReturnType<typeof tfl.initializers.zeros>;

const TF_INIT: Record<string, string> = {
  glorot_uniform: 'glorotUniform',
  glorot_normal: 'glorotNormal',
  he_uniform: 'heUniform',
  he_normal: 'heNormal',
  lecun_uniform: 'leCunUniform',
  lecun_normal: 'leCunNormal',
  zeros: 'zeros',
};

/** An initializer by its hwy name (`glorot_uniform`, ...). */
export function tfInitializer(name: string, seed?: number): Initializer {
  const id = TF_INIT[name] ?? 'glorotUniform';
  if (id === 'zeros') return tfl.initializers.zeros();
  const make = (tfl.initializers as unknown as Record<string, (a: { seed?: number }) => Initializer>)[id];
  return make({ seed });
}

const constant = (value: number): Initializer => tfl.initializers.constant({ value });

/** An initializer as Keras and tfjs save one: `{class_name, config}` in model.json. */
function serializeInit(init: Initializer): ConfigDict {
  return { className: init.getClassName(), config: init.getConfig() };
}

/** An initializer from a layer's constructor arguments or from a saved config (`{className, config}`), through the classes tfjs registered. */
function toInitializer(v: unknown, fallback: () => Initializer): Initializer {
  if (v == null) return fallback();
  if (typeof (v as Initializer).apply === 'function') return v as Initializer;
  const { className, config } = v as { className?: string; config?: ConfigDict };
  const entry = className ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined;
  if (!entry) throw new Error(`unknown initializer ${JSON.stringify(v)}`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config ?? {}) as unknown as Initializer;
}

/** A stock tfjs-layers class as tfjs registered it (the registry is the one public way to reach the class itself). */
function stockClass<T>(className: string): T {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`@tensorflow/tfjs-layers has not registered ${className}: load it before hwy's layers`);
  return entry[0] as unknown as T;
}

/** Constructor arguments of a highway layer; the initializers default to Glorot uniform kernels and zero biases. */
export interface GatedArgs {
  activation: Act;
  /** The initial transform-gate bias b_T (negative: the layer starts by carrying its input). */
  gateBias: number;
  /** `coupled`: C = 1 − T; `free`: C has its own weights, its bias starting at −gateBias. */
  carry: 'coupled' | 'free';
  /** H's kernel and bias. */
  kernelInitializer?: Initializer | ConfigDict;
  biasInitializer?: Initializer | ConfigDict;
  /** T's kernel (and, without carryKernelInitializer, C's). */
  gateKernelInitializer?: Initializer | ConfigDict;
  carryKernelInitializer?: Initializer | ConfigDict;
  name?: string;
  trainable?: boolean;
}

/** The initializers of a highway layer from hwy's settings: H, T and C each seeded apart (seed, seed+1, seed+2). */
export function gatedInitializers(init: string, gateInit: string, biasInit: number, seed?: number): Pick<GatedArgs, 'kernelInitializer' | 'biasInitializer' | 'gateKernelInitializer' | 'carryKernelInitializer'> {
  const at = (k: number) => (seed === undefined ? undefined : seed + k);
  return { kernelInitializer: tfInitializer(init, at(0)), biasInitializer: constant(biasInit), gateKernelInitializer: tfInitializer(gateInit, at(1)), carryKernelInitializer: tfInitializer(gateInit, at(2)) };
}

/** Gate-analysis probes: when set, highway layers record their gate and block outputs here. */
export interface Probe {
  /** Force all transform gates of these layers to 0 (lesioning: the layer copies its input). */
  closed?: Set<string>;
  record?: (layer: string, t: tf.Tensor, y: tf.Tensor) => void;
}
let activeProbe: Probe | undefined;
export function withProbe<T>(probe: Probe, f: () => T): T {
  const prev = activeProbe;
  activeProbe = probe;
  try {
    return f();
  } finally {
    activeProbe = prev;
  }
}

/** y = H·T + x·(1 − T), or H·T + x·C with a free carry gate. */
function combine(name: string, x: tf.Tensor, h: tf.Tensor, t: tf.Tensor, c: tf.Tensor | undefined): tf.Tensor {
  let gate = t;
  if (activeProbe?.closed?.has(name)) gate = tf.zerosLike(t);
  const y = c ? tf.add(tf.mul(h, gate), tf.mul(x, c)) : highwayCombine(x, h, gate);
  activeProbe?.record?.(name, gate, y);
  return y;
}

abstract class GatedBase extends tfl.layers.Layer {
  /** H, T and (free carry) C: each its own kernel and bias, as in the paper. */
  protected kernels: tfl.LayerVariable[] = [];
  protected biases: tfl.LayerVariable[] = [];
  readonly activation: Act;
  readonly gateBias: number;
  readonly carry: 'coupled' | 'free';
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly gateKernelInitializer: Initializer;
  readonly carryKernelInitializer: Initializer;
  constructor(args: GatedArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.activation = args.activation;
    this.gateBias = args.gateBias;
    this.carry = args.carry;
    this.kernelInitializer = toInitializer(args.kernelInitializer, () => tfInitializer('glorot_uniform'));
    this.biasInitializer = toInitializer(args.biasInitializer, () => constant(0));
    this.gateKernelInitializer = toInitializer(args.gateKernelInitializer, () => tfInitializer('glorot_uniform'));
    this.carryKernelInitializer = toInitializer(args.carryKernelInitializer, () => this.gateKernelInitializer);
  }
  protected addGatedWeights(kernelShape: number[], n: number): void {
    const parts: [string, Initializer, Initializer][] = [
      ['h', this.kernelInitializer, this.biasInitializer],
      ['t', this.gateKernelInitializer, constant(this.gateBias)],
    ];
    if (this.carry === 'free') parts.push(['c', this.carryKernelInitializer, constant(-this.gateBias)]); // the carry gate starts open
    for (const [id, kernel, bias] of parts) {
      this.kernels.push(this.addWeight(`kernel_${id}`, kernelShape, 'float32', kernel));
      this.biases.push(this.addWeight(`bias_${id}`, [n], 'float32', bias));
    }
  }
  /** The transform-gate biases b_T (for analysis). */
  gateBiases(): tf.Tensor {
    return this.biases[1].read().clone();
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
  /** Keras-style keys (model.json has them in snake_case): docs/MODELS.md describes them. */
  override getConfig(): ConfigDict {
    return {
      ...super.getConfig(),
      activation: this.activation,
      carry: this.carry,
      gateBias: this.gateBias,
      kernelInitializer: serializeInit(this.kernelInitializer),
      biasInitializer: serializeInit(this.biasInitializer),
      gateKernelInitializer: serializeInit(this.gateKernelInitializer),
      ...(this.carry === 'free' ? { carryKernelInitializer: serializeInit(this.carryKernelInitializer) } : {}),
    };
  }
}

/** The arguments of a saved highway or residual layer, as tfjs hands them to fromConfig (camelCase). */
function gatedArgs(c: ConfigDict): GatedArgs {
  return {
    name: c.name as string,
    trainable: c.trainable as boolean | undefined,
    activation: c.activation as Act,
    gateBias: c.gateBias as number,
    carry: c.carry as 'coupled' | 'free',
    kernelInitializer: c.kernelInitializer as ConfigDict,
    biasInitializer: c.biasInitializer as ConfigDict,
    gateKernelInitializer: c.gateKernelInitializer as ConfigDict,
    carryKernelInitializer: (c.carryKernelInitializer ?? undefined) as ConfigDict | undefined,
  };
}

/** A fully connected highway layer: y = H(x)·T(x) + x·(1 − T(x)), or H·T + x·C with a free carry gate. */
export class HighwayDense extends GatedBase {
  static className = 'HighwayDense';
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const n = shape[shape.length - 1]!;
    this.addGatedWeights([n, n], n);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [kh, kt, kc] = this.kernels.map((k) => k.read());
      const [bh, bt, bc] = this.biases.map((b) => b.read());
      const h = dense(x, kh, bh, this.activation);
      const t = dense(x, kt, bt, 'sigmoid');
      const c = kc ? dense(x, kc, bc, 'sigmoid') : undefined;
      return combine(this.name, x, h, t, c);
    });
  }
  static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
    return new HighwayDense(gatedArgs(config)) as unknown as T;
  }
}

/** A convolutional highway layer: H and T (and C) are zero-padded ("same") stride-1 convolutions. */
export class HighwayConv2D extends GatedBase {
  static className = 'HighwayConv2D';
  readonly kernelSize: [number, number];
  constructor(args: GatedArgs & { kernelSize: [number, number] }) {
    super(args);
    this.kernelSize = args.kernelSize;
  }
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const c = shape[shape.length - 1]!;
    this.addGatedWeights([this.kernelSize[0], this.kernelSize[1], c, c], c);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [kh, kt, kc] = this.kernels.map((k) => k.read() as tf.Tensor4D);
      const [bh, bt, bc] = this.biases.map((b) => b.read());
      const h = convSame(x, kh, bh, this.activation);
      const t = convSame(x, kt, bt, 'sigmoid');
      const c = kc ? convSame(x, kc, bc, 'sigmoid') : undefined;
      return combine(this.name, x, h, t, c);
    });
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize, strides: [1, 1], padding: 'same', dataFormat: 'channelsLast' };
  }
  static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
    return new HighwayConv2D({ ...gatedArgs(config), kernelSize: config.kernelSize as [number, number] }) as unknown as T;
  }
}

export interface ResidualArgs {
  activation: Act;
  kernelInitializer?: Initializer | ConfigDict;
  biasInitializer?: Initializer | ConfigDict;
  name?: string;
  trainable?: boolean;
}

/** y = H(x) + x: the hard-wired skip connection that highway gating is compared with. */
abstract class ResidualBase extends tfl.layers.Layer {
  private kernel!: tfl.LayerVariable;
  private bias!: tfl.LayerVariable;
  readonly activation: Act;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  /** Null: fully connected. */
  abstract readonly kernelSize: [number, number] | null;
  constructor(args: ResidualArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.activation = args.activation;
    this.kernelInitializer = toInitializer(args.kernelInitializer, () => tfInitializer('glorot_uniform'));
    this.biasInitializer = toInitializer(args.biasInitializer, () => constant(0));
  }
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const n = shape[shape.length - 1]!;
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', k ? [k[0], k[1], n, n] : [n, n], 'float32', this.kernelInitializer);
    this.bias = this.addWeight('bias', [n], 'float32', this.biasInitializer);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const h = this.kernelSize ? convSame(x as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, this.bias.read(), this.activation) : dense(x, this.kernel.read(), this.bias.read(), this.activation);
      return tf.add(h, x);
    });
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), activation: this.activation, kernelInitializer: serializeInit(this.kernelInitializer), biasInitializer: serializeInit(this.biasInitializer) };
  }
}

function residualArgs(c: ConfigDict): ResidualArgs {
  return { name: c.name as string, trainable: c.trainable as boolean | undefined, activation: c.activation as Act, kernelInitializer: c.kernelInitializer as ConfigDict, biasInitializer: c.biasInitializer as ConfigDict };
}

/** A fully connected residual layer, y = act(x·W + b) + x. */
export class ResidualDense extends ResidualBase {
  static className = 'ResidualDense';
  readonly kernelSize = null;
  static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
    return new ResidualDense(residualArgs(config)) as unknown as T;
  }
}

/** A convolutional residual layer, y = act(conv_same(x, W) + b) + x. */
export class ResidualConv2D extends ResidualBase {
  static className = 'ResidualConv2D';
  readonly kernelSize: [number, number];
  constructor(args: ResidualArgs & { kernelSize: [number, number] }) {
    super(args);
    this.kernelSize = args.kernelSize;
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize, strides: [1, 1], padding: 'same', dataFormat: 'channelsLast' };
  }
  static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
    return new ResidualConv2D({ ...residualArgs(config), kernelSize: config.kernelSize as [number, number] }) as unknown as T;
  }
}

export interface CeilPoolArgs {
  poolSize: [number, number];
  strides: [number, number];
  name?: string;
}

/**
 * Pooling with Caffe's ceil rounding, which tfjs layers lack (floor rounding lowers to the
 * stock MaxPooling2D / AveragePooling2D): the input is padded at the bottom and right so the
 * last (partial) window exists; padded cells never win a max and do not count in an average.
 */
abstract class CeilPooling2D extends tfl.layers.Layer {
  abstract readonly mode: 'max' | 'avg';
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  constructor(args: CeilPoolArgs) {
    super({ name: args.name });
    this.poolSize = args.poolSize;
    this.strides = args.strides;
  }
  private outSize(h: number, w: number): [number, number] {
    const { poolSize: k, strides: s } = this;
    return [windowOut(h, k[0], s[0], 'valid', 'ceil'), windowOut(w, k[1], s[1], 'valid', 'ceil')];
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w, c] = inputShape as tfl.Shape;
    const [oh, ow] = this.outSize(h!, w!);
    return [n, oh, ow, c];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const { mode, poolSize: k, strides: s } = this;
      const pool = (t: tf.Tensor4D) => (mode === 'max' ? tf.maxPool(t, k, s, 'valid') : tf.avgPool(t, k, s, 'valid'));
      const [, h, w] = x.shape;
      const [oh, ow] = this.outSize(h, w);
      const ph = Math.max(0, (oh - 1) * s[0] + k[0] - h);
      const pw = Math.max(0, (ow - 1) * s[1] + k[1] - w);
      if (ph === 0 && pw === 0) return pool(x);
      const pads: [number, number][] = [[0, 0], [0, ph], [0, pw], [0, 0]];
      if (mode === 'max') return pool(tf.pad(x, pads, -3.4e38));
      const sum = pool(tf.pad(x, pads, 0));
      const count = pool(tf.pad(tf.ones([1, h, w, 1]), pads, 0) as tf.Tensor4D);
      return tf.div(sum, count);
    });
  }
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: 'valid', dataFormat: 'channelsLast' };
  }
}

const poolArgs = (c: ConfigDict): CeilPoolArgs => ({ name: c.name as string, poolSize: c.poolSize as [number, number], strides: c.strides as [number, number] });

export class CeilMaxPooling2D extends CeilPooling2D {
  static className = 'CeilMaxPooling2D';
  readonly mode = 'max';
  static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
    return new CeilMaxPooling2D(poolArgs(config)) as unknown as T;
  }
}

export class CeilAveragePooling2D extends CeilPooling2D {
  static className = 'CeilAveragePooling2D';
  readonly mode = 'avg';
  static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
    return new CeilAveragePooling2D(poolArgs(config)) as unknown as T;
  }
}

/** hwy's pooling: floor rounding (or "same" padding, where rounding does not arise) is the stock layer's. */
export function pooling2d(args: { mode: 'max' | 'avg'; poolSize: [number, number]; strides: [number, number]; padding: 'valid' | 'same'; round: 'floor' | 'ceil'; name?: string }): tfl.layers.Layer {
  const { mode, poolSize, strides, padding, name } = args;
  if (padding === 'same' || args.round === 'floor') return mode === 'max' ? tfl.layers.maxPooling2d({ name, poolSize, strides, padding }) : tfl.layers.averagePooling2d({ name, poolSize, strides, padding });
  return mode === 'max' ? new CeilMaxPooling2D({ name, poolSize, strides }) : new CeilAveragePooling2D({ name, poolSize, strides });
}

/** The global training step, set by the trainer before each step: dropout masks depend on (seed, step). */
let trainingStep = 0;
export function setTrainingStep(step: number): void {
  trainingStep = step;
}

const StockDropoutClass = stockClass<new (args: DropoutLayerArgs) => StockDropout>('Dropout');

/**
 * tfjs's Dropout, except in training: its mask is a function of (seed, training step).
 * tfjs's own, given a seed, draws the same mask at every step; without one, runs are not
 * reproducible. At inference both are the identity, so it saves as the stock `Dropout`
 * (it inherits the class name and config) and is never registered under that name.
 */
export class Dropout extends StockDropoutClass {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const { rate, seed } = this as unknown as { rate: number; seed?: number };
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs.training || rate === 0) return x;
      const keep = 1 - rate;
      const mask = tf.step(tf.sub(tf.randomUniform(x.shape, 0, 1, 'float32', (seed ?? 0) * 1_000_003 + trainingStep), rate));
      return tf.mul(x, tf.div(mask, keep));
    });
  }
}

const StockDenseClass = stockClass<new (args: DenseLayerArgs) => StockDense>('Dense');
const FAST_ACTS = new Set<string>(['relu', 'tanh', 'sigmoid', 'softmax', 'linear']);

/**
 * tfjs's Dense with hwy's faster hand-written gradient (`dense` in ops.ts): the same
 * function, so it saves as the stock `Dense` (it inherits the class name and config) and
 * is never registered under that name.
 */
export class Dense extends StockDenseClass {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const { kernel, bias, activation } = this as unknown as { kernel: tfl.LayerVariable; bias?: tfl.LayerVariable | null; activation: { getClassName(): string } };
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const act = activation.getClassName();
    if (!bias || !FAST_ACTS.has(act) || x.rank !== 2) return super.call(inputs, kwargs);
    return tf.tidy(() => dense(x, kernel.read(), bias.read(), act as Act));
  }
}

// Names of models saved before hwy saved stock class names, kept so that old runs load:
// each builds today's layer from the old config (camelCase, as tfjs hands it over; string
// values such as initializer names come back camelCased too).
const oldInit = (name: unknown, seed?: number) => tfInitializer(String(name ?? 'glorot_uniform').replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), seed);
const oldGated = (c: ConfigDict): GatedArgs => ({
  name: c.name as string,
  trainable: c.trainable as boolean | undefined,
  activation: c.activation as Act,
  gateBias: c.gateBias as number,
  carry: c.carry as 'coupled' | 'free',
  kernelInitializer: oldInit(c.init),
  biasInitializer: constant(Number(c.biasInit ?? 0)),
  gateKernelInitializer: oldInit(c.gateInit),
});

type FromConfig = (config: ConfigDict) => tf.serialization.Serializable;
function alias(className: string, make: FromConfig): tf.serialization.SerializableConstructor<tf.serialization.Serializable> {
  return class extends tfl.layers.Layer {
    static className = className;
    static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: ConfigDict): T {
      return make(config) as T;
    }
  } as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>;
}

/**
 * hwy's own loader reads `Dense` and `Dropout` as these two names (see readTopology in
 * checkpoint.ts), so that a model hwy loads computes exactly what it trained: the same
 * gradient code, the same dropout masks when training resumes. They take the stock
 * layers' configs and the configs hwy saved under these names before.
 */
export const HWY_DENSE = 'HwyDense';
export const HWY_DROPOUT = 'HwyDropout';

const ALIASES = [
  alias(HWY_DENSE, (c) =>
    'kernelInitializer' in c
      ? new Dense(c as unknown as DenseLayerArgs)
      : new Dense({ name: c.name as string, units: c.units as number, activation: c.activation as Act, kernelInitializer: oldInit(c.init), biasInitializer: constant(Number(c.biasInit ?? 0)) }),
  ),
  alias(HWY_DROPOUT, (c) => new Dropout({ name: c.name as string, rate: c.rate as number, seed: (c.seed ?? undefined) as number | undefined, noiseShape: (c.noiseShape ?? undefined) as number[] | undefined })),
  alias('HwyPool2D', (c) => pooling2d({ name: c.name as string, mode: c.mode as 'max' | 'avg', poolSize: c.poolSize as [number, number], strides: c.strides as [number, number], padding: c.padding as 'valid' | 'same', round: c.round as 'floor' | 'ceil' })),
  alias('HwyHighwayDense', (c) => new HighwayDense(oldGated(c))),
  alias('HwyHighwayConv2D', (c) => new HighwayConv2D({ ...oldGated(c), kernelSize: c.kernelSize as [number, number] })),
  alias('HwyResidual', (c) => {
    const args = { name: c.name as string, activation: c.activation as Act, kernelInitializer: oldInit(c.init), biasInitializer: constant(Number(c.biasInit ?? 0)) };
    return c.kernelSize ? new ResidualConv2D({ ...args, kernelSize: c.kernelSize as [number, number] }) : new ResidualDense(args);
  }),
];

/** The custom classes a saved model may name (docs/MODELS.md). */
export const CUSTOM_LAYERS = [HighwayDense, HighwayConv2D, ResidualDense, ResidualConv2D, CeilMaxPooling2D, CeilAveragePooling2D];

let registered = false;
/** Registers hwy's layers (and the names older runs used) with tfjs, so that saved models load with tf.loadLayersModel. Idempotent. */
export function registerLayers(): void {
  if (registered) return;
  registered = true;
  for (const cls of [...CUSTOM_LAYERS, ...ALIASES]) tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
