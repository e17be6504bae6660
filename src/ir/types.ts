import type { Span } from '../diagnostics/types.js';
import type { Activation, Initialiser } from '../language/catalogue.js';
import type { Expr, LetDecl, Value } from '../parser/ast.js';

export const IR_VERSION = 1;

/** One example's shape: `[units]` for vectors, `[height, width, channels]` for feature maps. */
export type Shape = number[];

// ---------------------------------------------------------------------------
// Source IR: the spec's structure with names resolved; repeats and expressions kept.
// ---------------------------------------------------------------------------

export interface SrcAttr {
  value: Value;
  span: Span;
}

export interface SrcBlock {
  type: 'block';
  /** A catalogue kind: 'dense', 'conv', 'maxpool', 'relu', 'expect', 'defaults', … */
  kind: string;
  modifier?: 'highway' | 'residual';
  attrs: Record<string, SrcAttr>;
  span: Span;
  kindSpan: Span;
}

export interface SrcRepeat {
  type: 'repeat';
  count: Expr;
  body: SrcNode[];
  span: Span;
  headSpan: Span;
}

export type SrcNode = SrcBlock | SrcRepeat;

export interface SourceIR {
  file: string;
  lets: LetDecl[];
  network: { name: string; span: Span; nameSpan: Span; body: SrcNode[] } | null;
  train: { span: Span; settings: SrcBlock[] } | null;
}

/** Source IR of a spec that has a network: what the passes take. */
export type NetworkSourceIR = SourceIR & { network: NonNullable<SourceIR['network']> };

// ---------------------------------------------------------------------------
// Network IR: flat, concrete, checked. The published artifact (`hwy compile --emit ir`).
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
 * always set them. A new kind is a member here; the compiler then names every table
 * that must handle it (src/ir/kinds.ts, each backend's lowering).
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

export interface Expect {
  shape: Shape;
  /** Name of the layer after which the assertion stands (null: before any layer). */
  after: string | null;
  span: Span;
}

export interface TrainConfig {
  data: { name: string; dir?: string; normalize: 'scale' | 'gcn' | 'none'; augment: string[]; validation: number };
  optimizer: { name: 'sgd'; momentum: number; nesterov: boolean };
  lr: { value: number; schedule: 'constant' | 'exponential' | 'multistep'; gamma: number; steps: number[] };
  weightDecay: number;
  batch: number;
  epochs: number;
  seed: number;
}

export interface NetworkStats {
  totalParams: number;
  totalFlops: number;
  /** Layers with weights (plain, highway, residual), as the paper counts depth. */
  weightedLayers: number;
  highwayLayers: number;
  residualLayers: number;
  insertedLayers: number;
}

/** Network IR; checked (`Layer`) once the passes ran without errors, `DraftLayer` before or otherwise. */
export interface NetworkIR<L = Layer> {
  irVersion: typeof IR_VERSION;
  file: string;
  network: { name: string; span: Span };
  constants: Record<string, number>;
  layers: L[];
  expects: Expect[];
  train: TrainConfig | null;
  /** Set by the count pass, the last: checked IR always has it. */
  stats: [L] extends [Layer] ? NetworkStats : NetworkStats | null;
}

/** IR as the passes build it, and as a spec with errors leaves it (the language server reads it). */
export type DraftNetworkIR = NetworkIR<DraftLayer>;
