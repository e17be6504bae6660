import { Diagnostics } from '../diagnostics/types.js';
import type { DraftLayer, DraftNetworkIR, Shape } from '../ir/types.js';
import { fmtShape, sameShape, shapeSize, type ShapeResult } from '../language/shape.js';
import { isReady, kindDef } from '../language/kinds.js';
import type { Limits } from './limits.js';
import { thousands } from '../language/thousands.js';

/** "in repetition 3 of 99" for layers expanded from a repeat. */
export function repetitionNote(l: DraftLayer): string {
  if (!l.repeat?.length) return '';
  return ' (in ' + l.repeat.map((r) => `repetition ${r.index} of ${r.count}`).join(', ') + ')';
}

/** The kind's shape rule, once the layer's settings are all there (an invalid one was reported: its output is unknown). */
function shapeRule(l: DraftLayer, inShape: Shape): ShapeResult {
  return isReady(l) ? kindDef(l.kind).shape(l, inShape) : { out: null };
}

/**
 * Shape inference: every layer's input and output shape. After an error the shape is
 * unknown and later layers are not checked against it, so one mistake gives one error.
 * Gated blocks whose input differs from what they ask for are marked for projection.
 */
export function inferShapes(ir: DraftNetworkIR, diags: Diagnostics, limits: Limits): DraftNetworkIR {
  let shape: Shape | null = null;
  let from: DraftLayer | null = null;
  const expectsAfter = new Map<string | null, typeof ir.expects>();
  for (const e of ir.expects) {
    const list = expectsAfter.get(e.after) ?? [];
    list.push(e);
    expectsAfter.set(e.after, list);
  }
  if (ir.layers.length > 0 && ir.layers[0].kind !== 'input') {
    diags.error('HWY2009', ir.layers[0].span, "a network starts with 'input'", 'for example: input 28x28x1');
  }
  for (const e of expectsAfter.get(null) ?? []) {
    diags.error('HWY3004', e.span, "'expect' before 'input' has no shape to check", "move it after 'input'");
  }
  for (const l of ir.layers) {
    if (l.kind === 'input') {
      if (from) {
        diags.error('HWY2009', l.span, "'input' can appear once, at the start", undefined, [{ span: ir.layers[0].span, message: 'the network starts here' }]);
        shape = null;
      } else if (!l.shape) {
        shape = null;
      } else if (l.shape.length === 2) {
        diags.error('HWY2003', l.span, `an input of ${fmtShape(l.shape)} is ambiguous`, `write ${fmtShape(l.shape)}x1 for one channel, or ${l.shape[0] * l.shape[1]} for a vector`);
        shape = null;
      } else {
        shape = l.shape;
      }
      l.inShape = null;
      l.outShape = shape;
      from = l;
    } else {
      l.inShape = shape;
      if (shape) {
        const r = shapeRule(l, shape);
        if (r.error) {
          const related = from ? [{ span: from.span, message: `the ${fmtShape(shape)} input comes from here` }] : undefined;
          diags.error(r.error.code, l.span, r.error.message + repetitionNote(l), r.error.hint, related);
        }
        if (r.project) l.projectFrom = r.project;
        shape = r.out;
        if (shape && r.project) l.inShape = shape;
      }
      l.outShape = shape;
      if (shape && shapeSize(shape) > limits.maxElements) {
        diags.error('HWY4002', l.span, `this layer's output ${fmtShape(shape)} holds more than ${thousands(limits.maxElements)} numbers per example`, 'reduce the sizes');
        shape = null;
        l.outShape = null;
      }
      from = l;
    }
    for (const e of expectsAfter.get(l.name) ?? []) {
      if (!shape) continue;
      if (!sameShape(e.shape, shape)) {
        diags.error('HWY3004', e.span, `expected ${fmtShape(e.shape)} here, but the shape is ${fmtShape(shape)}`, 'fix the assertion or the layers before it', [
          { span: l.span, message: `${fmtShape(shape)} comes from this layer` },
        ]);
      }
    }
  }
  return ir;
}
