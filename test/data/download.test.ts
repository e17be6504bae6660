import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    // /stall-head/: never answers; /stall-body/: a first chunk, then nothing; /flood/: more than any published size
    if (req.url?.startsWith('/stall-head/')) return;
    if (req.url?.startsWith('/stall-body/')) {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(100));
      return;
    }
    if (req.url?.startsWith('/flood/')) {
      res.writeHead(200); // chunked: no length announced
      const push = () => {
        while (!res.destroyed && res.write(Buffer.alloc(64 * 1024))) if (++pushed > 64) return res.end();
        if (!res.destroyed) res.once('drain', push);
      };
      let pushed = 0;
      push();
      return;
    }
    if (req.url?.startsWith('/cut/')) {
      // half the announced bytes, then the connection dropped
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(500));
      // destroyed on a timer, not in the write's callback (which a flushed socket may never call)
      setTimeout(() => req.socket.destroy(), 50);
      return;
    }
    if (req.url?.startsWith('/announce/')) {
      res.writeHead(200, { 'content-length': 10 ** 9 }).end();
      return;
    }
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
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

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

describe('downloads are bounded in time and size', () => {
  const one = (bases: string[], bytes = 1000): Source => ({ bases, files: [{ file: 'f.gz', md5: '0'.repeat(32), bytes }] });

  it('a host that stops sending (before the headers or mid-body) is given up on, and no .part file stays', async () => {
    const cache = tmp();
    const err = ensureDownloaded('mnist_full', { cache, stallMs: 300, sources: { mnist_full: one([`${base}/stall-head`, `${base}/stall-body`]) } });
    await expect(err).rejects.toThrow(/cannot download f\.gz: .*stall-head\/f\.gz: no data for 0\.3 s; .*stall-body\/f\.gz: no data for 0\.3 s$/);
    expect(readdirSync(join(cache, 'mnist_full'))).toEqual([]);
  });

  it('a host that sends more than the published size is stopped there (announced or not), and no .part file stays', async () => {
    const cache = tmp();
    const err = ensureDownloaded('mnist_full', { cache, sources: { mnist_full: one([`${base}/announce`, `${base}/flood`], 200_000) } });
    await expect(err).rejects.toThrow(/announce\/f\.gz: announces 1,000,000,000 bytes, but the published file has 200,000; .*flood\/f\.gz: sent more than the 200,000 bytes of the published file/);
    expect(readdirSync(join(cache, 'mnist_full'))).toEqual([]);
  });
});

describe('part files of killed downloads', () => {
  it('are removed when the process that wrote them is gone, and only those', async () => {
    const cache = tmp();
    const src = mnistSource();
    const dir = join(cache, 'mnist_full');
    mkdirSync(dir);
    const dead = spawnSync('true').pid; // exited: no process has this id now
    const f = src.files[0].file;
    writeFileSync(join(dir, `${f}.${dead}.part`), 'half');
    writeFileSync(join(dir, `${f}.${process.ppid}.part`), 'another download, still running');
    writeFileSync(join(dir, `${f}.notes.part`), 'not ours');
    await ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } });
    const left = readdirSync(dir);
    expect(left).not.toContain(`${f}.${dead}.part`);
    expect(left).toContain(`${f}.${process.ppid}.part`);
    expect(left).toContain(`${f}.notes.part`);
  });
});

describe('cached archives are verified again before use', () => {
  it('a corrupt file left in the cache is refused, named, and not deleted', async () => {
    const cache = tmp();
    const src = mnistSource();
    mkdirSync(join(cache, 'mnist_full'));
    const path = join(cache, 'mnist_full', src.files[0].file);
    writeFileSync(path, 'half a download');
    await expect(ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } })).rejects.toThrow(`the cached ${path} is corrupt (MD5 ${md5(Buffer.from('half a download'))}, expected ${src.files[0].md5}): delete it and run again`);
    expect(readFileSync(path, 'utf8')).toBe('half a download');
  });

  it('a complete cache whose archive changed since is refused too', async () => {
    const cache = tmp();
    const src = mnistSource();
    const dir = await ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } });
    const path = join(dir, src.files[1].file);
    writeFileSync(path, gzipSync(idxBytes([3], [7, 7, 7])));
    await expect(ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } })).rejects.toThrow(`the cached ${path} is corrupt`);
  });
});

describe('unpacking is bounded', () => {
  it('a tar.gz that unpacks past the expected size is stopped there, naming the archive', async () => {
    const work = tmp();
    mkdirSync(join(work, 'cifar-100-binary'));
    // 32 MB of zeros, 32 KB gzipped: a small bomb standing in for a large one
    writeFileSync(join(work, 'cifar-100-binary/train.bin'), Buffer.alloc(32 * 2 ** 20));
    writeFileSync(join(work, 'cifar-100-binary/test.bin'), Buffer.alloc(3074));
    const archive = join(work, 'bomb.tar.gz');
    await tarCreate({ gzip: true, file: archive, cwd: work }, ['cifar-100-binary']);
    const buf = readFileSync(archive);
    expect(buf.length).toBeLessThan(2 ** 20);
    files.set('/good/bomb.tar.gz', buf);
    const cache = tmp();
    const src: Source = { bases: [`${base}/good`], files: [{ file: 'bomb.tar.gz', md5: md5(buf), bytes: buf.length }], extract: ['cifar-100-binary/train.bin', 'cifar-100-binary/test.bin'], unpackedBytes: 2 ** 20 };
    await expect(ensureDownloaded('cifar100', { cache, sources: { cifar100: src } })).rejects.toThrow(/bomb\.tar\.gz: cannot unpack: unpacks to more than 1\.0 MiB/);
    expect(existsSync(join(cache, 'cifar100', 'complete'))).toBe(false);
  });
});

describe('why a download failed, in plain words', () => {
  it("a connection dropped mid-file and a port fetch refuses are said in words, not undici's codes", async () => {
    const cache = tmp();
    const src: Source = { bases: [`${base}/cut`, 'http://127.0.0.1:10080/x'], files: [{ file: 'f.gz', md5: '0'.repeat(32), bytes: 1000 }] };
    const err = await ensureDownloaded('mnist_full', { cache, sources: { mnist_full: src } }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(err).toBe(
      `cannot download f.gz: ${base}/cut/f.gz: the connection was closed before the file was complete; http://127.0.0.1:10080/x/f.gz: Node refuses to connect to that port (one browsers block, such as 6000 or 10080): use an address on another port`,
    );
    expect(err).not.toMatch(/UND_ERR|bad port/);
  });
});
