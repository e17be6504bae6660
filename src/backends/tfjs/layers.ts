import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { windowOut } from '../../language/shape.js';
import { convSame, dense, highwayCombine, type Act } from './ops.js';

type Kwargs = Record<string, unknown>;
/** tfjs does not export its Initializer class; what we use of it. */
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

const TF_INIT: Record<string, string> = {
  glorot_uniform: 'glorotUniform',
  glorot_normal: 'glorotNormal',
  he_uniform: 'heUniform',
  he_normal: 'heNormal',
  lecun_uniform: 'leCunUniform',
  lecun_normal: 'leCunNormal',
  zeros: 'zeros',
};

export function tfInitializer(name: string, seed?: number): Initializer {
  const id = TF_INIT[name] ?? 'glorotUniform';
  if (id === 'zeros') return tfl.initializers.zeros();
  const make = (tfl.initializers as unknown as Record<string, (a: { seed?: number }) => Initializer>)[id];
  return make({ seed });
}

export interface GatedConfig {
  activation: Act;
  gateBias: number;
  carry: 'coupled' | 'free';
  init: string;
  gateInit: string;
  biasInit: number;
  seed?: number;
  name?: string;
  trainable?: boolean;
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
  readonly cfg: GatedConfig;
  constructor(cfg: GatedConfig) {
    super({ name: cfg.name, trainable: cfg.trainable });
    this.cfg = { ...cfg };
  }
  protected addGatedWeights(kernelShape: number[], n: number): void {
    const s = this.cfg.seed;
    const seed = (k: number) => (s === undefined ? undefined : s + k);
    const parts: [string, string, number][] = [
      ['h', this.cfg.init, this.cfg.biasInit],
      ['t', this.cfg.gateInit, this.cfg.gateBias],
    ];
    if (this.cfg.carry === 'free') parts.push(['c', this.cfg.gateInit, -this.cfg.gateBias]); // the carry gate starts open
    parts.forEach(([id, init, bias], k) => {
      this.kernels.push(this.addWeight(`kernel_${id}`, kernelShape, 'float32', tfInitializer(init, seed(k))));
      this.biases.push(this.addWeight(`bias_${id}`, [n], 'float32', tfl.initializers.constant({ value: bias })));
    });
  }
  /** The transform-gate biases b_T (for analysis). */
  gateBiases(): tf.Tensor {
    return this.biases[1].read().clone();
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
  override getConfig(): tf.serialization.ConfigDict {
    const { seed: _seed, name: _name, trainable: _t, ...rest } = this.cfg;
    return { ...super.getConfig(), ...rest };
  }
}

/** A fully connected highway layer; H and T (and C) in one fused matmul. */
export class HighwayDense extends GatedBase {
  static className = 'HwyHighwayDense';
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
      const h = dense(x, kh, bh, this.cfg.activation);
      const t = dense(x, kt, bt, 'sigmoid');
      const c = kc ? dense(x, kc, bc, 'sigmoid') : undefined;
      return combine(this.name, x, h, t, c);
    });
  }
}

/** A convolutional highway layer: H and T (and C) share one zero-padded convolution. */
export class HighwayConv2D extends GatedBase {
  static className = 'HwyHighwayConv2D';
  readonly kernelSize: [number, number];
  constructor(cfg: GatedConfig & { kernelSize: [number, number] }) {
    super(cfg);
    this.kernelSize = cfg.kernelSize;
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
      const h = convSame(x, kh, bh, this.cfg.activation);
      const t = convSame(x, kt, bt, 'sigmoid');
      const c = kc ? convSame(x, kc, bc, 'sigmoid') : undefined;
      return combine(this.name, x, h, t, c);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize };
  }
}

export interface ResidualConfig {
  activation: Act;
  init: string;
  biasInit: number;
  kernelSize?: [number, number];
  seed?: number;
  name?: string;
}

/** y = H(x) + x: the hard-wired skip connection that highway gating is compared with. */
export class ResidualBlock extends tfl.layers.Layer {
  static className = 'HwyResidual';
  private kernel!: tfl.LayerVariable;
  private bias!: tfl.LayerVariable;
  readonly cfg: ResidualConfig;
  constructor(cfg: ResidualConfig) {
    super({ name: cfg.name });
    this.cfg = { ...cfg };
  }
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const n = shape[shape.length - 1]!;
    const k = this.cfg.kernelSize;
    this.kernel = this.addWeight('kernel', k ? [k[0], k[1], n, n] : [n, n], 'float32', tfInitializer(this.cfg.init, this.cfg.seed));
    this.bias = this.addWeight('bias', [n], 'float32', tfl.initializers.constant({ value: this.cfg.biasInit }));
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const h = this.cfg.kernelSize ? convSame(x as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, this.bias.read(), this.cfg.activation) : dense(x, this.kernel.read(), this.bias.read(), this.cfg.activation);
      return tf.add(h, x);
    });
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
  override getConfig(): tf.serialization.ConfigDict {
    const { seed: _s, name: _n, ...rest } = this.cfg;
    return { ...super.getConfig(), ...rest };
  }
}

