import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DataError } from './dataset.js';

export interface RemoteFile {
  file: string;
  md5: string;
}

export interface Source {
  /** Base URLs tried in order (a mirror from HWY_DATA_MIRROR comes first). */
  bases: string[];
  files: RemoteFile[];
  /** tar.gz archives are unpacked; only these members are kept. */
  extract?: string[];
}

/** The published files and their published MD5 checksums. */
export const SOURCES: Record<'mnist_full' | 'cifar10' | 'cifar100', Source> = {
  mnist_full: {
    bases: ['https://ossci-datasets.s3.amazonaws.com/mnist', 'https://storage.googleapis.com/cvdf-datasets/mnist'],
    files: [
      { file: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
      { file: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
      { file: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
      { file: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
    ],
  },
  cifar10: {
    bases: ['https://www.cs.toronto.edu/~kriz'],
    files: [{ file: 'cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' }],
    extract: [...[1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`), 'cifar-10-batches-bin/test_batch.bin'],
  },
  cifar100: {
    bases: ['https://www.cs.toronto.edu/~kriz'],
    files: [{ file: 'cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8' }],
    extract: ['cifar-100-binary/train.bin', 'cifar-100-binary/test.bin'],
  },
};

export function cacheRoot(): string {
  return process.env.HWY_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hwy');
}

export interface DownloadOptions {
  cache?: string;
  sources?: Record<string, Source>;
  log?: (line: string) => void;
}

/** Downloads one file into `dest`, checking its MD5 as it streams; the file appears only when verified. */
async function fetchVerified(urls: string[], expectedMd5: string, dest: string, log: (s: string) => void): Promise<void> {
  const problems: string[] = [];
  for (const url of urls) {
    const tmp = `${dest}.${process.pid}.part`;
    try {
      const res = await fetch(url);
      if (!res.ok || !res.body) {
        problems.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const total = Number(res.headers.get('content-length')) || 0;
      const hash = createHash('md5');
      const out = createWriteStream(tmp);
      let got = 0;
      let lastLog = Date.now();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        got += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        if (Date.now() - lastLog > 2000) {
          lastLog = Date.now();
          log(`  ${(got / 2 ** 20).toFixed(1)}${total ? ` of ${(total / 2 ** 20).toFixed(1)}` : ''} MiB`);
        }
      }
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      const md5 = hash.digest('hex');
      if (md5 !== expectedMd5) {
        rmSync(tmp, { force: true });
        problems.push(`${url}: checksum mismatch (MD5 ${md5}, expected ${expectedMd5})`);
        continue;
      }
      renameSync(tmp, dest);
      return;
    } catch (e) {
      rmSync(tmp, { force: true });
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      problems.push(`${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
  }
  throw new DataError(`cannot download ${dest.split('/').pop()}: ${problems.join('; ')}`);
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
  if (existsSync(marker)) return dir;
  mkdirSync(dir, { recursive: true });
  const mirror = process.env.HWY_DATA_MIRROR;
  const bases = mirror ? [mirror, ...src.bases] : src.bases;
  for (const f of src.files) {
    const dest = join(dir, f.file);
    if (existsSync(dest)) continue;
    log(`downloading ${f.file} into ${dir}`);
    await fetchVerified(
      bases.map((b) => `${b.replace(/\/$/, '')}/${f.file}`),
      f.md5,
      dest,
      log,
    );
  }
  if (src.extract) {
    const { x } = await import('tar');
    const wanted = new Set(src.extract);
    for (const f of src.files) {
      try {
        // only the expected regular files: no other paths, no links
        await x({ file: join(dir, f.file), cwd: dir, filter: (p, entry) => wanted.has(p.replace(/^\.\//, '')) && (entry as { type?: string }).type === 'File' });
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
