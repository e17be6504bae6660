// The library API: the same functions the CLI and the language server drive.
export { compile, type CompileOptions, type CompileResult } from './core/compile.js';
export { parse } from './parser/index.js';
export { renderDiagnostic, renderShort } from './diagnostics/render.js';
export { CODES, CODE_BY_ID } from './diagnostics/codes.js';
export type { Diagnostic, Span, Position, Severity } from './diagnostics/types.js';
export { IR_VERSION, type NetworkIR, type Layer, type LayerKind, type Shape, type TrainConfig } from './ir/types.js';
export { IR_SCHEMA } from './ir/schema.js';
export { RUN_RECORD_SCHEMA, TRAIN_STATE_SCHEMA } from './run/records.js';
export { irToJson } from './ir/write.js';
export { irFromJson, validateIr } from './ir/serialize.js';
export { summaryText, summaryJson } from './backends/text/summary.js';
export { toDot } from './backends/text/dot.js';
export { PASSES } from './passes/index.js';
export { railroadHtml } from './parser/diagrams.js';
