/**
 * One definition per layer kind: how the spec writes it, its IR fields, defaults, shape
 * rule, parameter and FLOP counts, label and flags. The passes and the text emitters read
 * this table instead of testing kind strings; its type makes it exhaustive over
 * `LayerKind`, so a new kind in src/ir/types.ts is a compile error here until defined.
 */
import type { Activation } from '../language/catalogue.js';
import { fmtShape, shapeSize, windowOut, type ShapeResult } from './shape.js';
import type { Draft, DraftLayer, FieldKey, Layer, LayerKind, LayerOf, NetworkIR, DraftNetworkIR, Pair, Ready, ReadyLayer, Shape } from './types.js';

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
  /** The paper's guideline gate bias for this network's highway depth. */
  gateBias: number;
}

export interface KindDef<K extends LayerKind> {
  /** The keyword(s) that write it, and the modifier in front (`highway dense`). */
  syntax: { block: string | readonly string[]; modifier?: 'highway' | 'residual' };
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

type WeightFields = { activation?: Activation; init?: string; biasInit?: number };
function resolveWeights(l: WeightFields, activation: Activation): void {
  l.activation ??= activation;
  l.init ??= 'glorot_uniform';
  l.biasInit ??= 0;
}
function resolveGates(l: { gateBias?: number; carry?: string; gateInit?: string }, ctx: ResolveContext): void {
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
    syntax: { block: 'input' },
    word: 'input',
    fields: { shape: 'required' },
    flags: NONE,
    takesDefaults: [],
    shape: (l) => ({ out: l.shape }),
  },
  flatten: {
    syntax: { block: 'flatten' },
    word: 'flatten',
    fields: {},
    flags: NONE,
    takesDefaults: [],
    shape: (_l, inShape) => ({ out: [shapeSize(inShape)] }),
  },
  dense: {
    syntax: { block: 'dense' },
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
    syntax: { block: 'conv' },
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
    syntax: { block: 'dense', modifier: 'highway' },
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
    syntax: { block: 'conv', modifier: 'highway' },
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
    syntax: { block: 'dense', modifier: 'residual' },
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
    syntax: { block: 'conv', modifier: 'residual' },
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
    syntax: { block: 'maxpool' },
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
    syntax: { block: 'avgpool' },
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
    syntax: { block: 'globalavgpool' },
    word: 'globalavgpool',
    fields: {},
    flags: NONE,
    takesDefaults: [],
    shape: (_l, inShape) => (inShape.length === 3 ? { out: [inShape[2]] } : needMaps('globalavgpool', inShape)),
    flops: (_l, i) => shapeSize(i),
  },
  dropout: {
    syntax: { block: 'dropout' },
    word: 'dropout',
    fields: { rate: 'required' },
    flags: NONE,
    takesDefaults: [],
    shape: (_l, inShape) => ({ out: inShape }),
    label: (l) => `dropout ${l.rate}`,
  },
  activation: {
    syntax: { block: ['relu', 'tanh', 'sigmoid', 'softmax', 'linear'] satisfies Activation[] },
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
  const { block, modifier } = KINDS[k].syntax;
  for (const b of typeof block === 'string' ? [block] : block) BY_SYNTAX.set(`${modifier ?? ''} ${b}`, k);
}
export const kindOfBlock = (block: string, modifier?: 'highway' | 'residual'): LayerKind | undefined => BY_SYNTAX.get(`${modifier ?? ''} ${block}`);

/** True when every field the kind requires is present (a layer whose values were invalid lacks some; already reported). */
export function isReady<L extends DraftLayer>(l: L): l is L & ReadyLayer {
  const rec = l as unknown as Record<string, unknown>;
  return Object.entries(kindDef(l.kind).fields).every(([f, need]) => need === 'optional' || rec[f] !== undefined);
}

export const flagsOf = (l: { kind: LayerKind }): KindFlags => KINDS[l.kind].flags;

export type GatedLayer = Extract<Layer, { gateBias: number }>;
/** A highway block (narrows to the kinds that have gates). */
export const isGated = <L extends DraftLayer>(l: L): l is Extract<L, { kind: GatedLayer['kind'] }> => KINDS[l.kind].flags.gated;

/** The layer's kind in words, with its settings where they are known: `highway conv 3x3 relu`. */
export function layerLabel(l: DraftLayer): string {
  const def = kindDef(l.kind);
  return def.label && isReady(l) ? def.label(l) : def.word;
}

/**
 * Checked IR from the passes' draft: only after a run without errors, when every layer
 * must be complete. A layer that is not is a compiler bug, so this throws (compile()
 * turns that into HWY9000) rather than hand a backend a layer with missing fields.
 */
export function toChecked(ir: DraftNetworkIR): NetworkIR {
  for (const l of ir.layers) {
    const shaped = l.outShape && (l.kind === 'input' ? l.inShape === null : l.inShape);
    if (!isReady(l) || !shaped || l.params === undefined || l.flops === undefined || l.projectFrom) {
      throw new Error(`layer ${l.name} (${l.kind}) is incomplete after the passes`);
    }
  }
  return ir as NetworkIR;
}
