import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

import type { BackendChoice } from './backend-choice.js';
export { BACKEND_CHOICES, type BackendChoice } from './backend-choice.js';

export interface RuntimeInfo {
  /** tfjs backend name: tensorflow, wasm or cpu. */
  backend: string;
  /** What we call it: gpu, node, wasm, cpu. */
  kind: Exclude<BackendChoice, 'auto'>;
  reason: string;
}

export class BackendUnavailable extends Error {}

async function tryImport(name: string): Promise<boolean> {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

/** The optional native packages download libtensorflow when they install; where that failed they are simply absent. */
async function tryNative(kind: 'gpu' | 'node'): Promise<string | undefined> {
  const pkg = kind === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  if (!(await tryImport(pkg))) return `${pkg} not installed`;
  if (!(await tf.setBackend('tensorflow'))) return `${pkg} is installed but its backend did not start`;
  return undefined;
}

/** Selects and initialises a tfjs backend; `auto` takes the fastest available and says why. */
export async function selectBackend(choice: BackendChoice): Promise<RuntimeInfo> {
  const notes: string[] = [];
  const want = choice === 'auto' ? (['gpu', 'node', 'wasm', 'cpu'] as const) : ([choice] as const);
  for (const kind of want) {
    if (kind === 'gpu' || kind === 'node') {
      const why = await tryNative(kind);
      if (!why) return { backend: 'tensorflow', kind, reason: choice === 'auto' ? `the fastest available (${kind === 'gpu' ? 'CUDA' : 'native TensorFlow'})` : 'as asked' };
      notes.push(why);
      if (choice !== 'auto') {
        const how = kind === 'gpu' ? 'npm install @tensorflow/tfjs-node-gpu (downloads libtensorflow; needs CUDA 11.2 and cuDNN 8.1)' : 'npm install @tensorflow/tfjs-node (downloads libtensorflow)';
        throw new BackendUnavailable(`--backend ${kind}: ${why}; install it with: ${how}`);
      }
      continue;
    }
    if (kind === 'wasm') {
      try {
        await import('@tensorflow/tfjs-backend-wasm');
        registerWasmTrainingKernels();
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return { backend: 'wasm', kind, reason: choice === 'auto' ? `the fastest available here: ${notes.join(', ')}` : 'as asked' };
        }
        notes.push('the wasm backend did not start');
      } catch (e) {
        notes.push(`the wasm backend failed to load: ${(e as Error).message}`);
      }
      if (choice !== 'auto') throw new BackendUnavailable(`--backend wasm: ${notes.at(-1)}`);
      continue;
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return { backend: 'cpu', kind: 'cpu', reason: choice === 'auto' ? `nothing faster available (${notes.join('; ')})` : 'as asked (pure JavaScript: slow for convolutions)' };
  }
  throw new BackendUnavailable(`no backend available: ${notes.join('; ')}`);
}

export { tf };
