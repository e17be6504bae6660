// The contract between the playground page and its in-browser trainer (train/trainer.ts).
// The page knows only these types; the trainer owns tfjs, its backend and the data.
import type { NetworkIR } from '../../ir/types.js';

/** The backend the trainer ended up on, and, when it is not the GPU, why. */
export interface BackendReport {
  name: 'webgpu' | 'webgl' | 'wasm' | 'cpu';
  why?: string;
}

export interface StepReport {
  epoch: number; // 1-based
  step: number; // 1-based within the epoch
  steps: number; // steps in the epoch
  loss: number;
  samplesPerSec: number;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  samplesPerSec: number;
  /** per gated block: the mean transform-gate activity of each unit/channel on a validation batch */
  gates: { layer: string; mean: number[] }[];
}

export interface TrainerOptions {
  ir: NetworkIR;
  /** where the site serves the bundled MNIST files (data/*.gz) */
  dataUrl: string;
  /** overrides the spec's train { seed } */
  seed?: number;
  /** 'auto' tries webgpu, then webgl, then wasm */
  backend?: 'auto' | 'webgpu' | 'webgl' | 'wasm';
  /** where the site serves tfjs-backend-wasm's .wasm files (default: beside the page) */
  wasmUrl?: string;
}

export interface Trainer {
  readonly backend: BackendReport;
  /**
   * trains up to `epochs` more epochs; resolves when they are done or stop() was called (run
   * again to continue where it stopped). Rejects with a one-line message when training cannot
   * go on: diverged, or the WebGL context was lost; the weights of the last finished epoch are
   * kept then, and `backend` says where training goes on.
   */
  run(epochs: number, on: { step?(s: StepReport): void; epoch?(e: EpochReport): void }): Promise<void>;
  stop(): void;
  /** class probabilities for one 28x28 grey image, values 0..1, row-major */
  predict(pixels: Float32Array): Float32Array;
  /** the trained model as tfjs files (model.json + weights.bin) that hwy-lang/layers loads */
  exportModel(): Promise<{ name: string; data: Blob }[]>;
  dispose(): void;
}

export type CreateTrainer = (opts: TrainerOptions) => Promise<Trainer>;
