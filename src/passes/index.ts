import { Diagnostics } from '../diagnostics/types.js';
import type { ConstantValue, DraftNetworkIR, NetworkIR, NetworkSourceIR, SourceIR } from '../ir/types.js';
import { isReady } from '../language/kinds.js';
import { expand } from './expand.js';
import { resolve } from './resolve.js';
import { inferShapes } from './shapes.js';
import { insertProjections } from './projections.js';
import { lint } from './lint.js';
import { count } from './count.js';
import { checkDataFit } from './data-fit.js';
import type { Limits } from './limits.js';

export interface PassContext {
  src: SourceIR;
  diags: Diagnostics;
  limits: Limits;
}

export interface Pass {
  name: string;
  doc: string;
  run(ir: DraftNetworkIR, ctx: PassContext): DraftNetworkIR;
}

/** The passes after expansion, in the order they run. */
export const PASSES: Pass[] = [
  { name: 'resolve', doc: 'gate biases by the depth guideline, initialisers, activations, strides, padding, rounding', run: (ir, c) => resolve(ir, c.diags) },
  { name: 'shapes', doc: 'input and output shape of every layer; dimensionality assertions', run: (ir, c) => inferShapes(ir, c.diags, c.limits) },
  { name: 'projections', doc: 'plain layers inserted where a highway block changes size', run: (ir, c) => insertProjections(ir, c.diags) },
  { name: 'data', doc: 'input and output against the data set the train section names (shape, classes)', run: (ir, c) => checkDataFit(ir, c.src, c.diags) },
  { name: 'lint', doc: 'advice: gate biases, deep plain stacks, pooling rounding, unused constants', run: (ir, c) => lint(ir, c.src, c.diags) },
  { name: 'count', doc: 'parameters and FLOPs per layer and in total', run: (ir, c) => count(ir, c.diags, c.limits) },
];

export function runPasses(src: NetworkSourceIR, overrides: Record<string, ConstantValue>, diags: Diagnostics, limits: Limits): DraftNetworkIR {
  let ir = expand(src, overrides, diags, limits);
  const ctx: PassContext = { src, diags, limits };
  for (const p of PASSES) ir = p.run(ir, ctx);
  return ir;
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

export { DEFAULT_LIMITS, type Limits } from './limits.js';
