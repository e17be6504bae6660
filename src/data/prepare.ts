// From a data set's two parts as read (training+validation, test) to the splits training
// sees: the validation split and the normalisation the spec's data line asks for. Shared by
// Node's loadData (index.ts) and the playground's trainer, so both train on the same examples.
import type { TrainConfig } from '../ir/types.js';
import { globalContrastNormalize, splitValidation, type Dataset, type Splits } from './dataset.js';

export function prepareSplits(raw: { trainval: Dataset; test: Dataset }, cfg: TrainConfig['data'], source: string): Splits {
  const { train, validation } = splitValidation(raw.trainval, cfg.validation);
  const test = raw.test;
  if (cfg.normalize === 'gcn') for (const d of [train, validation, test]) globalContrastNormalize(d);
  // The loaders scale to [0, 1] (pixel / 255), which is 'scale'; 'none' means the stored
  // 0-255 pixel values. Rounding recovers them exactly, also from the bundled digits,
  // which are stored as pixel / 255 to three decimals. NumPy arrays are read at the scale
  // normalize asks for already.
  else if (cfg.normalize === 'none' && cfg.name !== 'npz' && cfg.name !== 'npy') for (const d of [train, validation, test]) for (let i = 0; i < d.x.length; i++) d.x[i] = Math.round(d.x[i] * 255);
  return { train, validation, test, source };
}
