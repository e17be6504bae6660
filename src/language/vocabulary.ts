/**
 * The words of the language that block kinds share: activations, initialisers, value
 * types and the attributes several blocks take. The layer kinds (./kinds.ts) and the
 * catalogue (./catalogue.ts) both build on it.
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

/** NumPy arrays of your own: an .npz archive, or a directory of .npy files (x_train, y_train, x_test, y_test). */
export const ARRAY_FORMATS = ['npz', 'npy'] as const;
export const DATASETS = ['mnist', 'mnist_full', 'cifar10', 'cifar100', ...ARRAY_FORMATS] as const;
export type DatasetName = (typeof DATASETS)[number];
/** The data sets hwy knows by name: their shape and classes are known without loading them. */
export type NamedDataset = Exclude<DatasetName, (typeof ARRAY_FORMATS)[number]>;

/**
 * What each named data set holds, known without loading it: the compiler checks a spec's
 * input and output layers against it (`hwy check`, the language server), and the loaders
 * build their arrays from it, so the two cannot disagree.
 */
export const DATASET_INFO: Readonly<Record<NamedDataset, { shape: readonly [number, number, number]; classes: number }>> = {
  mnist: { shape: [28, 28, 1], classes: 10 },
  mnist_full: { shape: [28, 28, 1], classes: 10 },
  cifar10: { shape: [32, 32, 3], classes: 10 },
  cifar100: { shape: [32, 32, 3], classes: 100 },
};

/** The table's entry for a name, looked up as data (never a property such as 'constructor'). */
export function datasetInfo(name: string): (typeof DATASET_INFO)[NamedDataset] | undefined {
  return Object.hasOwn(DATASET_INFO, name) ? DATASET_INFO[name as NamedDataset] : undefined;
}

export type ValueType =
  | { t: 'int'; min?: number; max?: number }
  /** `names`: words it takes besides numbers (`gate_bias=auto`), each meaning "as if not written". */
  | { t: 'number'; min?: number; max?: number; maxExclusive?: boolean; minExclusive?: boolean; names?: readonly string[] }
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

export const ACT: AttrSpec = { name: 'activation', type: { t: 'enum', values: ACTIVATIONS }, doc: 'the activation of H (written bare: `dense 10 relu`)' };
export const INIT: AttrSpec = { name: 'init', type: { t: 'enum', values: INITIALISERS }, doc: "initialiser of H's weights (default glorot_uniform, Caffe's Xavier)" };
export const BIAS_INIT: AttrSpec = { name: 'bias_init', type: { t: 'number' }, doc: "constant initial value of H's bias (default 0)" };
export const GATE_BIAS: AttrSpec = {
  name: 'gate_bias',
  type: { t: 'number', names: ['auto'] },
  doc: "initial bias b_T of the transform gate; negative starts the layer near carry (identity); auto: as if not written (the network's defaults, else the paper's guideline for the depth)",
  gatedOnly: true,
};
export const CARRY: AttrSpec = {
  name: 'carry',
  type: { t: 'enum', values: ['coupled', 'free'] },
  doc: 'coupled: C = 1 - T (the paper); free: a carry gate C with its own weights',
  gatedOnly: true,
};
export const GATE_INIT: AttrSpec = { name: 'gate_init', type: { t: 'enum', values: INITIALISERS }, doc: "initialiser of the gates' weights", gatedOnly: true };
export const PAIR = (name: string, doc: string): AttrSpec => ({ name, type: { t: 'pair' }, doc });
export const ROUND: AttrSpec = {
  name: 'round',
  type: { t: 'enum', values: ['floor', 'ceil'] },
  doc: 'how pooled sizes are rounded: floor (tfjs, Keras) or ceil (Caffe, the paper)',
};
export const PADDING: AttrSpec = { name: 'padding', type: { t: 'enum', values: ['valid', 'same'] }, doc: 'valid (no padding) or same (zero-padded to keep the size)' };


export function isActivation(name: string): name is Activation {
  return (ACTIVATIONS as readonly string[]).includes(name);
}
