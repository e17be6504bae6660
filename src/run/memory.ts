import { freemem } from 'node:os';
import { optimizerSlots } from '../language/optimizers.js';
import type { NetworkIR, TrainConfig } from '../ir/types.js';
import { isGated } from '../language/kinds.js';
import { shapeSize } from '../language/shape.js';

/** The environment variable that caps the memory a training may plan for (bytes, or with K, M, G, T: powers of 1024). */
export const MEMORY_LIMIT_ENV = 'HWY_MEMORY_LIMIT';

const F32 = 4;

export interface MemoryEstimate {
  /** Weights, their gradients and the optimizer's slots (momentum: one per weight; Adam, RMSprop: two). */
  paramBytes: number;
  /** Layer outputs of one batch, kept for the backward pass (about twice: values and gradients). */
  activationBytes: number;
  total: number;
}

/**
 * What training a network needs, from the IR's counts, before anything is allocated. A lower
 * bound of the order that matters: the engines add workspace, but a network this estimate
 * does not fit cannot train, and it saves a run that would eat the machine's memory and crash.
 */
export function estimateTrainingMemory(ir: NetworkIR, config: Pick<TrainConfig, 'batch' | 'optimizer'>): MemoryEstimate {
  const slots = optimizerSlots(config.optimizer);
  const paramBytes = ir.stats.totalParams * F32 * (2 + slots);
  // a gated block keeps H and T besides its output
  const perExample = ir.layers.reduce((a, l) => a + shapeSize(l.outShape) * (isGated(l) ? 3 : 1), 0);
  const activationBytes = perExample * config.batch * F32 * 2;
  return { paramBytes, activationBytes, total: paramBytes + activationBytes };
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
}

/** A limit as HWY_MEMORY_LIMIT writes it: 8G, 512M, 1073741824. */
export function parseMemoryLimit(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * 1024 ** ' kmgt'.indexOf(m[2].toLowerCase() || ' ');
  return n > 0 && Number.isFinite(n) ? n : undefined;
}

export class NotEnoughMemory extends Error {}

/**
 * The memory a training may use: an explicit limit (HWY_MEMORY_LIMIT), else what the
 * operating system says is available now (os.freemem, which is MemAvailable on Linux).
 * The device is not known yet when this runs, so a CUDA run is held to host memory too;
 * HWY_MEMORY_LIMIT sets the bound to plan for instead (such as the GPU's memory).
 */
export function memoryAvailable(env: NodeJS.ProcessEnv = process.env): { bytes: number; source: string } {
  const text = env[MEMORY_LIMIT_ENV];
  if (text !== undefined && text !== '') {
    const bytes = parseMemoryLimit(text);
    if (bytes === undefined) throw new NotEnoughMemory(`${MEMORY_LIMIT_ENV}='${text}' is not a size: write bytes, or a number with K, M, G or T (such as 8G)`);
    return { bytes, source: `the limit ${MEMORY_LIMIT_ENV}=${text}` };
  }
  return { bytes: freemem(), source: 'available on this machine' };
}

/** Refuses, before the engine or the data is touched, a training the estimate says cannot fit. */
export function checkMemory(ir: NetworkIR, config: Pick<TrainConfig, 'batch' | 'optimizer'>, available = memoryAvailable()): MemoryEstimate {
  const e = estimateTrainingMemory(ir, config);
  if (e.total <= available.bytes) return e;
  const advice =
    e.activationBytes > e.paramBytes
      ? `lower the batch (--batch; ${config.batch} now), or make the layers narrower or the feature maps smaller`
      : 'make the layers narrower (fewer units or filters) or the network shallower (fewer repeats)';
  throw new NotEnoughMemory(
    `training ${ir.network.name} needs about ${formatBytes(e.total)} (${formatBytes(e.paramBytes)} for ${ir.stats.totalParams.toLocaleString('en-US')} parameters with their gradients and optimizer state, ` +
      `${formatBytes(e.activationBytes)} for the activations of a batch of ${config.batch}), but ${formatBytes(available.bytes)} is ${available.source}: ${advice}`,
  );
}
