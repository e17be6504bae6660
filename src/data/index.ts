import type { TrainConfig } from '../ir/types.js';
import { DataError, type Splits } from './dataset.js';
import { prepareSplits } from './prepare.js';
import { loadBundledMnist } from './mnist-bundled.js';
import { loadMnistIdx } from './idx.js';
import { loadCifar10, loadCifar100 } from './cifar.js';
import { ensureDownloaded, type DownloadOptions } from './download.js';
import { loadNumpy, networkNeeds, type MemoryBudget } from './numpy.js';
import type { NetworkIR } from '../ir/types.js';

export { DataError, type Dataset, type Splits } from './dataset.js';
export { dataArgument, numpyDigest, type MemoryBudget } from './numpy.js';

export interface LoadOptions extends DownloadOptions {
  /** The network the data is for: NumPy arrays are checked against its input and classes as they are read. */
  network?: Pick<NetworkIR, 'layers'>;
  /** What NumPy arrays may take in memory (default: what the OS reports free). */
  memory?: MemoryBudget;
}

/** The environment variable naming the directory with full MNIST / CIFAR files. */
export const DATA_DIR_ENV = 'HWY_DATA_DIR';

/**
 * Loads and preprocesses the data a train config names. The non-bundled sets are read from
 * `dataDir` (or HWY_DATA_DIR); without one, from the cache, downloading and verifying
 * them first if needed.
 */
export async function loadData(cfg: TrainConfig['data'], dataDir?: string, opts: LoadOptions = {}): Promise<Splits> {
  let dir = dataDir ?? cfg.dir ?? process.env[DATA_DIR_ENV];
  let raw;
  let source: string;
  if (cfg.name === 'npz' || cfg.name === 'npy') {
    if (cfg.path === undefined) throw new DataError(`data ${cfg.name} needs the path of its arrays`);
    if (!opts.network) throw new DataError(`NumPy arrays are read for a network, and none was given`);
    // read at the scale normalize asks for, so the 0-255 step below is skipped
    const arrays = await loadNumpy(cfg.name, cfg.path, { network: networkNeeds(opts.network), normalize: cfg.normalize, augment: cfg.augment, memory: opts.memory });
    raw = arrays;
    source = arrays.source;
  } else if (cfg.name === 'mnist') {
    raw = loadBundledMnist();
    source = 'the 10,000 MNIST digits bundled with hwy';
  } else {
    if (!dir) {
      try {
        dir = await ensureDownloaded(cfg.name as 'cifar10', opts);
      } catch (e) {
        if (e instanceof DataError) throw new DataError(`${e.message}. Without internet, put the files in a directory and pass --data-dir DIR (or set ${DATA_DIR_ENV})`);
        throw e;
      }
    }
    raw = cfg.name === 'mnist_full' ? loadMnistIdx(dir) : cfg.name === 'cifar10' ? loadCifar10(dir) : loadCifar100(dir);
    source = `${cfg.name} from ${dir}`;
  }
  return prepareSplits(raw, cfg, source);
}
