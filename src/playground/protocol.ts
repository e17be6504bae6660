// What the playground's page asks its language worker beyond the LSP: requests of its own
// (method names under `hwy/`), answered from the same analysis the LSP features use.
import type { NetworkIR } from '../ir/types.js';
import type { SummaryJson } from '../backends/text/summary.js';

/** `hwy/network`: what the page shows live beside the editor, for one version of the document. */
export const NETWORK_REQUEST = 'hwy/network';
export interface NetworkParams {
  uri: string;
}
export interface NetworkReply {
  /** The document version this describes. */
  version: number;
  errors: number;
  warnings: number;
  /** The summary of the checked network (its rows and totals, without the per-layer list: a repeat can make that 200,000 long); null when the spec has errors (or no network). */
  summary: Omit<SummaryJson, 'layers'> | null;
  /** The network as an SVG document (src/diagram/svg.ts), with the summary. */
  svg: string | null;
}

/** `hwy/emit`: a download, made by the compiler's own emitters. */
export const EMIT_REQUEST = 'hwy/emit';
export type EmitTarget = 'ir' | 'pytorch';
export interface EmitParams {
  uri: string;
  target: EmitTarget;
}
/** The file's text, or why there is none. */
export type EmitReply = { ok: true; text: string } | { ok: false; reason: string };

/** `hwy/ir`: the checked IR as an object, for the in-page trainer and the diagram. */
export const IR_REQUEST = 'hwy/ir';
export type IrReply = { ok: true; ir: NetworkIR } | { ok: false; reason: string };

/**
 * The most text the page hands the worker: past this, a paste is refused in the page with a
 * message (the worker's own limit, INTERACTIVE_LIMITS in src/lsp/features.ts, is lower; text
 * between the two reaches the worker and is refused there with HWY4004).
 */
export const MAX_EDITOR_BYTES = 1024 * 1024;

/** A worker that answers nothing for this long while the page waits on it is stopped and replaced. */
export const WORKER_BUDGET_MS = 5000;
