import type { NetworkIR } from './types.js';

export function irToJson(ir: NetworkIR): string {
  return JSON.stringify(ir, null, 2) + '\n';
}
