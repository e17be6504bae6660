/**
 * One definition per layer kind: how the spec writes it, its IR fields, defaults, shape
 * rule, parameter and FLOP counts, label and flags. The passes and the text emitters read
 * this table instead of testing kind strings; its type makes it exhaustive over
 * `LayerKind`. A new kind is its interface, a member of `Layer` and an entry of `KINDS`,
 * all in this file; the type checker then names each backend's table of lowerings.
 */
import type { Span } from '../diagnostics/types.js';
import { ACT, ACTIVATIONS, BIAS_INIT, CARRY, GATE_BIAS, GATE_INIT, INIT, PADDING, PAIR, ROUND, type Activation, type BlockSpec, type Initialiser } from './vocabulary.js';
import { fmtShape, shapeSize, windowOut, type Shape, type ShapeResult } from './shape.js';

// ---------------------------------------------------------------------------
// The layers of the network IR, one interface a kind.
// ---------------------------------------------------------------------------

export interface RepeatIndex {
  /** 1-based repetition number. */
  index: number;
  count: number;
}

export type Pair = [number, number];
export type Padding = 'valid' | 'same';
export type Rounding = 'floor' | 'ceil';
export type Carry = 'coupled' | 'free';

/** What every layer has; `In` is the input shape's type (null only for the input layer). */
interface LayerBase<K extends string, In = Shape> {
  name: string;
  kind: K;
  span: Span;
  /** Enclosing repeats, outermost first. */
  repeat?: RepeatIndex[];
  /** True for plain layers the projections pass added to change dimensionality. */
  inserted: boolean;
  /** Attributes written in the spec (or by a `defaults` line) rather than resolved. */
  given: string[];
  inShape: In;
  outShape: Shape;
  params: number;
  flops: number;
}

/** The transformation H of a weighted layer: its activation and how its weights start. */
interface Weights {
  activation: Activation;
  init: Initialiser;
  biasInit: number;
}
/** The transform gate T (and the carry gate C when free) of a highway block. */
interface Gates {
  gateBias: number;
  carry: Carry;
  gateInit: Initialiser;
}
/** A window sliding over feature maps (convolution or pooling). */
interface Window {
  kernel: Pair;
  stride: Pair;
  padding: Padding;
}

export interface InputLayer extends LayerBase<'input', null> {
  shape: Shape;
}
export type FlattenLayer = LayerBase<'flatten'>;
export interface DenseLayer extends LayerBase<'dense'>, Weights {
  units: number;
}
export interface ConvLayer extends LayerBase<'conv'>, Window, Weights {
  filters: number;
}
/** `units` only when written: a block keeps its input size (a projection precedes it otherwise). */
export interface HighwayDenseLayer extends LayerBase<'highway_dense'>, Weights, Gates {
  units?: number;
}
export interface HighwayConvLayer extends LayerBase<'highway_conv'>, Window, Weights, Gates {
  filters?: number;
}
export interface ResidualDenseLayer extends LayerBase<'residual_dense'>, Weights {
  units?: number;
}
export interface ResidualConvLayer extends LayerBase<'residual_conv'>, Window, Weights {
  filters?: number;
}
export interface MaxPoolLayer extends LayerBase<'maxpool'>, Window {
  round: Rounding;
}
export interface AvgPoolLayer extends LayerBase<'avgpool'>, Window {
  round: Rounding;
}
export type GlobalAvgPoolLayer = LayerBase<'globalavgpool'>;
export interface DropoutLayer extends LayerBase<'dropout'> {
  rate: number;
}
export interface ActivationLayer extends LayerBase<'activation'> {
  activation: Activation;
}

/**
 * A layer of checked IR: each kind with exactly its fields, required where the passes
 * always set them. A new kind is a member here and an entry of KINDS below; the compiler
 * then names every backend table that must handle it.
 */
export type Layer =
  | InputLayer
  | FlattenLayer
  | DenseLayer
  | ConvLayer
  | HighwayDenseLayer
  | HighwayConvLayer
  | ResidualDenseLayer
  | ResidualConvLayer
  | MaxPoolLayer
  | AvgPoolLayer
  | GlobalAvgPoolLayer
  | DropoutLayer
  | ActivationLayer;

export type LayerKind = Layer['kind'];
export type LayerOf<K extends LayerKind> = Extract<Layer, { kind: K }>;

