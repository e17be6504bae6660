import { IR_SCHEMA_ID, type NetworkIR } from './types.js';

/** IR as a JSON document; `$schema` lets editors and validators find its schema. */
export function irToJson(ir: NetworkIR): string {
  return JSON.stringify({ $schema: IR_SCHEMA_ID, ...ir }, null, 2) + '\n';
}
