/**
 * The language's vocabulary in one place: block kinds, their positional arguments and
 * attributes, training settings. Lowering, the checker, `hwy explain` and editor
 * completion all read this table, so they cannot disagree.
 */

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'softmax', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const INITIALISERS = [
  'glorot_uniform',
  'glorot_normal',
  'he_uniform',
  'he_normal',
  'lecun_uniform',
  'lecun_normal',
  'zeros',
] as const;
export type Initialiser = (typeof INITIALISERS)[number];

export const DATASETS = ['mnist', 'mnist_full', 'cifar10', 'cifar100'] as const;

export type ValueType =
  | { t: 'int'; min?: number; max?: number }
  | { t: 'number'; min?: number; max?: number; maxExclusive?: boolean; minExclusive?: boolean }
  /** a whole number k (meaning k x k) or `a x b` */
  | { t: 'pair' }
  | { t: 'shape' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'bool' }
  | { t: 'string' }
  | { t: 'intlist'; min?: number }
  | { t: 'enumlist'; values: readonly string[] };

export interface AttrSpec {
  name: string;
  type: ValueType;
  doc: string;
  /** Only valid on `highway …` blocks (gate settings). */
  gatedOnly?: boolean;
}

export interface BlockSpec {
  kind: string;
  doc: string;
  /** Accepts the `highway` / `residual` modifiers. */
  gateable?: boolean;
  /** Attributes that positional arguments fill, in the order they are tried. */
  positional: string[];
  attrs: AttrSpec[];
  /** Positional attributes that must be given on a plain (ungated) block. */
  required?: string[];
  example: string;
}

const ACT: AttrSpec = { name: 'activation', type: { t: 'enum', values: ACTIVATIONS }, doc: 'the activation of H (written bare: `dense 10 relu`)' };
const INIT: AttrSpec = { name: 'init', type: { t: 'enum', values: INITIALISERS }, doc: "initialiser of H's weights (default glorot_uniform, Caffe's Xavier)" };
const BIAS_INIT: AttrSpec = { name: 'bias_init', type: { t: 'number' }, doc: "constant initial value of H's bias (default 0)" };
const GATE_BIAS: AttrSpec = {
  name: 'gate_bias',
  type: { t: 'number' },
  doc: 'initial bias b_T of the transform gate; negative starts the layer near carry (identity)',
  gatedOnly: true,
};
const CARRY: AttrSpec = {
  name: 'carry',
  type: { t: 'enum', values: ['coupled', 'free'] },
  doc: 'coupled: C = 1 - T (the paper); free: a carry gate C with its own weights',
  gatedOnly: true,
};
const GATE_INIT: AttrSpec = { name: 'gate_init', type: { t: 'enum', values: INITIALISERS }, doc: "initialiser of the gates' weights", gatedOnly: true };
const PAIR = (name: string, doc: string): AttrSpec => ({ name, type: { t: 'pair' }, doc });
const ROUND: AttrSpec = {
  name: 'round',
  type: { t: 'enum', values: ['floor', 'ceil'] },
  doc: 'how pooled sizes are rounded: floor (tfjs, Keras) or ceil (Caffe, the paper)',
};
const PADDING: AttrSpec = { name: 'padding', type: { t: 'enum', values: ['valid', 'same'] }, doc: 'valid (no padding) or same (zero-padded to keep the size)' };

export const BLOCKS: BlockSpec[] = [
  {
    kind: 'input',
    doc: 'the input of the network: `input 28x28x1` (height x width x channels) or `input 784`',
    positional: ['shape'],
    required: ['shape'],
    attrs: [{ name: 'shape', type: { t: 'shape' }, doc: 'the shape of one example' }],
    example: 'input 28x28x1',
  },
  { kind: 'flatten', doc: 'reshapes feature maps to a vector', positional: [], attrs: [], example: 'flatten' },
  {
    kind: 'dense',
    doc: 'fully connected layer; `highway dense` gates it, `residual dense` adds its input',
    gateable: true,
    positional: ['units', 'activation'],
    required: ['units'],
    attrs: [{ name: 'units', type: { t: 'int', min: 1 }, doc: 'output size (a highway block keeps its input size when omitted)' }, ACT, INIT, BIAS_INIT, GATE_BIAS, CARRY, GATE_INIT],
    example: 'dense 50 relu',
  },
  {
    kind: 'conv',
    doc: '2-D convolution; `highway conv` gates it (zero-padded to keep the size), `residual conv` adds its input',
    gateable: true,
    positional: ['filters', 'kernel', 'activation'],
    required: ['filters', 'kernel'],
    attrs: [
      { name: 'filters', type: { t: 'int', min: 1 }, doc: 'number of output feature maps (a highway block keeps its input count when omitted)' },
      PAIR('kernel', 'receptive field: `3` or `3x3` (default 3x3 for highway and residual blocks)'),
      PAIR('stride', 'step: `1`, `2` or `2x1` (default 1)'),
      PADDING,
      ACT,
      INIT,
      BIAS_INIT,
      GATE_BIAS,
      CARRY,
      GATE_INIT,
    ],
    example: 'conv 32 3x3 relu padding=same',
  },
  {
    kind: 'maxpool',
    doc: 'max pooling over a window',
    positional: ['kernel'],
    required: ['kernel'],
    attrs: [PAIR('kernel', 'window: `2` or `3x3`'), PAIR('stride', 'step (default: the window size)'), PADDING, ROUND],
    example: 'maxpool 3x3 stride=2 round=ceil',
  },
  {
    kind: 'avgpool',
    doc: 'average pooling over a window',
    positional: ['kernel'],
    required: ['kernel'],
    attrs: [PAIR('kernel', 'window: `2` or `8x8`'), PAIR('stride', 'step (default: the window size)'), PADDING, ROUND],
    example: 'avgpool 2x2',
  },
  { kind: 'globalavgpool', doc: 'averages each feature map to one number: HxWxC -> C', positional: [], attrs: [], example: 'globalavgpool' },
  {
    kind: 'dropout',
    doc: 'drops a fraction of its inputs while training',
    positional: ['rate'],
    required: ['rate'],
    attrs: [{ name: 'rate', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'fraction dropped, in [0, 1)' }],
    example: 'dropout 0.5',
  },
  ...ACTIVATIONS.map(
    (a): BlockSpec => ({ kind: a, doc: `applies ${a} element-wise`, positional: [], attrs: [], example: a }),
  ),
  {
    kind: 'expect',
    doc: 'asserts the shape at this point: `expect 7x7x32`; the checker verifies it',
    positional: ['shape'],
    required: ['shape'],
    attrs: [{ name: 'shape', type: { t: 'shape' }, doc: 'the expected shape' }],
    example: 'expect 12x12x16',
  },
  {
    kind: 'defaults',
    doc: 'defaults for the blocks after it in this network: `defaults gate_bias=-2 round=ceil`',
    positional: [],
    attrs: [
      { ...GATE_BIAS, gatedOnly: false },
      { ...CARRY, gatedOnly: false },
      INIT,
      { ...GATE_INIT, gatedOnly: false },
      ROUND,
      { name: 'activation', type: { t: 'enum', values: ACTIVATIONS }, doc: 'activation of highway and residual blocks that name none (default relu)' },
    ],
    example: 'defaults gate_bias=-2 round=ceil',
  },
];

