import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeNetworkError } from '../util/plain-errors.js';
import { DataError } from './dataset.js';
import { describeFsError } from '../util/fs-errors.js';
import { thousands } from '../language/thousands.js';

export interface RemoteFile {
  file: string;
  md5: string;
  /** The published size: a download that grows past it is stopped. */
  bytes: number;
}

export interface Source {
  /** Base URLs tried in order (a mirror from HWY_DATA_MIRROR comes first). */
  bases: string[];
  files: RemoteFile[];
  /** tar.gz archives are unpacked; only these members are kept. */
  extract?: string[];
  /** What unpacking may write at most (the members and the tar headers): a small gzip can unpack to gigabytes. */
  unpackedBytes?: number;
}

/** The published sizes of the CIFAR members hwy keeps (10,000 or 50,000 records each). */
const CIFAR10_BATCH = 10_000 * 3073;
const CIFAR100_RECORD = 3074;
/** Tar headers and the small files beside the batches (a readme, the class names). */
const TAR_SLACK = 2 ** 20;
/** For a source that names no size: far above both CIFAR archives (about 180 MB unpacked). */
const DEFAULT_UNPACKED_BYTES = 2 ** 30;

/** The published files and their published MD5 checksums. */
export const SOURCES: Record<'mnist_full' | 'cifar10' | 'cifar100', Source> = {
  mnist_full: {
    bases: ['https://ossci-datasets.s3.amazonaws.com/mnist', 'https://storage.googleapis.com/cvdf-datasets/mnist'],
    files: [
      { file: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873', bytes: 9_912_422 },
      { file: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432', bytes: 28_881 },
      { file: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3', bytes: 1_648_877 },
      { file: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c', bytes: 4_542 },
    ],
  },
  cifar10: {
    bases: ['https://www.cs.toronto.edu/~kriz'],
    files: [{ file: 'cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530', bytes: 170_052_171 }],
    extract: [...[1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`), 'cifar-10-batches-bin/test_batch.bin'],
    unpackedBytes: 6 * CIFAR10_BATCH + TAR_SLACK,
  },
  cifar100: {
    bases: ['https://www.cs.toronto.edu/~kriz'],
    files: [{ file: 'cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8', bytes: 168_513_733 }],
    extract: ['cifar-100-binary/train.bin', 'cifar-100-binary/test.bin'],
    unpackedBytes: 60_000 * CIFAR100_RECORD + TAR_SLACK,
  },
};

export function cacheRoot(): string {
  return process.env.HWY_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hwy');
}

export interface DownloadOptions {
  cache?: string;
  sources?: Record<string, Source>;
  log?: (line: string) => void;
  /** A host that sends nothing for this long is given up on (default 30 s). */
  stallMs?: number;
}

const DEFAULT_STALL_MS = 30_000;

class Stalled extends Error {}
class TooLarge extends Error {}

/** Downloads one file into `dest`, checking its MD5 as it streams; the file appears only when verified. */
async function fetchVerified(urls: string[], f: RemoteFile, dest: string, log: (s: string) => void, stallMs: number): Promise<void> {
  const problems: string[] = [];
  for (const url of urls) {
    const tmp = `${dest}.${process.pid}.part`;
    // One timer, restarted by every chunk: a host that stops sending (before the headers or
    // mid-body) is abandoned after stallMs instead of holding hwy forever.
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(new Stalled(`no data for ${stallMs / 1000} s`)), stallMs);
    };
    let out: WriteStream | undefined;
    try {
      watch();
      const res = await fetch(url, { signal: abort.signal });
      if (!res.ok || !res.body) {
        problems.push(`${url}: HTTP ${res.status}`);
        await res.body?.cancel().catch(() => {});
        continue;
      }
      const total = Number(res.headers.get('content-length')) || 0;
      if (total > f.bytes) throw new TooLarge(`announces ${thousands(total)} bytes, but the published file has ${thousands(f.bytes)}`);
      const hash = createHash('md5');
      out = createWriteStream(tmp);
      let got = 0;
      let lastLog = Date.now();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        watch();
        got += chunk.length;
        if (got > f.bytes) throw new TooLarge(`sent more than the ${thousands(f.bytes)} bytes of the published file`);
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out!.once('drain', () => r()));
        if (Date.now() - lastLog > 2000) {
          lastLog = Date.now();
          log(`  ${(got / 2 ** 20).toFixed(1)}${total ? ` of ${(total / 2 ** 20).toFixed(1)}` : ''} MiB`);
        }
      }
      const w = out;
      out = undefined;
      await new Promise<void>((resolve, reject) => w.end((e?: Error | null) => (e ? reject(e) : resolve())));
      const md5 = hash.digest('hex');
      if (md5 !== f.md5) {
        rmSync(tmp, { force: true });
        problems.push(`${url}: checksum mismatch (MD5 ${md5}, expected ${f.md5})`);
        continue;
      }
      renameSync(tmp, dest);
      return;
    } catch (e) {
      const reason = abort.signal.aborted ? abort.signal.reason : e;
      if (reason instanceof Stalled || reason instanceof TooLarge) problems.push(`${url}: ${reason.message}`);
      else {
        problems.push(`${url}: ${describeNetworkError(e)}`);
      }
      abort.abort(); // stops the body if it is still coming (too large)
      if (out) await new Promise<void>((r) => out!.destroy().once('close', () => r()));
      rmSync(tmp, { force: true });
    } finally {
      clearTimeout(timer);
    }
  }
  throw new DataError(`cannot download ${f.file}: ${problems.join('; ')}`);
}

/**
 * Removes `FILE.PID.part` files of downloads whose process is gone (killed mid-download:
 * a SIGKILL runs no clean-up). Only that exact name pattern, which only hwy writes, and
 * never the part file of a download still running in another process.
 */
function removeStaleParts(dir: string, file: string): void {
  for (const name of readdirSync(dir)) {
    const m = name.startsWith(`${file}.`) ? /^\.(\d+)\.part$/.exec(name.slice(file.length)) : null;
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** MD5 of a file, streamed (archives are 170 MB). */
async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A cached download is checked again before use: a disk error, an interrupted copy or an
 * edit would otherwise be trained on. A corrupt one is not deleted (the user may have put
 * it there); the message says which file to delete.
 */
async function verifyCached(path: string, f: RemoteFile): Promise<void> {
  let md5: string;
  try {
    md5 = await md5Of(path);
  } catch (e) {
    throw new DataError(`cannot read the cached ${path}: ${describeFsError(e)}`);
  }
  if (md5 !== f.md5) throw new DataError(`the cached ${path} is corrupt (MD5 ${md5}, expected ${f.md5}): delete it and run again to download it anew`);
}

/**
 * Unpacks the wanted members of a tar.gz, stopping once the unpacked stream passes `limit`
 * bytes: the filter alone would still inflate every byte of a gzip bomb.
 */
async function unpack(archive: string, cwd: string, wanted: Set<string>, limit: number): Promise<void> {
  const { x } = await import('tar');
  let seen = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new TooLarge(`unpacks to more than ${(limit / 2 ** 20).toFixed(1)} MiB, more than the published data set; the file is corrupt or not what it claims`));
      else done(null, chunk);
    },
  });
  // only the expected regular files: no other paths, no links
  const filter = (p: string, entry: unknown) => wanted.has(p.replace(/^\.\//, '')) && (entry as { type?: string }).type === 'File';
  await pipeline(createReadStream(archive), createGunzip(), count, x({ cwd, filter }));
}

/**
 * The directory holding a data set's files: from the cache, or downloaded into it and
 * verified by checksum. Nothing half-downloaded is ever used: files are renamed into
 * place only after their checksum matches, and a `complete` marker is written last.
 */
export async function ensureDownloaded(name: 'mnist_full' | 'cifar10' | 'cifar100', opts: DownloadOptions = {}): Promise<string> {
  const src = (opts.sources ?? SOURCES)[name];
  const log = opts.log ?? (() => {});
  const dir = join(opts.cache ?? cacheRoot(), name);
  const marker = join(dir, 'complete');
  if (existsSync(marker)) {
    // archives kept in the cache (MNIST's .gz files) are what is read: verify them again
    for (const f of src.files) if (!src.extract) await verifyCached(join(dir, f.file), f);
    return dir;
  }
  mkdirSync(dir, { recursive: true });
  const mirror = process.env.HWY_DATA_MIRROR;
  const bases = mirror ? [mirror, ...src.bases] : src.bases;
  for (const f of src.files) {
    const dest = join(dir, f.file);
    if (existsSync(dest)) {
      await verifyCached(dest, f);
      continue;
    }
    removeStaleParts(dir, f.file);
    log(`downloading ${f.file} into ${dir}`);
    await fetchVerified(
      bases.map((b) => `${b.replace(/\/$/, '')}/${f.file}`),
      f,
      dest,
      log,
      opts.stallMs ?? DEFAULT_STALL_MS,
    );
  }
  if (src.extract) {
    const wanted = new Set(src.extract);
    for (const f of src.files) {
      try {
        await unpack(join(dir, f.file), dir, wanted, src.unpackedBytes ?? DEFAULT_UNPACKED_BYTES);
      } catch (e) {
        throw new DataError(`${join(dir, f.file)}: cannot unpack: ${(e as Error).message}`);
      }
    }
    const missing = src.extract.filter((p) => !existsSync(join(dir, p)));
    if (missing.length) throw new DataError(`${join(dir, src.files[0].file)} lacks ${missing.join(', ')}`);
    for (const f of src.files) rmSync(join(dir, f.file), { force: true });
  }
  writeFileSync(marker, new Date().toISOString() + '\n');
  return dir;
}
