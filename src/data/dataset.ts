/** One split of a data set, in memory: images as HWC floats, labels as class indices. */
export interface Dataset {
  name: string;
  x: Float32Array;
  labels: Uint8Array;
  count: number;
  shape: [number, number, number];
  classes: number;
}

export interface Splits {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  /** Where the data came from, for logs and run records. */
  source: string;
}

/** A data problem a person can fix (missing, truncated or corrupt file): one line, naming the file. */
export class DataError extends Error {}

/** mulberry32: small, fast, seedable; the same seed gives the same stream on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const r = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** Consecutive batches of example indices 0..count-1, with where each batch starts. */
export function* batches(count: number, size: number): Generator<{ start: number; idx: number[] }> {
  for (let start = 0; start < count; start += size) {
    yield { start, idx: Array.from({ length: Math.min(size, count - start) }, (_, i) => start + i) };
  }
}

export function subset(d: Dataset, idx: ArrayLike<number>, name = d.name): Dataset {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  const x = new Float32Array(idx.length * size);
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x.set(d.x.subarray(idx[i] * size, (idx[i] + 1) * size), i * size);
    labels[i] = d.labels[idx[i]];
  }
  return { ...d, name, x, labels, count: idx.length };
}

/** Holds out a fraction of a training set for validation, the same way for every seed. */
export function splitValidation(train: Dataset, fraction: number): { train: Dataset; validation: Dataset } {
  const p = permutation(train.count, 0x5eed);
  const nVal = Math.round(train.count * fraction);
  return { validation: subset(train, p.subarray(0, nVal), 'validation'), train: subset(train, p.subarray(nVal), 'train') };
}

/** Global contrast normalisation, per image: zero mean, unit standard deviation. */
export function globalContrastNormalize(d: Dataset): void {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  for (let i = 0; i < d.count; i++) {
    const v = d.x.subarray(i * size, (i + 1) * size);
    let mean = 0;
    for (let j = 0; j < size; j++) mean += v[j];
    mean /= size;
    let sq = 0;
    for (let j = 0; j < size; j++) sq += (v[j] - mean) ** 2;
    const std = Math.sqrt(sq / size + 1e-8) || 1;
    for (let j = 0; j < size; j++) v[j] = (v[j] - mean) / std;
  }
}

/**
 * Training augmentation, into `out` (one batch): random translation by up to `pad` pixels
 * (zero padding and a random crop) and horizontal mirroring.
 */
export function augmentBatch(d: Dataset, idx: ArrayLike<number>, out: Float32Array, opts: { translate: number; mirror: boolean }, r: () => number): void {
  const [h, w, c] = d.shape;
  const size = h * w * c;
  for (let b = 0; b < idx.length; b++) {
    const src = d.x.subarray(idx[b] * size, (idx[b] + 1) * size);
    const dst = out.subarray(b * size, (b + 1) * size);
    const dy = opts.translate ? Math.floor(r() * (2 * opts.translate + 1)) - opts.translate : 0;
    const dx = opts.translate ? Math.floor(r() * (2 * opts.translate + 1)) - opts.translate : 0;
    const flip = opts.mirror && r() < 0.5;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      for (let x = 0; x < w; x++) {
        const sx0 = x + dx;
        const sx = flip ? w - 1 - sx0 : sx0;
        const o = (y * w + x) * c;
        if (sy < 0 || sy >= h || sx0 < 0 || sx0 >= w) {
          for (let k = 0; k < c; k++) dst[o + k] = 0;
        } else {
          const s = (sy * w + sx) * c;
          for (let k = 0; k < c; k++) dst[o + k] = src[s + k];
        }
      }
    }
  }
}