/** Fields every layer has from expansion on. */
export type IdentityKey = 'name' | 'kind' | 'span' | 'repeat' | 'inserted' | 'given';
/** Fields the shapes and count passes compute. */
export type ComputedKey = 'inShape' | 'outShape' | 'params' | 'flops';
/** The fields of a kind that come from the spec or the resolve pass. */
export type FieldKey<L> = Exclude<keyof L, IdentityKey | ComputedKey>;

/** A layer during the passes: its settings may be missing until resolved, or for good where a value was invalid (reported). */
export type Draft<L> = Pick<L, Extract<keyof L, IdentityKey>> &
  Partial<Pick<L, Extract<keyof L, FieldKey<L> | 'params' | 'flops'>>> & {
    inShape?: Shape | null;
    outShape?: Shape | null;
    /** Set by the shapes pass on a gated block whose input needs a projection. */
    projectFrom?: Shape;
  };
export type DraftLayer = { [K in LayerKind]: Draft<LayerOf<K>> }[LayerKind];
/** A layer whose settings are all present: what a shape rule needs. */
export type Ready<L> = Omit<L, ComputedKey> & Draft<L>;
export type ReadyLayer = { [K in LayerKind]: Ready<LayerOf<K>> }[LayerKind];


// ---------------------------------------------------------------------------
// The definitions.
// ---------------------------------------------------------------------------

/** Every field of a kind, and whether checked IR always has it; the type derives the answer from the layer's interface. */
export type FieldTable<L> = { [P in FieldKey<L>]-?: undefined extends L[P] ? 'optional' : 'required' };

export interface KindFlags {
  /** Has trainable weights (counts towards depth as the paper counts it). */
  weighted: boolean;
  /** A highway block: gates T (and C) around H. */
  gated: boolean;
  /** A residual block: H(x) + x. */
  residual: boolean;
  /** A pooling window whose rounding matters. */
  pooling: boolean;
}

/** What the resolve pass knows beyond the layer itself. */
export interface ResolveContext {
  /** The depth guideline's gate bias for this network (grammar/README.md, "Gate biases"). */
  gateBias: number;
}

export interface KindDef<K extends LayerKind> {
  /**
   * How the spec writes it: the block(s) it owns in the language (keyword, arguments,
   * attributes: the catalogue lists them from here), or a modifier in front of another
   * kind's keyword (`highway dense`).
   */
  syntax: { blocks: readonly BlockSpec[] } | { modifier: 'highway' | 'residual'; of: string };
  /** The kind in words, for messages and labels. */
  word: string;
  fields: FieldTable<LayerOf<K>>;
  flags: KindFlags;
  /** Keys of a `defaults` line that apply to it. */
  takesDefaults: readonly string[];
  /** Fields the keyword itself sets (`relu` is an activation layer with activation relu). */
  fromKeyword?(keyword: string): Partial<LayerOf<K>>;
  /** Fills in what the spec left out (in place, keeping what it gave). */
  resolve?(l: Draft<LayerOf<K>>, ctx: ResolveContext): void;
  /** The shape rule: pure, the shapes pass applies it and reports. */
  shape(l: Ready<LayerOf<K>>, inShape: Shape): ShapeResult;
  params?(l: Ready<LayerOf<K>>, inShape: Shape, outShape: Shape): number;
  /** Floating-point operations for one example's forward pass (a multiply-add is 2). */
  flops?(l: Ready<LayerOf<K>>, inShape: Shape, outShape: Shape): number;
  /** Summary, hover and diagram label. */
  label?(l: Ready<LayerOf<K>>): string;
  /** The plain layer that changes size before a block that keeps it (a projection), and how to describe it. */
  projection?(l: Ready<LayerOf<K>>, from: Shape, to: Shape): { fields: Partial<Layer>; kind: 'dense' | 'conv'; what: string };
}

export type KindTable = { [K in LayerKind]: KindDef<K> };

const WEIGHTS = { activation: 'required', init: 'required', biasInit: 'required' } as const;
const GATES = { gateBias: 'required', carry: 'required', gateInit: 'required' } as const;
const WINDOW = { kernel: 'required', stride: 'required', padding: 'required' } as const;

const NONE: KindFlags = { weighted: false, gated: false, residual: false, pooling: false };
const PLAIN: KindFlags = { ...NONE, weighted: true };
const HIGHWAY: KindFlags = { ...NONE, weighted: true, gated: true };
const RESIDUAL: KindFlags = { ...NONE, weighted: true, residual: true };

