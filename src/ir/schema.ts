import { IR_SCHEMA_ID, IR_VERSION, type FieldKey, type Layer, type LayerKind } from './types.js';
import { KINDS, LAYER_KINDS } from '../language/kinds.js';
import { ACTIVATIONS, DATASETS, INITIALISERS, OPTIMIZER_DEFAULTS, type OptimizerConfig, type OptimizerName } from '../language/catalogue.js';

// The schema names its parts in $defs (and refers to them) so that the shipped file reads
// as documentation and editors show each part's description.
const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
const layerDef = (kind: LayerKind) => `${kind}Layer`;

const POSITION = {
  description: 'A position in the spec: 1-based line and column, 0-based character offset.',
  type: 'object',
  required: ['line', 'col', 'offset'],
  properties: { line: { type: 'integer', minimum: 1 }, col: { type: 'integer', minimum: 1 }, offset: { type: 'integer', minimum: 0 } },
  additionalProperties: false,
};
const SPAN = {
  description: 'Where in the spec something was written: the file and the start and end positions.',
  type: 'object',
  required: ['file', 'start', 'end'],
  properties: { file: { type: 'string' }, start: ref('position'), end: ref('position') },
  additionalProperties: false,
};
const SHAPE = { description: 'The shape of one example: [size] for a vector, [height, width, channels] for feature maps.', type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: 3 };
const PAIR = { description: 'Two sizes: [height, width].', type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 };
const INITIALISER = { description: 'A weight initialiser.', enum: [...INITIALISERS] };

/** Every field a layer kind may have: a new field in src/ir/types.ts is a compile error here until it has a schema. */
type AnyField = Layer extends infer L ? (L extends Layer ? FieldKey<L> : never) : never;
const FIELD_SCHEMA: Record<AnyField, object> = {
  shape: { ...ref('shape'), description: 'The shape of one input example.' },
  units: { description: 'Output size of a fully connected layer.', type: 'integer', minimum: 1 },
  filters: { description: 'Number of output feature maps.', type: 'integer', minimum: 1 },
  kernel: { ...ref('pair'), description: 'Kernel (or pooling window) height and width.' },
  stride: { ...ref('pair'), description: 'Stride: rows and columns.' },
  padding: { description: "'same' zero-pads to keep the size (at stride 1); 'valid' does not pad.", enum: ['valid', 'same'] },
  round: { description: 'How a pooling window that does not fit rounds the output size.', enum: ['floor', 'ceil'] },
  activation: { description: 'The activation applied to the layer output (the transform H of a highway block).', enum: [...ACTIVATIONS] },
  init: { ...ref('initialiser'), description: 'Initialiser of the kernel weights.' },
  biasInit: { description: 'Initial value of the biases.', type: 'number' },
  gateBias: { description: 'Initial bias of the transform gate T; negative starts the block carrying its input.', type: 'number' },
  carry: { description: "'coupled': the carry gate is 1 - T; 'free': a carry gate C with its own weights.", enum: ['coupled', 'free'] },
  gateInit: { ...ref('initialiser'), description: 'Initialiser of the gate weights.' },
  rate: { description: 'Fraction of the inputs dropped while training, in [0, 1).', type: 'number', minimum: 0, exclusiveMaximum: 1 },
};

function kindDescription(kind: LayerKind): string {
  const syntax = KINDS[kind].syntax;
  if ('modifier' in syntax) return `A ${syntax.modifier} block around a ${syntax.of} layer (\`${syntax.modifier} ${syntax.of}\` in a spec).`;
  if (kind === 'activation') return `An activation layer: one of the keywords ${ACTIVATIONS.join(', ')}.`;
  return `\`${syntax.blocks[0].kind}\`: ${syntax.blocks[0].doc}.`;
}