export interface PoolConfig {
  mode: 'max' | 'avg';
  poolSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
  round: 'floor' | 'ceil';
  name?: string;
}

/**
 * Pooling with Caffe's ceil rounding, which tfjs layers lack: the input is padded at the
 * bottom and right so the last (partial) window exists; padded cells never win a max and
 * do not count in an average (as in Caffe).
 */
export class Pool2D extends tfl.layers.Layer {
  static className = 'HwyPool2D';
  readonly cfg: PoolConfig;
  constructor(cfg: PoolConfig) {
    super({ name: cfg.name });
    this.cfg = { ...cfg };
  }
  private outSize(h: number, w: number): [number, number] {
    const { poolSize: k, strides: s, padding, round } = this.cfg;
    return [windowOut(h, k[0], s[0], padding, round), windowOut(w, k[1], s[1], padding, round)];
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w, c] = inputShape as tfl.Shape;
    const [oh, ow] = this.outSize(h!, w!);
    return [n, oh, ow, c];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const { mode, poolSize: k, strides: s, padding, round } = this.cfg;
      const pool = (t: tf.Tensor4D) => (mode === 'max' ? tf.maxPool(t, k, s, padding === 'same' ? 'same' : 'valid') : tf.avgPool(t, k, s, padding === 'same' ? 'same' : 'valid'));
      if (padding === 'same' || round === 'floor') return pool(x);
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
  override getConfig(): tf.serialization.ConfigDict {
    const { name: _n, ...rest } = this.cfg;
    return { ...super.getConfig(), ...rest } as unknown as tf.serialization.ConfigDict;
  }
}

/** The global training step, set by the trainer before each step: dropout masks depend on (seed, step). */
let trainingStep = 0;
export function setTrainingStep(step: number): void {
  trainingStep = step;
}

/**
 * Dropout whose mask is a function of (seed, training step). tfjs's own dropout, given a
 * seed, draws the same mask at every step; without one, runs are not reproducible.
 */
export class Dropout extends tfl.layers.Layer {
  static className = 'HwyDropout';
  readonly rate: number;
  readonly seed: number;
  constructor(cfg: { rate: number; seed?: number; name?: string }) {
    super({ name: cfg.name });
    this.rate = cfg.rate;
    this.seed = cfg.seed ?? 0;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs.training || this.rate === 0) return x;
      const keep = 1 - this.rate;
      const mask = tf.step(tf.sub(tf.randomUniform(x.shape, 0, 1, 'float32', this.seed * 1_000_003 + trainingStep), this.rate));
      return tf.mul(x, tf.div(mask, keep));
    });
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

/** A plain fully connected layer, with the faster hand-written gradient of `dense`. */
export class Dense extends tfl.layers.Layer {
  static className = 'HwyDense';
  private kernel!: tfl.LayerVariable;
  private bias!: tfl.LayerVariable;
  readonly cfg: { units: number; activation: Act; init: string; biasInit: number; seed?: number; name?: string };
  constructor(cfg: Dense['cfg']) {
    super({ name: cfg.name });
    this.cfg = { ...cfg };
  }
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    this.kernel = this.addWeight('kernel', [shape[shape.length - 1]!, this.cfg.units], 'float32', tfInitializer(this.cfg.init, this.cfg.seed));
    this.bias = this.addWeight('bias', [this.cfg.units], 'float32', tfl.initializers.constant({ value: this.cfg.biasInit }));
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => dense(Array.isArray(inputs) ? inputs[0] : inputs, this.kernel.read(), this.bias.read(), this.cfg.activation));
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = inputShape as tfl.Shape;
    return [...s.slice(0, -1), this.cfg.units];
  }
  override getConfig(): tf.serialization.ConfigDict {
    const { seed: _s, name: _n, ...rest } = this.cfg;
    return { ...super.getConfig(), ...rest };
  }
}

let registered = false;
/** Registers our layers so saved models reload with plain tfl.loadLayersModel. */
export function registerLayers(): void {
  if (registered) return;
  registered = true;
  for (const cls of [HighwayDense, HighwayConv2D, ResidualBlock, Pool2D, Dropout, Dense]) tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