export const SETTINGS: BlockSpec[] = [
  {
    kind: 'data',
    doc: 'the data set: mnist (bundled 10,000 digits), mnist_full, cifar10, cifar100',
    positional: ['name'],
    required: ['name'],
    attrs: [
      { name: 'name', type: { t: 'enum', values: DATASETS }, doc: 'data set name' },
      { name: 'dir', type: { t: 'string' }, doc: 'directory holding the data files' },
      { name: 'normalize', type: { t: 'enum', values: ['scale', 'gcn', 'none'] }, doc: 'scale to [0,1] (default) or global contrast normalisation' },
      { name: 'augment', type: { t: 'enumlist', values: ['translate', 'mirror'] }, doc: 'training augmentation: [translate, mirror]' },
      { name: 'validation', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'fraction of the training data held out (default 0.1)' },
    ],
    example: 'data mnist',
  },
  {
    kind: 'optimizer',
    doc: 'stochastic gradient descent with momentum',
    positional: ['name'],
    attrs: [
      { name: 'name', type: { t: 'enum', values: ['sgd'] }, doc: 'optimizer (sgd)' },
      { name: 'momentum', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'momentum (default 0.9)' },
      { name: 'nesterov', type: { t: 'bool' }, doc: 'Nesterov momentum (default false)' },
    ],
    example: 'optimizer sgd momentum=0.9 nesterov=true',
  },
  {
    kind: 'lr',
    doc: 'learning rate and its schedule',
    positional: ['value'],
    required: ['value'],
    attrs: [
      { name: 'value', type: { t: 'number', min: 0, minExclusive: true }, doc: 'initial learning rate' },
      { name: 'schedule', type: { t: 'enum', values: ['constant', 'exponential', 'multistep'] }, doc: 'constant, exponential (x gamma each epoch) or multistep (x gamma at each listed epoch)' },
      { name: 'gamma', type: { t: 'number', min: 0, minExclusive: true }, doc: 'decay factor (default 0.95 exponential, 0.1 multistep)' },
      { name: 'steps', type: { t: 'intlist', min: 1 }, doc: 'epochs at which multistep decay applies: [10, 20]' },
    ],
    example: 'lr 0.01 schedule=exponential gamma=0.95',
  },
  { kind: 'weight_decay', doc: 'L2 weight decay', positional: ['value'], required: ['value'], attrs: [{ name: 'value', type: { t: 'number', min: 0 }, doc: 'L2 factor' }], example: 'weight_decay 0.001' },
  { kind: 'batch', doc: 'mini-batch size', positional: ['value'], required: ['value'], attrs: [{ name: 'value', type: { t: 'int', min: 1 }, doc: 'examples a step' }], example: 'batch 128' },
  { kind: 'epochs', doc: 'passes over the training data', positional: ['value'], required: ['value'], attrs: [{ name: 'value', type: { t: 'int', min: 1 }, doc: 'epochs' }], example: 'epochs 20' },
  { kind: 'seed', doc: 'random seed: the same seed gives the same run on the same backend', positional: ['value'], required: ['value'], attrs: [{ name: 'value', type: { t: 'int', min: 0 }, doc: 'seed' }], example: 'seed 1' },
];

export const BLOCK_BY_KIND = new Map(BLOCKS.map((b) => [b.kind, b]));
export const SETTING_BY_KIND = new Map(SETTINGS.map((b) => [b.kind, b]));

export function isActivation(name: string): name is Activation {
  return (ACTIVATIONS as readonly string[]).includes(name);
}

/** Names a `let` may not take: they would be read as something else. */
export const RESERVED_NAMES = new Set<string>([...ACTIVATIONS, 'true', 'false', 'x']);
