// The memory a training step needs, estimated from the IR's counts alone, as torchinfo
// estimates it for PyTorch: float32 parameters, their gradients, the optimizer's state, and
// every layer's output for one batch kept for the backward pass together with its gradient.
// `hwy summary` shows it; training refuses a network it says cannot fit (src/run/memory.ts).
import type { Layer, NetworkIR, TrainConfig } from '../ir/types.js';
import { isGated, flagsOf } from '../language/kinds.js';
import { shapeSize } from '../language/shape.js';
import { formatBytes } from '../util/bytes.js';
import { thousands } from '../language/thousands.js';

/** Bytes of one value: both engines train in float32. */
export const BYTES_PER_VALUE = 4;

/**
 * Values each optimizer keeps per parameter, by name: an exhaustive table, so that a new
 * optimizer does not compile until it says what it keeps.
 */
const OPTIMIZER_SLOTS: { [N in TrainConfig['optimizer']['name']]: (o: Extract<TrainConfig['optimizer'], { name: N }>) => { slots: number; what: string } } = {
  sgd: (o) => (o.momentum > 0 ? { slots: 1, what: 'SGD with momentum: one velocity per parameter' } : { slots: 0, what: 'plain SGD keeps none' }),
  adam: () => ({ slots: 2, what: 'Adam: first and second moment estimates per parameter' }),
  adamw: () => ({ slots: 2, what: 'AdamW: first and second moment estimates per parameter' }),
  // tfjs keeps the momentum accumulator whether or not momentum is used; so does the torch engine's RMSprop
  rmsprop: () => ({ slots: 2, what: 'RMSprop: mean square and momentum accumulators per parameter' }),
};

export function optimizerSlots(o: TrainConfig['optimizer']): { slots: number; what: string } {
  return (OPTIMIZER_SLOTS[o.name] as (o: TrainConfig['optimizer']) => { slots: number; what: string })(o);
}

/**
 * Values of one example a layer keeps for the backward pass: its output, and inside a gated
 * block the transform H and the gate T (and the carry gate C when it is free); a residual
 * block keeps H besides its sum.
 */
export function savedValuesPerExample(l: Layer): number {
  const out = shapeSize(l.outShape);
  if (isGated(l)) return out * (l.carry === 'free' ? 4 : 3);
  if (flagsOf(l).residual) return out * 2;
  return out;
}

export interface MemoryEstimate {
  batch: number;
  bytesPerValue: number;
  /** The weights: parameters x 4 bytes (exact for both engines). */
  parameterBytes: number;
  /** One gradient per parameter. */
  gradientBytes: number;
  /** The optimizer's slots per parameter, and what they are. */
  optimizerSlots: number;
  optimizer: string;
  optimizerBytes: number;
  /** Values of one example kept for the backward pass, over all layers (the input included). */
  savedValuesPerExample: number;
  /** Those values for a batch, and their gradients: 2 x savedValuesPerExample x batch x 4 bytes. */
  activationBytes: number;
  /** Weights, gradients and optimizer state together. */
  paramBytes: number;
  total: number;
}

/** How the estimate is made, in words (shown with it). */
export const MEMORY_METHOD =
  'float32 throughout; parameters, one gradient each and the optimizer state; for activations, every layer output of a batch (the input included; highway layers also keep H and T, residual layers H) and its gradient, as torchinfo counts them. Engine workspace and the data set are not included.';

/**
 * What training a network needs, from the IR's counts, before anything is allocated. A lower
 * bound of the order that matters: the engines add workspace, but a network this estimate
 * does not fit cannot train.
 */
export function estimateTrainingMemory(ir: NetworkIR, config: Pick<TrainConfig, 'batch' | 'optimizer'>): MemoryEstimate {
  const params = ir.stats.totalParams;
  const opt = optimizerSlots(config.optimizer);
  const parameterBytes = params * BYTES_PER_VALUE;
  const gradientBytes = parameterBytes;
  const optimizerBytes = params * opt.slots * BYTES_PER_VALUE;
  // a reduce, not a spread: a network can have 100,000 layers
  const saved = ir.layers.reduce((a, l) => a + savedValuesPerExample(l), 0);
  const activationBytes = 2 * saved * config.batch * BYTES_PER_VALUE;
  const paramBytes = parameterBytes + gradientBytes + optimizerBytes;
  return {
    batch: config.batch,
    bytesPerValue: BYTES_PER_VALUE,
    parameterBytes,
    gradientBytes,
    optimizerSlots: opt.slots,
    optimizer: opt.what,
    optimizerBytes,
    savedValuesPerExample: saved,
    activationBytes,
    paramBytes,
    total: paramBytes + activationBytes,
  };
}

/** A training the estimate says cannot fit in the memory there is: one line, with the estimate and what to change. */
export class NotEnoughMemory extends Error {}

/**
 * Refuses, before anything is allocated, a training whose estimate exceeds `available`
 * (`source` says where that figure comes from). `batchSetting` names where the batch is
 * set: `--batch` for `hwy train`, the spec's train { } in a page.
 */
export function refuseWhatCannotFit(ir: NetworkIR, config: Pick<TrainConfig, 'batch' | 'optimizer'>, available: { bytes: number; source: string }, batchSetting: string): MemoryEstimate {
  const e = estimateTrainingMemory(ir, config);
  if (e.total <= available.bytes) return e;
  const advice =
    e.activationBytes > e.paramBytes
      ? `lower the batch (${batchSetting}; ${config.batch} now), or make the layers narrower or the feature maps smaller`
      : 'make the layers narrower (fewer units or filters) or the network shallower (fewer repeats)';
  throw new NotEnoughMemory(
    `training ${ir.network.name} needs about ${formatBytes(e.total)} (${formatBytes(e.paramBytes)} for ${thousands(ir.stats.totalParams)} parameters with their gradients and optimizer state, ` +
      `${formatBytes(e.activationBytes)} for the activations of a batch of ${config.batch}), but ${formatBytes(available.bytes)} is ${available.source}: ${advice}`,
  );
}