/** Every optimizer field: a new one in src/language/optimizers.ts is a compile error here until it has a schema. */
type OptimizerField = Exclude<OptimizerConfig extends infer O ? (O extends OptimizerConfig ? keyof O : never) : never, 'name'>;
const OPTIMIZER_FIELD_SCHEMA: Record<string, object> & Record<OptimizerField, object> = {
  momentum: { description: 'Momentum (SGD: the velocity factor; RMSprop: momentum on the scaled step).', type: 'number', minimum: 0, exclusiveMaximum: 1 },
  nesterov: { description: 'Nesterov momentum (SGD).', type: 'boolean' },
  beta1: { description: 'Decay of the first-moment estimate (Adam, AdamW).', type: 'number', minimum: 0, exclusiveMaximum: 1 },
  beta2: { description: 'Decay of the second-moment estimate (Adam, AdamW).', type: 'number', minimum: 0, exclusiveMaximum: 1 },
  epsilon: { description: 'Added for numerical stability (Adam: to the root; RMSprop: inside it).', type: 'number', exclusiveMinimum: 0 },
  weightDecay: { description: 'Decoupled weight decay of the kernels (AdamW).', type: 'number', minimum: 0 },
  rho: { description: 'Decay of the squared-gradient average (RMSprop).', type: 'number', minimum: 0, exclusiveMaximum: 1 },
};

/** One schema a kind, from its definition: exactly its fields, required where checked IR always has them. */
const LAYER_DEFS = Object.fromEntries(
  LAYER_KINDS.map((kind) => {
    const fields = Object.entries(KINDS[kind].fields) as [AnyField, 'required' | 'optional'][];
    return [
      layerDef(kind),
      {
        description: kindDescription(kind),
        type: 'object',
        required: ['name', 'kind', 'span', 'inserted', 'given', 'inShape', 'outShape', 'params', 'flops', ...fields.filter(([, need]) => need === 'required').map(([f]) => f)],
        additionalProperties: false,
        properties: {
          name: { description: 'The layer name, unique in the network (dense_1, highway_dense_3, …).', type: 'string', minLength: 1 },
          kind: { const: kind },
          span: { ...ref('span'), description: 'Where the spec writes the layer.' },
          repeat: {
            description: 'Which repetition of which enclosing `repeat` blocks the layer comes from, outermost first.',
            type: 'array',
            items: { type: 'object', required: ['index', 'count'], properties: { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } }, additionalProperties: false },
          },
          inserted: { description: 'True for a projection the compiler inserted (the spec does not write it).', type: 'boolean' },
          given: { description: 'The fields the spec wrote itself; the others are defaults.', type: 'array', items: { type: 'string' } },
          ...Object.fromEntries(fields.map(([f]) => [f, FIELD_SCHEMA[f]])),
          inShape: kind === 'input' ? { description: 'An input layer has no input shape.', type: 'null' } : { ...ref('shape'), description: 'The shape the layer takes.' },
          outShape: { ...ref('shape'), description: 'The shape the layer gives.' },
          params: { description: 'Trainable parameters.', type: 'integer', minimum: 0 },
          flops: { description: "Floating-point operations of one example's forward pass (a multiply-add is 2).", type: 'number', minimum: 0 },
        },
      },
    ];
  }),
);

/** The `train { }` section, resolved (run.json records it too). */
export const TRAIN_CONFIG_SCHEMA = {
  description: 'How to train the network: the `train { }` section with every default filled in.',
  type: 'object',
  required: ['data', 'optimizer', 'lr', 'weightDecay', 'batch', 'epochs', 'seed'],
  additionalProperties: false,
  properties: {
    data: {
      description: 'The data set and its preprocessing.',
      type: 'object',
      required: ['name', 'normalize', 'augment', 'validation'],
      additionalProperties: false,
      properties: {
        name: { enum: [...DATASETS] },
        dir: { description: 'Directory of the data files.', type: 'string' },
        path: { description: 'The .npz file or the directory of .npy files (npz / npy data).', type: 'string' },
        normalize: { description: "'scale' divides pixels by 255, 'gcn' is global contrast normalisation, 'none' keeps 0-255.", enum: ['scale', 'gcn', 'none'] },
        augment: { type: 'array', items: { enum: ['translate', 'mirror'] } },
        validation: { description: 'Fraction of the training data held out for validation.', type: 'number', minimum: 0, exclusiveMaximum: 1 },
      },
    },
    optimizer: {
      description: 'The optimizer and its settings (one branch a name).',
      oneOf: (Object.keys(OPTIMIZER_DEFAULTS) as OptimizerName[]).map((name) => {
        const fields = Object.keys(OPTIMIZER_DEFAULTS[name]);
        return { type: 'object', required: fields, additionalProperties: false, properties: Object.fromEntries(fields.map((f) => [f, f === 'name' ? { const: name } : OPTIMIZER_FIELD_SCHEMA[f]])) };
      }),
    },
    lr: {
      description: 'The learning rate and its schedule.',
      type: 'object',
      required: ['value', 'schedule', 'gamma', 'steps', 'minLr', 'warmup', 'warmupSteps'],
      additionalProperties: false,
      properties: {
        value: { type: 'number', exclusiveMinimum: 0 },
        schedule: { enum: ['constant', 'exponential', 'multistep', 'cosine'] },
        gamma: { description: 'The factor of each decay.', type: 'number', exclusiveMinimum: 0 },
        steps: { description: "The epochs after which a 'multistep' schedule multiplies the rate by gamma.", type: 'array', items: { type: 'integer', minimum: 1 } },
        minLr: { description: "The floor of a 'cosine' schedule.", type: 'number', minimum: 0 },
        warmup: { description: 'Epochs of linear warm-up (0: none).', type: 'integer', minimum: 0 },
        warmupSteps: { description: 'Steps of linear warm-up (0: none).', type: 'integer', minimum: 0 },
      },
    },
    weightDecay: { description: 'L2 decay of the kernel weights.', type: 'number', minimum: 0 },
    batch: { type: 'integer', minimum: 1 },
    epochs: { type: 'integer', minimum: 1 },
    seed: { type: 'integer', minimum: 0 },
  },
} as const;

