import { freemem } from 'node:os';
import type { NetworkIR, TrainConfig } from '../ir/types.js';
import { NotEnoughMemory, estimateTrainingMemory, refuseWhatCannotFit, type MemoryEstimate } from '../backends/memory.js';
import { formatBytes } from '../util/bytes.js';

/** The environment variable that caps the memory a training may plan for (bytes, or with K, M, G, T: powers of 1024). */
export const MEMORY_LIMIT_ENV = 'HWY_MEMORY_LIMIT';

// the estimate lives with the backends, which the summary (backends/text) shares
export { NotEnoughMemory, estimateTrainingMemory, type MemoryEstimate };

export { formatBytes };

/** A limit as HWY_MEMORY_LIMIT writes it: 8G, 512M, 1073741824. */
export function parseMemoryLimit(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * 1024 ** ' kmgt'.indexOf(m[2].toLowerCase() || ' ');
  return n > 0 && Number.isFinite(n) ? n : undefined;
}

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
  return refuseWhatCannotFit(ir, config, available, '--batch');
}
