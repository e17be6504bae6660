import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { IR_SCHEMA } from './schema.js';
import { IR_VERSION, type NetworkIR } from './types.js';
import { LAYER_KINDS } from '../language/kinds.js';

// Reading IR validates it with ajv; writing does not need it (see ./write.ts), so commands
// that only write never load ajv.
let validator: ValidateFunction | undefined;
function getValidator(): ValidateFunction {
  return (validator ??= new Ajv2020({ allErrors: true, strict: true, discriminator: true }).compile(IR_SCHEMA));
}

export { irToJson } from './write.js';

export type IrParseResult = { ok: true; ir: NetworkIR } | { ok: false; errors: string[] };

/** Reads IR that comes from outside (a file, another tool): JSON syntax, then the schema. */
export function irFromJson(text: string): IrParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`not JSON: ${(e as Error).message}`] };
  }
  return validateIr(data);
}

export function validateIr(data: unknown): IrParseResult {
  // IR of another version fails the schema at every changed field; one line says why instead.
  const version = typeof data === 'object' && data !== null ? (data as { irVersion?: unknown }).irVersion : undefined;
  if (version !== undefined && version !== IR_VERSION) {
    return { ok: false, errors: [`it is IR version ${JSON.stringify(version)}, this hwy reads version ${IR_VERSION}: compile the spec again with this hwy`] };
  }
  const v = getValidator();
  if (v(data)) {
    // `$schema` names the document's schema; it is no part of the network.
    const { $schema: _, ...ir } = data as NetworkIR & { $schema?: string };
    return { ok: true, ir };
  }
  return {
    ok: false,
    errors: (v.errors ?? []).map((e) =>
      // A layer of no known kind: say so at the kind itself, with the kinds there are.
      e.keyword === 'discriminator' && e.params.error === 'mapping'
        ? `${e.instancePath}/kind must be one of ${LAYER_KINDS.join(', ')}`
        : `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    ),
  };
}
