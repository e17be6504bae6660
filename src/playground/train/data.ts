// The bundled MNIST digits in a page: the same gzipped IDX files as the package's data/,
// fetched from the site, unpacked with the browser's DecompressionStream, then read, split
// and normalised by the very code `hwy train` uses (src/data).
import type { TrainConfig } from '../../ir/types.js';
import { DataError, type Splits } from '../../data/dataset.js';
import { parseIdx, readIdxHeader } from '../../data/idx-format.js';
import { BUNDLED_MNIST_FILES, bundledMnistFromIdx } from '../../data/mnist-digits.js';
import { prepareSplits } from '../../data/prepare.js';

/** Past what a page reads for one file, packed or unpacked: the bundled images are 7.8 MB unpacked, 1.6 MB packed. */
export const PAGE_MAX_IDX_BYTES = 64 * 2 ** 20;

/** The same words as Node's loader, so that a run's records read alike. */
const SOURCE = 'the 10,000 MNIST digits bundled with hwy';

/** Reads a stream to its end, refusing more than `max` bytes (`too` says what to report then). */
async function readBounded(stream: ReadableStream<Uint8Array>, max: (have: Uint8Array) => number, too: () => string): Promise<Uint8Array> {
  const reader = stream.getReader();
  let buf = new Uint8Array(1 << 16);
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > max(buf.subarray(0, n))) {
      await reader.cancel();
      throw new DataError(too());
    }
    if (n + value.length > buf.length) {
      const grown = new Uint8Array(Math.max(buf.length * 2, n + value.length));
      grown.set(buf.subarray(0, n));
      buf = grown;
    }
    buf.set(value, n);
    n += value.length;
  }
  return buf.subarray(0, n);
}

/**
 * One IDX file from a URL, gzipped or not (a server may unpack it on the way with
 * Content-Encoding), unpacked to at most the size its own header promises.
 */
async function fetchIdx(url: string): Promise<{ dims: number[]; data: Uint8Array }> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new DataError(`${url}: could not be fetched (${(e as Error).message})`);
  }
  if (!res.ok || !res.body) throw new DataError(`${url}: the site answered ${res.status} ${res.statusText}`.trim());
  const body = await readBounded(res.body, () => PAGE_MAX_IDX_BYTES, () => `${url}: larger than the ${PAGE_MAX_IDX_BYTES / 2 ** 20} MiB a page reads (not the bundled digits?)`);
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return parseIdx(body, url);
  const unpacked = new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  let data: Uint8Array;
  try {
    data = await readBounded(
      unpacked,
      // the header, once there, says how much follows
      (have) => (have.length >= 4 && have.length >= 4 + 4 * have[3] ? Math.min(PAGE_MAX_IDX_BYTES, readIdxHeader(have, url).total) : PAGE_MAX_IDX_BYTES),
      () => `${url}: unpacks to more than its IDX header promises (or more than ${PAGE_MAX_IDX_BYTES / 2 ** 20} MiB): the file is corrupt or not what it claims`,
    );
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${url}: a corrupt or truncated gzip file`);
  }
  return parseIdx(data, url);
}

/** The URL of one of the bundled files under the site's data URL. */
function fileUrl(dataUrl: string, file: string): string {
  const base = new URL(dataUrl.endsWith('/') ? dataUrl : `${dataUrl}/`, globalThis.location?.href);
  return new URL(file.replace(/^data\//, ''), base).href;
}

/** A page has the bundled digits only: any other data line is refused, saying so. */
export function checkPageData(cfg: TrainConfig['data']): void {
  if (cfg.name !== 'mnist') throw new DataError(`the playground trains on the bundled MNIST digits ('data mnist'); this spec asks for data ${cfg.name}, which a page cannot load: train it with hwy train`);
}

/**
 * The splits `hwy train` trains on for `data mnist`: the bundled digits, the same test
 * hold-out, validation split and normalisation. Other data sets cannot be had in a page.
 */
export async function fetchBundledMnist(dataUrl: string, cfg: TrainConfig['data']): Promise<Splits> {
  checkPageData(cfg);
  const images = fileUrl(dataUrl, BUNDLED_MNIST_FILES.images);
  const labels = fileUrl(dataUrl, BUNDLED_MNIST_FILES.labels);
  const [img, lbl] = await Promise.all([fetchIdx(images), fetchIdx(labels)]);
  const raw = bundledMnistFromIdx(img, lbl, { dir: dataUrl, labels, fix: "the site's copies of data/*.gz differ from the package's" });
  return prepareSplits(raw, cfg, SOURCE);
}
