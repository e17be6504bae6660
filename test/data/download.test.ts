import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { c as tarCreate } from 'tar';
import { ensureDownloaded, type Source } from '../../src/data/download.js';
import { loadMnistIdx } from '../../src/data/idx.js';
import { loadCifar100 } from '../../src/data/cifar.js';
import { loadData } from '../../src/data/index.js';
import { idxBytes } from '../helpers.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const tmp = () => mkdtempSync(join(tmpdir(), 'hwy-dl-'));

// A loopback server standing in for the data hosts: /good/NAME serves files, /missing/ 404s.
const files = new Map<string, Buffer>();
let requests: string[] = [];
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function mnistSource(): Source {
  const n = 3;
  const out: Source = { bases: [`${base}/missing`, `${base}/good`], files: [] };
  for (const p of ['train', 't10k']) {
    for (const [kind, buf] of [
      ['images-idx3-ubyte', idxBytes([n, 2, 2], Array.from({ length: n * 4 }, (_, i) => i))],
      ['labels-idx1-ubyte', idxBytes([n], [1, 2, 3])],
    ] as const) {
      const name = `${p}-${kind}.gz`;
      const gz = gzipSync(buf);
      files.set(`/good/${name}`, gz);
      out.files.push({ file: name, md5: md5(gz), bytes: gz.length });
    }
  }
  return out;
}

describe('data download with checksum verification', () => {
  it('downloads into the cache (trying the next host when one fails), verifies, then reuses the cache', async () => {
    const cache = tmp();
    const src = mnistSource();
    requests = [];
    const dir = await ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } });
    const d = loadMnistIdx(dir);
    expect(d.trainval.count).toBe(3);
    expect(Array.from(d.test.labels)).toEqual([1, 2, 3]);
    expect(requests.filter((r) => r.startsWith('/good/')).length).toBe(4);
    requests = [];
    await ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } });
    expect(requests).toEqual([]);
  });

  it('refuses a file whose checksum does not match and leaves nothing behind', async () => {
    const cache = tmp();
    files.set('/good/bad.gz', Buffer.from('not what was published'));
    const src: Source = { bases: [`${base}/good`], files: [{ file: 'bad.gz', md5: '0'.repeat(32), bytes: 100 }] };
    await expect(ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } })).rejects.toThrow(/checksum mismatch \(MD5 [0-9a-f]{32}, expected 0{32}\)/);
    expect(readdirSync(join(cache, 'mnist_full'))).toEqual([]);
  });

  it('unpacks only the expected members of a tar.gz archive', async () => {
    const work = tmp();
    mkdirSync(join(work, 'cifar-100-binary'));
    const rec = (fine: number) => Buffer.concat([Buffer.from([0, fine]), Buffer.alloc(3072, 7)]);
    writeFileSync(join(work, 'cifar-100-binary/train.bin'), Buffer.concat([rec(5), rec(6)]));
    writeFileSync(join(work, 'cifar-100-binary/test.bin'), rec(9));
    writeFileSync(join(work, 'cifar-100-binary/unexpected.sh'), 'echo no');
    const archive = join(work, 'a.tar.gz');
    await tarCreate({ gzip: true, file: archive, cwd: work }, ['cifar-100-binary']);
    const buf = (await import('node:fs')).readFileSync(archive);
    files.set('/good/cifar-100-binary.tar.gz', buf);
    const cache = tmp();
    const src: Source = { bases: [`${base}/good`], files: [{ file: 'cifar-100-binary.tar.gz', md5: md5(buf), bytes: buf.length }], extract: ['cifar-100-binary/train.bin', 'cifar-100-binary/test.bin'] };
    const dir = await ensureDownloaded('cifar100', { cache, sources: { cifar100: src } });
    expect(existsSync(join(dir, 'cifar-100-binary/unexpected.sh'))).toBe(false);
    expect(Array.from(loadCifar100(dir).trainval.labels)).toEqual([5, 6]);
  });

  it('without internet: a clear error that says how to use local files', async () => {
    const src: Source = { bases: [`${base}/missing`], files: [{ file: 'x.bin', md5: '0'.repeat(32), bytes: 100 }] };
    await expect(loadData({ name: 'cifar10', normalize: 'scale', augment: [], validation: 0.1 }, undefined, { cache: tmp(), sources: { cifar10: src } })).rejects.toThrow(/HTTP 404.*pass --data-dir DIR/);
  });
});