type WeightFields = { activation?: Activation; init?: Initialiser; biasInit?: number };
function resolveWeights(l: WeightFields, activation: Activation): void {
  l.activation ??= activation;
  l.init ??= 'glorot_uniform';
  l.biasInit ??= 0;
}
function resolveGates(l: { gateBias?: number; carry?: Carry; gateInit?: Initialiser }, ctx: ResolveContext): void {
  l.gateBias ??= ctx.gateBias;
  l.carry ??= 'coupled';
  l.gateInit ??= 'glorot_uniform';
}
function resolveConvWindow(l: { stride?: Pair; padding?: 'valid' | 'same'; kernel?: Pair }, keepsSize: boolean): void {
  l.stride ??= [1, 1];
  l.padding ??= keepsSize ? 'same' : 'valid';
  if (keepsSize) l.kernel ??= [3, 3];
}
function resolvePool(l: Draft<LayerOf<'maxpool' | 'avgpool'>>): void {
  l.stride ??= l.kernel ? [...l.kernel] : [1, 1];
  l.padding ??= 'valid';
  l.round ??= 'floor';
}

const needVector = (word: string, inShape: Shape): ShapeResult => ({
  out: null,
  error: {
    code: 'HWY3002',
    message: `'${word}' needs a vector but its input is ${fmtShape(inShape)} feature maps`,
    hint: "add 'flatten' before it (or 'globalavgpool' to average each map)",
  },
});
const needMaps = (word: string, inShape: Shape): ShapeResult => ({
  out: null,
  error: {
    code: 'HWY3002',
    message: `'${word}' needs HxWxC feature maps but its input is a vector of ${inShape[0]}`,
    hint: 'convolutions and pooling come before flatten and dense layers; or declare the input as HxWxC',
  },
});

function windowed(l: { kernel: Pair; stride: Pair; padding: 'valid' | 'same'; round?: 'floor' | 'ceil' }, inShape: Shape, channels: number): ShapeResult {
  const [h, w] = inShape;
  const [kh, kw] = l.kernel;
  const [sh, sw] = l.stride;
  if (l.padding === 'valid' && (kh > h || kw > w)) {
    return {
      out: null,
      error: {
        code: 'HWY3003',
        message: `the ${kh}x${kw} window is larger than its ${h}x${w} input`,
        hint: "use a smaller kernel, 'padding=same', or remove a pooling layer before it",
      },
    };
  }
  const round = l.round ?? 'floor';
  return { out: [windowOut(h, kh, sh, l.padding, round), windowOut(w, kw, sw, l.padding, round), channels] };
}

/** A block that keeps its size: a vector of `units` (its input's when omitted). */
function keepVector(word: string, units: number | undefined, inShape: Shape): ShapeResult {
  if (inShape.length !== 1) return needVector(word, inShape);
  const n = units ?? inShape[0];
  return n === inShape[0] ? { out: [n] } : { out: [n], project: inShape };
}
/** A block that keeps its size: feature maps of `filters` channels, stride 1 and same padding. */
function keepMaps(word: string, l: { filters?: number; stride: Pair; padding: 'valid' | 'same' }, inShape: Shape): ShapeResult {
  if (inShape.length !== 3) return needMaps(word, inShape);
  const [sh, sw] = l.stride;
  if (sh !== 1 || sw !== 1 || l.padding !== 'same') {
    return {
      out: null,
      error: {
        code: 'HWY3005',
        message: `a ${word} block keeps its input size, so it needs stride 1 and padding=same`,
        hint: 'change the size with a plain conv or a pooling layer before the block',
      },
    };
  }
  const c = l.filters ?? inShape[2];
  const out = [inShape[0], inShape[1], c];
  return c === inShape[2] ? { out } : { out, project: inShape };
}

/** H, T (and C when the carry gate is free): the weight sets of a highway block. */
const gateCount = (l: { carry: 'coupled' | 'free' }) => (l.carry === 'free' ? 3 : 2);
const strideText = (s: Pair) => (s[0] !== 1 || s[1] !== 1 ? `/${s.join('x')}` : '');

const projectDense = (from: Shape, to: Shape) => ({ kind: 'dense' as const, fields: { units: to[0] }, what: `dense ${fmtShape(from)} -> ${fmtShape(to)}` });
const projectConv = (kernel: Pair, from: Shape, to: Shape) => ({
  kind: 'conv' as const,
  fields: { filters: to[2], kernel: [...kernel] as Pair, stride: [1, 1] as Pair, padding: 'same' as const },
  what: `conv ${kernel.join('x')} ${from[2]} -> ${to[2]} maps`,
});

