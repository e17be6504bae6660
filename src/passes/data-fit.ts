import { Diagnostics } from '../diagnostics/types.js';
import type { DraftNetworkIR, SourceIR } from '../ir/types.js';
import { fmtShape, shapeSize } from '../language/shape.js';
import { datasetInfo } from '../language/vocabulary.js';

/**
 * The network against the data set its `train { }` names (the table in vocabulary.ts):
 * the input must take its examples and the output must give one number per class. Checked
 * when compiling, so `hwy check` and the editor say it, rather than `hwy train` after
 * loading everything. Only a `data` line that names a set is checked: without one, or
 * with `--data` on the command line, training checks the data it loaded.
 */
export function checkDataFit(ir: DraftNetworkIR, src: SourceIR, diags: Diagnostics): DraftNetworkIR {
  const line = src.train?.settings.find((s) => s.kind === 'data');
  const name = ir.train?.data.name;
  const info = line && name !== undefined ? datasetInfo(name) : undefined;
  if (!line || !info) return ir;
  const related = [{ span: line.span, message: `'data ${name}' is chosen here` }];
  const [h, w, c] = info.shape;
  const input = ir.layers[0];
  const inShape = input?.kind === 'input' ? input.outShape : null;
  if (inShape) {
    // a vector input takes the flattened examples, as the engines feed them
    const fits = inShape.length === 3 ? inShape[0] === h && inShape[1] === w && inShape[2] === c : shapeSize(inShape) === h * w * c;
    if (!fits) {
      diags.error(
        'HWY3007',
        input.span,
        `the input is ${fmtShape(inShape)}, but ${name} examples are ${h}x${w}x${c}`,
        `write 'input ${h}x${w}x${c}' (or 'input ${h * w * c}' for vectors), or name another data set`,
        related,
      );
      return ir;
    }
  }
  const last = ir.layers[ir.layers.length - 1];
  // an unknown shape was reported where it arose
  if (!inShape || !last?.outShape) return ir;
  const out = last.outShape;
  if (out.length !== 1 || out[0] !== info.classes) {
    diags.error('HWY3008', last.span, `the network ends in ${fmtShape(out)} outputs, but ${name} has ${info.classes} classes`, `end with 'dense ${info.classes} softmax'`, related);
  }
  return ir;
}
