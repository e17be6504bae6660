/**
 * The language's vocabulary in one place: block kinds, their positional arguments and
 * attributes, training settings. Lowering, the checker, `hwy explain` and editor
 * completion all read this table, so they cannot disagree. The blocks that write layers
 * come from the layer kinds (./kinds.ts); the statements and settings are here.
 */
import { LAYER_BLOCKS } from './kinds.js';
import { ACTIVATIONS, CARRY, DATASETS, GATE_BIAS, GATE_INIT, INIT, ROUND, type BlockSpec } from './vocabulary.js';
import { OPTIMIZER_NAMES } from './optimizers.js';

export * from './optimizers.js';

export * from './vocabulary.js';

export const BLOCKS: BlockSpec[] = [
  ...LAYER_BLOCKS,
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
    doc: 'the data set: mnist (bundled 10,000 digits), mnist_full, cifar10, cifar100, or NumPy arrays of your own: npz "file.npz", npy "directory" (x_train, y_train, optionally x_test, y_test)',
    positional: ['name', 'path'],
    required: ['name'],
    attrs: [
      { name: 'name', type: { t: 'enum', values: DATASETS }, doc: 'data set name' },
      { name: 'dir', type: { t: 'string' }, doc: 'directory holding the data files' },
      { name: 'path', type: { t: 'string' }, doc: 'npz: the .npz file; npy: the directory of .npy files (relative to the working directory)' },
      { name: 'normalize', type: { t: 'enum', values: ['scale', 'gcn', 'none'] }, doc: 'scale to [0,1] (default) or global contrast normalisation' },
      { name: 'augment', type: { t: 'enumlist', values: ['translate', 'mirror'] }, doc: 'training augmentation: [translate, mirror]' },
      { name: 'validation', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'fraction of the training data held out (default 0.1)' },
    ],
    example: 'data mnist',
  },
  {
    kind: 'optimizer',
    doc: 'the optimizer: sgd (momentum, Nesterov), adam, adamw (decoupled weight decay) or rmsprop; each takes only its own attributes',
    positional: ['name'],
    attrs: [
      { name: 'name', type: { t: 'enum', values: OPTIMIZER_NAMES }, doc: 'optimizer: sgd (default), adam, adamw, rmsprop' },
      { name: 'momentum', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'sgd: momentum (default 0.9); rmsprop: momentum (default 0)' },
      { name: 'nesterov', type: { t: 'bool' }, doc: 'sgd: Nesterov momentum (default false)' },
      { name: 'beta1', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'adam, adamw: decay of the first-moment (mean) estimate (default 0.9)' },
      { name: 'beta2', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'adam, adamw: decay of the second-moment estimate (default 0.999)' },
      { name: 'epsilon', type: { t: 'number', min: 0, minExclusive: true }, doc: 'adam, adamw: added to the root of the second moment (default 1e-8); rmsprop: added to the mean square under the root (default 1e-7)' },
      { name: 'weight_decay', type: { t: 'number', min: 0 }, doc: 'adamw: decoupled weight decay, kernels times (1 - lr x weight_decay) each step (default 0.01)' },
      { name: 'rho', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'rmsprop: decay of the mean square of the gradients (default 0.9)' },
    ],
    example: 'optimizer sgd momentum=0.9 nesterov=true',
  },
  {
    kind: 'lr',
    doc: 'learning rate, its schedule and an optional linear warm-up',
    positional: ['value'],
    required: ['value'],
    attrs: [
      { name: 'value', type: { t: 'number', min: 0, minExclusive: true }, doc: 'initial learning rate' },
      { name: 'schedule', type: { t: 'enum', values: ['constant', 'exponential', 'multistep', 'cosine'] }, doc: 'constant, exponential (x gamma each epoch), multistep (x gamma at each listed epoch) or cosine (from the rate down to min_lr over the epochs)' },
      { name: 'gamma', type: { t: 'number', min: 0, minExclusive: true }, doc: 'decay factor (default 0.95 exponential, 0.1 multistep)' },
      { name: 'steps', type: { t: 'intlist', min: 1 }, doc: 'epochs at which multistep decay applies: [10, 20]' },
      { name: 'min_lr', type: { t: 'number', min: 0 }, doc: 'cosine: the floor the rate decays towards (default 0)' },
      { name: 'warmup', type: { t: 'int', min: 0 }, doc: 'epochs of linear warm-up: the rate grows step by step from 1/N of the schedule\'s to all of it (default 0)' },
      { name: 'warmup_steps', type: { t: 'int', min: 0 }, doc: 'the same warm-up counted in steps (batches) instead of epochs (default 0)' },
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

/**
 * The names a `let` may hold (`let act = relu`, `let carry_kind = free`, `let gate_bias = auto`):
 * every value a block or setting takes by name. A bare name that is neither a constant nor
 * one of these is an undefined name, so a misspelt constant is still reported.
 */
export const VALUE_NAMES: ReadonlySet<string> = new Set<string>([
  ...[...BLOCKS, ...SETTINGS].flatMap((b) => b.attrs.flatMap((a) => (a.type.t === 'enum' || a.type.t === 'enumlist' ? a.type.values : a.type.t === 'number' ? (a.type.names ?? []) : []))),
  'true',
  'false',
]);

/** Names a `let` may not take: they would be read as something else. */
export const RESERVED_NAMES = new Set<string>([...ACTIVATIONS, 'true', 'false', 'x']);