export const KINDS: KindTable = {
  input: {
    syntax: {
      blocks: [
        {
          kind: 'input',
          doc: 'the input of the network: `input 28x28x1` (height x width x channels) or `input 784`',
          positional: ['shape'],
          required: ['shape'],
          attrs: [{ name: 'shape', type: { t: 'shape' }, doc: 'the shape of one example' }],
          example: 'input 28x28x1',
        },
      ],
    },
    word: 'input',
    fields: { shape: 'required' },
    flags: NONE,
    takesDefaults: [],
    shape: (l) => ({ out: l.shape }),
  },
  flatten: {
    syntax: { blocks: [{ kind: 'flatten', doc: 'reshapes feature maps to a vector', positional: [], attrs: [], example: 'flatten' }] },
    word: 'flatten',
    fields: {},
    flags: NONE,
    takesDefaults: [],
    shape: (_l, inShape) => ({ out: [shapeSize(inShape)] }),
  },
  dense: {
    syntax: {
      blocks: [
        {
          kind: 'dense',
          doc: 'fully connected layer; `highway dense` gates it, `residual dense` adds its input',
          gateable: true,
          positional: ['units', 'activation'],
          required: ['units'],
          attrs: [{ name: 'units', type: { t: 'int', min: 1 }, doc: 'output size (a highway block keeps its input size when omitted)' }, ACT, INIT, BIAS_INIT, GATE_BIAS, CARRY, GATE_INIT],
          example: 'dense 50 relu',
        },
      ],
    },
    word: 'dense',
    fields: { units: 'required', ...WEIGHTS },
    flags: PLAIN,
    takesDefaults: ['init'],
    resolve: (l) => resolveWeights(l, 'linear'),
    shape: (l, inShape) => (inShape.length === 1 ? { out: [l.units] } : needVector('dense', inShape)),
    params: (_l, i, o) => i[0] * o[0] + o[0],
    flops: (_l, i, o) => 2 * i[0] * o[0],
    label: (l) => `dense ${l.activation}`,
  },
  conv: {
    syntax: {
      blocks: [
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
      ],
    },
    word: 'conv',
    fields: { filters: 'required', ...WINDOW, ...WEIGHTS },
    flags: PLAIN,
    takesDefaults: ['init'],
    resolve: (l) => {
      resolveWeights(l, 'linear');
      resolveConvWindow(l, false);
    },
    shape: (l, inShape) => (inShape.length === 3 ? windowed(l, inShape, l.filters) : needMaps('conv', inShape)),
    params: (l, i, o) => l.kernel[0] * l.kernel[1] * i[2] * o[2] + o[2],
    flops: (l, i, o) => 2 * o[0] * o[1] * l.kernel[0] * l.kernel[1] * i[2] * o[2],
    label: (l) => `conv ${l.kernel.join('x')}${strideText(l.stride)} ${l.activation}`,
  },
  highway_dense: {
    syntax: { modifier: 'highway', of: 'dense' },
    word: 'highway dense',
    fields: { units: 'optional', ...WEIGHTS, ...GATES },
    flags: HIGHWAY,
    takesDefaults: ['gate_bias', 'carry', 'gate_init', 'init', 'activation'],
    resolve: (l, ctx) => {
      resolveWeights(l, 'relu');
      resolveGates(l, ctx);
    },
    shape: (l, inShape) => keepVector('highway dense', l.units, inShape),
    params: (l, _i, o) => gateCount(l) * (o[0] * o[0] + o[0]),
    flops: (l, _i, o) => gateCount(l) * 2 * o[0] * o[0] + 4 * shapeSize(o),
    label: (l) => `highway dense ${l.activation}`,
    projection: (_l, from, to) => projectDense(from, to),
  },
  highway_conv: {
    syntax: { modifier: 'highway', of: 'conv' },
    word: 'highway conv',
    fields: { filters: 'optional', ...WINDOW, ...WEIGHTS, ...GATES },
    flags: HIGHWAY,
    takesDefaults: ['gate_bias', 'carry', 'gate_init', 'init', 'activation'],
    resolve: (l, ctx) => {
      resolveWeights(l, 'relu');
      resolveGates(l, ctx);
      resolveConvWindow(l, true);
    },
    shape: (l, inShape) => keepMaps('highway conv', l, inShape),
    params: (l, _i, o) => gateCount(l) * (l.kernel[0] * l.kernel[1] * o[2] * o[2] + o[2]),
    flops: (l, _i, o) => gateCount(l) * 2 * o[0] * o[1] * l.kernel[0] * l.kernel[1] * o[2] * o[2] + 4 * shapeSize(o),
    label: (l) => `highway conv ${l.kernel.join('x')}${strideText(l.stride)} ${l.activation}`,
    projection: (l, from, to) => projectConv(l.kernel, from, to),
  },
  residual_dense: {
    syntax: { modifier: 'residual', of: 'dense' },
    word: 'residual dense',
    fields: { units: 'optional', ...WEIGHTS },
    flags: RESIDUAL,
    takesDefaults: ['init', 'activation'],
    resolve: (l) => resolveWeights(l, 'relu'),
    shape: (l, inShape) => keepVector('residual dense', l.units, inShape),
    params: (_l, _i, o) => o[0] * o[0] + o[0],
    flops: (_l, _i, o) => 2 * o[0] * o[0] + shapeSize(o),
    label: (l) => `residual dense ${l.activation}`,
    projection: (_l, from, to) => projectDense(from, to),
  },
  residual_conv: {
    syntax: { modifier: 'residual', of: 'conv' },
    word: 'residual conv',
    fields: { filters: 'optional', ...WINDOW, ...WEIGHTS },
    flags: RESIDUAL,
    takesDefaults: ['init', 'activation'],
    resolve: (l) => {
      resolveWeights(l, 'relu');
      resolveConvWindow(l, true);
    },
    shape: (l, inShape) => keepMaps('residual conv', l, inShape),
    params: (l, _i, o) => l.kernel[0] * l.kernel[1] * o[2] * o[2] + o[2],
    flops: (l, _i, o) => 2 * o[0] * o[1] * l.kernel[0] * l.kernel[1] * o[2] * o[2] + shapeSize(o),
    label: (l) => `residual conv ${l.kernel.join('x')}${strideText(l.stride)} ${l.activation}`,
    projection: (l, from, to) => projectConv(l.kernel, from, to),
  },
  maxpool: {
    syntax: {
      blocks: [
        {
          kind: 'maxpool',
          doc: 'max pooling over a window',
          positional: ['kernel'],
          required: ['kernel'],
          attrs: [PAIR('kernel', 'window: `2` or `3x3`'), PAIR('stride', 'step (default: the window size)'), PADDING, ROUND],
          example: 'maxpool 3x3 stride=2 round=ceil',
        },
      ],
    },
    word: 'maxpool',
    fields: { ...WINDOW, round: 'required' },
    flags: { ...NONE, pooling: true },
    takesDefaults: ['round'],
    resolve: resolvePool,
    shape: (l, inShape) => (inShape.length === 3 ? windowed(l, inShape, inShape[2]) : needMaps('maxpool', inShape)),
    flops: (l, _i, o) => shapeSize(o) * l.kernel[0] * l.kernel[1],
    label: (l) => `maxpool ${l.kernel.join('x')}/${l.stride.join('x')}${l.round === 'ceil' ? ' ceil' : ''}`,
  },
  avgpool: {
    syntax: {
      blocks: [
        {
          kind: 'avgpool',
          doc: 'average pooling over a window',
          positional: ['kernel'],
          required: ['kernel'],
          attrs: [PAIR('kernel', 'window: `2` or `8x8`'), PAIR('stride', 'step (default: the window size)'), PADDING, ROUND],
          example: 'avgpool 2x2',
        },
      ],
    },
    word: 'avgpool',
    fields: { ...WINDOW, round: 'required' },
    flags: { ...NONE, pooling: true },
    takesDefaults: ['round'],
    resolve: resolvePool,
    shape: (l, inShape) => (inShape.length === 3 ? windowed(l, inShape, inShape[2]) : needMaps('avgpool', inShape)),
    flops: (l, _i, o) => shapeSize(o) * l.kernel[0] * l.kernel[1],
    label: (l) => `avgpool ${l.kernel.join('x')}/${l.stride.join('x')}${l.round === 'ceil' ? ' ceil' : ''}`,
  },
  globalavgpool: {
    syntax: { blocks: [{ kind: 'globalavgpool', doc: 'averages each feature map to one number: HxWxC -> C', positional: [], attrs: [], example: 'globalavgpool' }] },
    word: 'globalavgpool',
    fields: {},
    flags: NONE,
    takesDefaults: [],
    shape: (_l, inShape) => (inShape.length === 3 ? { out: [inShape[2]] } : needMaps('globalavgpool', inShape)),
    flops: (_l, i) => shapeSize(i),
  },
  dropout: {
    syntax: {
      blocks: [
        {
          kind: 'dropout',
          doc: 'drops a fraction of its inputs while training',
          positional: ['rate'],
          required: ['rate'],
          attrs: [{ name: 'rate', type: { t: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'fraction dropped, in [0, 1)' }],
          example: 'dropout 0.5',
        },
      ],
    },
    word: 'dropout',
    fields: { rate: 'required' },
    flags: NONE,
    takesDefaults: [],
    shape: (_l, inShape) => ({ out: inShape }),
    label: (l) => `dropout ${l.rate}`,
  },
  activation: {
    // Each activation is its own keyword: `relu` is an activation layer.
    syntax: { blocks: ACTIVATIONS.map((a): BlockSpec => ({ kind: a, doc: `applies ${a} element-wise`, positional: [], attrs: [], example: a })) },
    word: 'activation',
    fields: { activation: 'required' },
    flags: NONE,
    takesDefaults: [],
    fromKeyword: (keyword) => ({ activation: keyword as Activation }),
    shape: (_l, inShape) => ({ out: inShape }),
    label: (l) => l.activation,
  },
};

export const LAYER_KINDS = Object.keys(KINDS) as LayerKind[];

/**
 * The table seen through one layer, whatever its kind. `KINDS[l.kind]` is the definition
 * of exactly that kind, which the type checker cannot correlate by itself; this is the
 * one place that says so.
 */
interface AnyKindDef {
  syntax: KindDef<LayerKind>['syntax'];
  word: string;
  fields: Record<string, 'required' | 'optional'>;
  flags: KindFlags;
  takesDefaults: readonly string[];
  fromKeyword?(keyword: string): Partial<Layer>;
  resolve?(l: DraftLayer, ctx: ResolveContext): void;
  shape(l: DraftLayer, inShape: Shape): ShapeResult;
  params?(l: DraftLayer, inShape: Shape, outShape: Shape): number;
  flops?(l: DraftLayer, inShape: Shape, outShape: Shape): number;
  label?(l: DraftLayer): string;
  projection?(l: DraftLayer, from: Shape, to: Shape): { fields: Partial<Layer>; kind: 'dense' | 'conv'; what: string };
}
export const kindDef = (kind: LayerKind): AnyKindDef => KINDS[kind] as unknown as AnyKindDef;

/** The kind a block keyword and modifier write, if any. */
const BY_SYNTAX = new Map<string, LayerKind>();
for (const k of LAYER_KINDS) {
  const syntax = KINDS[k].syntax;
  if ('blocks' in syntax) for (const b of syntax.blocks) BY_SYNTAX.set(` ${b.kind}`, k);
  else BY_SYNTAX.set(`${syntax.modifier} ${syntax.of}`, k);
}
/** The blocks of the language that write layers, in the order of KINDS. */
export const LAYER_BLOCKS: readonly BlockSpec[] = LAYER_KINDS.flatMap((k) => {
  const syntax = KINDS[k].syntax;
  return 'blocks' in syntax ? syntax.blocks : [];
});

export const kindOfBlock = (block: string, modifier?: 'highway' | 'residual'): LayerKind | undefined => BY_SYNTAX.get(`${modifier ?? ''} ${block}`);

/** True when every field the kind requires is present (a layer whose values were invalid lacks some; already reported). */
export function isReady<L extends DraftLayer>(l: L): l is L & ReadyLayer {
  const rec = l as unknown as Record<string, unknown>;
  for (const f of REQUIRED.get(l.kind) ?? []) if (rec[f] === undefined) return false;
  return true;
}
/** The required fields of each kind, listed once: the passes ask for every layer. */
const REQUIRED = new Map<LayerKind, readonly string[]>(LAYER_KINDS.map((k) => [k, Object.entries(kindDef(k).fields).flatMap(([f, need]) => (need === 'required' ? [f] : []))]));

export const flagsOf = (l: { kind: LayerKind }): KindFlags => KINDS[l.kind].flags;

export type GatedLayer = Extract<Layer, { gateBias: number }>;
/** A highway block (narrows to the kinds that have gates). */
export const isGated = <L extends DraftLayer>(l: L): l is Extract<L, { kind: GatedLayer['kind'] }> => KINDS[l.kind].flags.gated;

/** The layer's kind in words, with its settings where they are known: `highway conv 3x3 relu`. */
export function layerLabel(l: DraftLayer): string {
  const def = kindDef(l.kind);
  return def.label && isReady(l) ? def.label(l) : def.word;
}
