import type { NetworkIR } from '../ir/types.js';
import { DataError, type Splits } from './dataset.js';

/** Data and network must agree on the example shape and the number of classes. */
export function checkDataFits(ir: NetworkIR, data: Splits): void {
  const input = ir.layers[0].outShape;
  const [h, w, c] = data.train.shape;
  const need = input.reduce((a, b) => a * b, 1);
  const fits = input.length === 3 ? input[0] === h && input[1] === w && input[2] === c : need === h * w * c;
  if (!fits) throw new DataError(`the network's input is ${input.join('x')}, but ${data.train.name === 'train' ? 'the data set' : data.train.name} has ${h}x${w}x${c} examples`);
  // the test split comes from files of its own (t10k-*, x_test), which may disagree with the training files
  const t = data.test.shape;
  if (data.test.count > 0 && (t[0] !== h || t[1] !== w || t[2] !== c)) throw new DataError(`the data set's test examples are ${t.join('x')}, but its training examples (and the network's input) are ${h}x${w}x${c}: the test files do not belong to this data set`);
  const out = ir.layers[ir.layers.length - 1].outShape;
  if (out.length !== 1 || out[0] !== data.train.classes) {
    throw new DataError(`the network ends in ${out.join('x')} outputs, but the data set has ${data.train.classes} classes: end with 'dense ${data.train.classes} softmax'`);
  }
}
