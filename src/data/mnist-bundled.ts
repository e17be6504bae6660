import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import type { Dataset } from './dataset.js';
import { readIdx } from './idx.js';
import { BUNDLED_MNIST_FILES, bundledMnistFromIdx } from './mnist-digits.js';

export { BUNDLED_MNIST_FILES } from './mnist-digits.js';

/**
 * The 10,000 real MNIST digits shipped with hwy (about 1,000 a class, ordered by class),
 * as 28x28x1 floats in [0, 1]. A fixed permutation holds out 1,000 as the test set.
 */
export function loadBundledMnist(): { trainval: Dataset; test: Dataset } {
  const root = packageRoot();
  const labelPath = join(root, BUNDLED_MNIST_FILES.labels);
  return bundledMnistFromIdx(readIdx(join(root, BUNDLED_MNIST_FILES.images)), readIdx(labelPath), { dir: `${root}/data`, labels: labelPath, fix: 'reinstall hwy' });
}
