import { IR_VERSION, type FieldKey, type Layer } from './types.js';
import { KINDS, LAYER_KINDS } from '../language/kinds.js';
import { ACTIVATIONS, INITIALISERS, OPTIMIZER_DEFAULTS, type OptimizerConfig, type OptimizerName } from '../language/catalogue.js';

const pos = { type: 'object', required: ['line', 'col', 'offset'], properties: { line: { type: 'integer', minimum: 1 }, col: { type: 'integer', minimum: 1 }, offset: { type: 'integer', minimum: 0 } }, additionalProperties: false };
const span = { type: 'object', required: ['file', 'start', 'end'], properties: { file: { type: 'string' }, start: pos, end: pos }, additionalProperties: false };
const shape = { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: 3 };
const pair = { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 };
const init = { enum: [...INITIALISERS] };

/** Every field a layer kind may have: a new field in src/ir/types.ts is a compile error here until it has a schema. */
type AnyField = Layer extends infer L ? (L extends Layer ? FieldKey<L> : never) : never;
const FIELD_SCHEMA: Record<AnyField, object> = {
  shape,
  units: { type: 'integer', minimum: 1 },
  filters: { type: 'integer', minimum: 1 },
  kernel: pair,
  stride: pair,
  padding: { enum: ['valid', 'same'] },
  round: { enum: ['floor', 'ceil'] },
  activation: { enum: [...ACTIVATIONS] },
  init,
  biasInit: { type: 'number' },
  gateBias: { type: 'number' },
  carry: { enum: ['coupled', 'free'] },
  gateInit: init,
  rate: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
};

/** Every optimizer field: a new one in src/language/optimizers.ts is a compile error here until it has a schema. */
type OptimizerField = Exclude<OptimizerConfig extends infer O ? (O extends OptimizerConfig ? keyof O : never) : never, 'name'>;
const OPTIMIZER_FIELD_SCHEMA: Record<string, object> & Record<OptimizerField, object> = {
  momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  nesterov: { type: 'boolean' },
  beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  epsilon: { type: 'number', exclusiveMinimum: 0 },
  weightDecay: { type: 'number', minimum: 0 },
  rho: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
};

/** One schema a kind, from its definition: exactly its fields, required where checked IR always has them. */
const LAYER = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { type: 'string' } },
  discriminator: { propertyName: 'kind' },
  oneOf: LAYER_KINDS.map((kind) => {
    const fields = Object.entries(KINDS[kind].fields) as [AnyField, 'required' | 'optional'][];
    return {
      type: 'object',
      required: ['name', 'kind', 'span', 'inserted', 'given', 'inShape', 'outShape', 'params', 'flops', ...fields.filter(([, need]) => need === 'required').map(([f]) => f)],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        kind: { const: kind },
        span,
        repeat: { type: 'array', items: { type: 'object', required: ['index', 'count'], properties: { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } }, additionalProperties: false } },
        inserted: { type: 'boolean' },
        given: { type: 'array', items: { type: 'string' } },
        ...Object.fromEntries(fields.map(([f]) => [f, FIELD_SCHEMA[f]])),
        inShape: kind === 'input' ? { type: 'null' } : shape,
        outShape: shape,
        params: { type: 'integer', minimum: 0 },
        flops: { type: 'number', minimum: 0 },
      },
    };
  }),
};

/** JSON Schema (draft 2020-12 subset) of the network IR that `hwy compile --emit ir` writes. */
export const IR_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://hwy.dev/schema/ir-v1.json',
  title: 'hwy network IR',
  type: 'object',
  required: ['irVersion', 'file', 'network', 'constants', 'layers', 'expects', 'train', 'stats'],
  additionalProperties: false,
  properties: {
    irVersion: { const: IR_VERSION },
    file: { type: 'string' },
    network: { type: 'object', required: ['name', 'span'], properties: { name: { type: 'string' }, span }, additionalProperties: false },
    constants: { type: 'object', additionalProperties: { type: 'number' } },
    layers: { type: 'array', items: LAYER },
    expects: { type: 'array', items: { type: 'object', required: ['shape', 'after', 'span'], properties: { shape, after: { type: ['string', 'null'] }, span }, additionalProperties: false } },
    train: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['data', 'optimizer', 'lr', 'weightDecay', 'batch', 'epochs', 'seed'],
          additionalProperties: false,
          properties: {
            data: {
              type: 'object',
              required: ['name', 'normalize', 'augment', 'validation'],
              additionalProperties: false,
              properties: {
                name: { enum: ['mnist', 'mnist_full', 'cifar10', 'cifar100'] },
                dir: { type: 'string' },
                normalize: { enum: ['scale', 'gcn', 'none'] },
                augment: { type: 'array', items: { enum: ['translate', 'mirror'] } },
                validation: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
              },
            },
            optimizer: {
              oneOf: (Object.keys(OPTIMIZER_DEFAULTS) as OptimizerName[]).map((name) => {
                const fields = Object.keys(OPTIMIZER_DEFAULTS[name]);
                return { type: 'object', required: fields, additionalProperties: false, properties: Object.fromEntries(fields.map((f) => [f, f === 'name' ? { const: name } : OPTIMIZER_FIELD_SCHEMA[f]])) };
              }),
            },
            lr: {
              type: 'object',
              required: ['value', 'schedule', 'gamma', 'steps', 'minLr', 'warmup', 'warmupSteps'],
              additionalProperties: false,
              properties: {
                value: { type: 'number', exclusiveMinimum: 0 },
                schedule: { enum: ['constant', 'exponential', 'multistep', 'cosine'] },
                gamma: { type: 'number', exclusiveMinimum: 0 },
                steps: { type: 'array', items: { type: 'integer', minimum: 1 } },
                minLr: { type: 'number', minimum: 0 },
                warmup: { type: 'integer', minimum: 0 },
                warmupSteps: { type: 'integer', minimum: 0 },
              },
            },
            weightDecay: { type: 'number', minimum: 0 },
            batch: { type: 'integer', minimum: 1 },
            epochs: { type: 'integer', minimum: 1 },
            seed: { type: 'integer', minimum: 0 },
          },
        },
      ],
    },
    // Checked IR always has its counts (the count pass is the last); a draft with errors is never published.
    stats: {
      type: 'object',
      required: ['totalParams', 'totalFlops', 'weightedLayers', 'highwayLayers', 'residualLayers', 'insertedLayers'],
      additionalProperties: false,
      properties: {
        totalParams: { type: 'integer', minimum: 0 },
        totalFlops: { type: 'number', minimum: 0 },
        weightedLayers: { type: 'integer', minimum: 0 },
        highwayLayers: { type: 'integer', minimum: 0 },
        residualLayers: { type: 'integer', minimum: 0 },
        insertedLayers: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;
