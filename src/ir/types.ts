import type { Span } from '../diagnostics/types.js';
import type { Layer, DraftLayer } from '../language/kinds.js';
import type { Expr, LetDecl, Value } from '../parser/ast.js';

export const IR_VERSION = 1;
/**
 * The `$id` of the IR's JSON Schema, which IR documents name as their `$schema`: the schema
 * file the package ships (schema/ir-v1.json, written by the build), as unpkg serves it.
 */
export const IR_SCHEMA_ID = 'https://unpkg.com/hwy-lang/schema/ir-v1.json';

export type { Shape } from '../language/shape.js';
import type { Shape } from '../language/shape.js';

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

/** What a `let` constant holds: a number (`let depth = 50`) or a name (`let act = relu`, `let gate_bias = auto`). */
export type ConstantValue = number | string;

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

export {
  type RepeatIndex,
  type Pair,
  type Padding,
  type Rounding,
  type Carry,
  type InputLayer,
  type FlattenLayer,
  type DenseLayer,
  type ConvLayer,
  type HighwayDenseLayer,
  type HighwayConvLayer,
  type ResidualDenseLayer,
  type ResidualConvLayer,
  type MaxPoolLayer,
  type AvgPoolLayer,
  type GlobalAvgPoolLayer,
  type DropoutLayer,
  type ActivationLayer,
  type Layer,
  type LayerKind,
  type LayerOf,
  type IdentityKey,
  type ComputedKey,
  type FieldKey,
  type Draft,
  type DraftLayer,
  type Ready,
  type ReadyLayer,
} from '../language/kinds.js';

export interface Expect {
  shape: Shape;
  /** Name of the layer after which the assertion stands (null: before any layer). */
  after: string | null;
  span: Span;
}

export type { OptimizerConfig, OptimizerName } from '../language/optimizers.js';
import type { OptimizerConfig } from '../language/optimizers.js';

export interface LrConfig {
  value: number;
  schedule: 'constant' | 'exponential' | 'multistep' | 'cosine';
  gamma: number;
  steps: number[];
  /** cosine: the floor. */
  minLr: number;
  /** Linear warm-up in epochs, or (warmupSteps) in steps; at most one is non-zero. */
  warmup: number;
  warmupSteps: number;
}

export interface TrainConfig {
  /** `path`: the .npz file or .npy directory of the npz / npy data sets. */
  data: { name: string; dir?: string; path?: string; normalize: 'scale' | 'gcn' | 'none'; augment: string[]; validation: number };
  optimizer: OptimizerConfig;
  lr: LrConfig;
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
  constants: Record<string, ConstantValue>;
  layers: L[];
  expects: Expect[];
  train: TrainConfig | null;
  /** Set by the count pass, the last: checked IR always has it. */
  stats: [L] extends [Layer] ? NetworkStats : NetworkStats | null;
}

/** IR as the passes build it, and as a spec with errors leaves it (the language server reads it). */
export type DraftNetworkIR = NetworkIR<DraftLayer>;