/** JSON Schema (draft 2020-12) of the network IR that `hwy compile --emit ir` writes; shipped as schema/ir-v1.json. */
export const IR_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: IR_SCHEMA_ID,
  title: 'hwy network IR',
  description: 'A checked highway network, as `hwy compile --emit ir` writes it: every layer with its resolved settings, shapes and counts.',
  type: 'object',
  required: ['irVersion', 'file', 'network', 'constants', 'layers', 'expects', 'train', 'stats'],
  additionalProperties: false,
  properties: {
    $schema: { description: 'The schema the document follows (hwy writes this schema\'s $id).', type: 'string' },
    irVersion: { description: 'The IR version; a hwy reads only its own.', const: IR_VERSION },
    file: { description: 'The spec file the IR was compiled from.', type: 'string' },
    network: { type: 'object', required: ['name', 'span'], properties: { name: { type: 'string' }, span: ref('span') }, additionalProperties: false },
    constants: { description: 'The `let` constants, after `--set` overrides: numbers, or names (`let act = relu`).', type: 'object', additionalProperties: { anyOf: [{ type: 'number' }, { type: 'string' }] } },
    layers: { description: 'The layers in order, the input first, repeats expanded.', type: 'array', items: ref('layer') },
    expects: {
      description: 'The `expect` lines: a shape the spec asserts after a layer.',
      type: 'array',
      items: { type: 'object', required: ['shape', 'after', 'span'], properties: { shape: ref('shape'), after: { description: 'The name of the layer it follows.', type: ['string', 'null'] }, span: ref('span') }, additionalProperties: false },
    },
    train: { description: 'The `train { }` section, or null when the spec has none.', oneOf: [{ type: 'null' }, ref('trainConfig')] },
    // Checked IR always has its counts (the count pass is the last); a draft with errors is never published.
    stats: {
      description: 'Counts over the whole network.',
      type: 'object',
      required: ['totalParams', 'totalFlops', 'weightedLayers', 'highwayLayers', 'residualLayers', 'insertedLayers'],
      additionalProperties: false,
      properties: {
        totalParams: { type: 'integer', minimum: 0 },
        totalFlops: { type: 'number', minimum: 0 },
        weightedLayers: { description: 'Layers with weights (the depth as the paper counts it).', type: 'integer', minimum: 0 },
        highwayLayers: { type: 'integer', minimum: 0 },
        residualLayers: { type: 'integer', minimum: 0 },
        insertedLayers: { description: 'Projections the compiler inserted.', type: 'integer', minimum: 0 },
      },
    },
  },
  $defs: {
    position: POSITION,
    span: SPAN,
    shape: SHAPE,
    pair: PAIR,
    initialiser: INITIALISER,
    trainConfig: TRAIN_CONFIG_SCHEMA,
    layer: {
      description: 'One layer; `kind` says which, and each kind has exactly its own fields.',
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string' } },
      discriminator: { propertyName: 'kind' },
      oneOf: LAYER_KINDS.map((kind) => ref(layerDef(kind))),
    },
    ...LAYER_DEFS,
  },
} as const;
