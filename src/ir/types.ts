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

export type LayerKind =
  | 'input'
  | 'flatten'
  | 'dense'
  | 'conv'
  | 'highway_dense'
  | 'highway_conv'
  | 'residual_dense'
  | 'residual_conv'
  | 'maxpool'
  | 'avgpool'
  | 'globalavgpool'
  | 'dropout'
  | 'activation';

export interface RepeatIndex {
  /** 1-based repetition number. */
  index: number;
  count: number;
}

export interface Layer {
  name: string;
  kind: LayerKind;
  span: Span;
  /** Enclosing repeats, outermost first. */
  repeat?: RepeatIndex[];
  /** True for plain layers the projections pass added to change dimensionality. */
  inserted: boolean;
  /** Attributes written in the spec (or by a `defaults` line) rather than resolved. */
  given: string[];

  shape?: Shape;
  units?: number;
  filters?: number;
  kernel?: [number, number];
  stride?: [number, number];
  padding?: 'valid' | 'same';
  round?: 'floor' | 'ceil';
  activation?: Activation;
  init?: Initialiser;
  biasInit?: number;
  gateBias?: number;
  carry?: 'coupled' | 'free';
  gateInit?: Initialiser;
  rate?: number;

  inShape?: Shape | null;
  outShape?: Shape | null;
  /** Set by the shapes pass on a gated block whose input needs a projection. */
  projectFrom?: Shape;
  params?: number;
  flops?: number;
}

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

export interface NetworkIR {
  irVersion: typeof IR_VERSION;
  file: string;
  network: { name: string; span: Span };
  constants: Record<string, number>;
  layers: Layer[];
  expects: Expect[];
  train: TrainConfig | null;
  stats: NetworkStats | null;
}
