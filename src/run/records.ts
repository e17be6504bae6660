// Schemas of the run records hwy reads back (run.json, model/state.json): a record is
// checked before any of its values is used, so that a hand-edited or damaged file is
// refused with the field at fault instead of training with batch 0 or a NaN epoch.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { TRAIN_CONFIG_SCHEMA } from '../ir/schema.js';
import { MONITOR_RECORD_SCHEMA, MONITOR_SETTINGS_SCHEMA } from './monitor.js';

/** The IR's train config, except that runs recorded before cosine schedules and warm-up lack those fields (resume fills them in: normalizeConfig). */
const TRAIN_CONFIG = (() => {
  const c = structuredClone(TRAIN_CONFIG_SCHEMA) as unknown as { properties: { lr: { required: string[] } } };
  c.properties.lr.required = c.properties.lr.required.filter((f) => !['minLr', 'warmup', 'warmupSteps'].includes(f));
  return c;
})();
const strings = { type: 'array', items: { type: 'string' } } as const;

/** What a result depends on besides the spec; engines add their own versions (additional fields). */
const ENVIRONMENT = {
  type: 'object',
  required: ['hwy', 'node', 'backend', 'platform'],
  properties: { hwy: { type: 'string' }, node: { type: 'string' }, tfjs: { type: 'string' }, backend: { type: 'string' }, platform: { type: 'string' } },
} as const;

export const RUN_RECORD_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://unpkg.com/hwy-lang/schema/run-v1.json',
  title: 'hwy run record (run.json)',
  description: "What a run directory's run.json records: the spec, its overrides, the training configuration and the environment of each session.",
  type: 'object',
  required: ['hwyVersion', 'specFile', 'network', 'overrides', 'config', 'data', 'backend', 'createdAt'],
  properties: {
    hwyVersion: { type: 'string' },
    specFile: { type: 'string' },
    network: { type: 'string', minLength: 1 },
    overrides: { type: 'object', additionalProperties: { anyOf: [{ type: 'number' }, { type: 'string' }] } },
    settings: strings,
    config: TRAIN_CONFIG,
    data: { type: 'string' },
    dataFile: {
      type: 'object',
      required: ['path', 'sha256'],
      additionalProperties: false,
      properties: { path: { type: 'string', minLength: 1 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    },
    backend: { type: 'string', minLength: 1 },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    command: strings,
    environment: ENVIRONMENT,
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'fromEpoch', 'epochs'],
        properties: { at: { type: 'string' }, command: strings, fromEpoch: { type: 'integer', minimum: 0 }, fromStep: { type: 'integer', minimum: 0 }, epochs: { type: 'integer', minimum: 1 }, lr: { type: 'number', exclusiveMinimum: 0 }, dataDir: { type: 'string' }, environment: ENVIRONMENT, patience: { type: 'integer', minimum: 1 }, minDelta: { type: 'number', minimum: 0 } },
      },
    },
    monitor: MONITOR_SETTINGS_SCHEMA,
    tensorboard: { type: 'boolean' },
    stopped: {
      type: 'object',
      required: ['reason', 'epoch', 'at', 'message'],
      properties: { reason: { enum: ['early-stopping'] }, epoch: { type: 'integer', minimum: 1 }, at: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const TRAIN_STATE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://unpkg.com/hwy-lang/schema/state-v1.json',
  title: 'hwy training state (model/state.json)',
  description: 'Where a checkpoint stands: epoch, step within it, partial metrics and the checksum of its weights.',
  type: 'object',
  required: ['epoch', 'step', 'partial', 'status', 'savedAt'],
  properties: {
    epoch: { type: 'integer', minimum: 0 },
    step: { type: 'integer', minimum: 0 },
    partial: {
      type: 'object',
      required: ['lossSum', 'correct', 'seen', 'seconds'],
      additionalProperties: false,
      properties: { lossSum: { type: 'number', minimum: 0 }, correct: { type: 'number', minimum: 0 }, seen: { type: 'integer', minimum: 0 }, seconds: { type: 'number', minimum: 0 } },
    },
    status: { enum: ['running', 'interrupted', 'done', 'diverged'] },
    savedAt: { type: 'string' },
    weightsSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    sha256: {
      description: "The SHA-256 of every other file of the checkpoint, by name: a file that does not match, or one that is not listed, is never loaded.",
      type: 'object',
      propertyNames: { enum: ['model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'torch.pt'] },
      additionalProperties: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    },
    bytes: {
      description: 'The size of every file `sha256` lists, by name: a file of another size is refused before it is read.',
      type: 'object',
      propertyNames: { enum: ['model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'torch.pt'] },
      additionalProperties: { type: 'integer', minimum: 0 },
    },
    monitor: MONITOR_RECORD_SCHEMA,
  },
} as const;

let ajv: Ajv2020 | undefined;
const compiled = new Map<object, ValidateFunction>();
function validator(schema: object): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    ajv ??= new Ajv2020({ allErrors: true, strict: true });
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** The schema's complaints about `data`, as `field.path must …` lines; empty when it is valid. */
export function schemaProblems(schema: object, data: unknown): string[] {
  const v = validator(schema);
  if (v(data)) return [];
  return (v.errors ?? []).map((e) => {
    const field = e.instancePath.slice(1).replace(/\//g, '.');
    const extra = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
    return `${field ? field + ' ' : ''}${e.message ?? 'is invalid'}${extra}${found(data, e.instancePath)}`;
  });
}

/** `, not -1`: the value at fault, when it is a single value (a person editing the file looks for it). */
function found(data: unknown, pointer: string): string {
  let v: unknown = data;
  for (const key of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return '';
    v = (v as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (v !== null && typeof v === 'object') return '';
  const text = JSON.stringify(v) ?? String(v);
  return `, not ${text.length > 40 ? text.slice(0, 40) + '…' : text}`;
}
