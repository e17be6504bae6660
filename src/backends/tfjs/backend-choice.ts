// Kept apart from runtime.ts so that the CLI can name the choices without loading tfjs.
export type BackendChoice = 'auto' | 'gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: BackendChoice[] = ['auto', 'gpu', 'node', 'wasm', 'cpu'];
