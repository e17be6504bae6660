// hwy studio's /editor/: the playground's files from a fixed list, under the playground's
// policy; nothing else of the site's folder, no path from the client, and a clear 404 when
// the site is not built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createStudioServer } from '../../src/studio/server.js';

function get(port: number, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (b) => (body += b));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as { port: number }).port;
}

describe('hwy studio serves the playground at /editor/', () => {
  let work: string;
  let built: Server;
  let unbuilt: Server;
  let port: number;
  let port2: number;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hwy-studio-editor-'));
    const site = join(work, 'site');
    mkdirSync(join(site, 'data'), { recursive: true });
    for (const f of ['index.html', 'app.js', 'worker.js', 'style.css', 'secret.txt', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'data/mnist-10k-labels-idx1-ubyte.gz']) writeFileSync(join(site, f), `content of ${f}`);
    mkdirSync(join(work, 'app'));
    writeFileSync(join(work, 'app/index.html'), 'studio');
    built = createStudioServer({ roots: [], appDir: join(work, 'app'), siteDir: site, exposed: false });
    unbuilt = createStudioServer({ roots: [], appDir: join(work, 'app'), siteDir: join(work, 'none'), exposed: false });
    port = await listen(built);
    port2 = await listen(unbuilt);
  });

  afterAll(() => {
    built.close();
    unbuilt.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves the listed files with their types and the playground policy', async () => {
    const page = await get(port, '/editor/');
    expect(page.status).toBe(200);
    expect(page.body).toBe('content of index.html');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("worker-src 'self'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect((await get(port, '/editor/worker.js')).body).toBe('content of worker.js');
    expect((await get(port, '/editor/data/mnist-10k-labels-idx1-ubyte.gz')).headers['content-type']).toBe('application/gzip');
    // the trainer's wasm backend, as WebAssembly (a browser compiles only application/wasm as it arrives)
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      const w = await get(port, `/editor/${f}`);
      expect(w.status, f).toBe(200);
      expect(w.body, f).toBe(`content of ${f}`);
      expect(w.headers['content-type'], f).toBe('application/wasm');
    }
    const bare = await get(port, '/editor');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/editor/');
    // the studio's own page keeps its stricter policy
    expect((await get(port, '/')).headers['content-security-policy']).not.toContain('wasm-unsafe-eval');
  });

  it('serves nothing else of the folder and maps no client path', async () => {
    for (const p of ['/editor/secret.txt', '/editor/tfjs-backend-wasm-threaded-simd.wasm', '/editor/../app/index.html', '/editor/%2e%2e/secret.txt', '/editor/data/', '/editor//app.js', '/editor/app.js/']) {
      const r = await get(port, p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('content of');
    }
  });

  it('says how to build it when it is not built, and names a listed file a partial copy lacks', async () => {
    const r = await get(port2, '/editor/');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error).toBe('the playground is not built: run npm run build:site');
    const t = await get(port, '/editor/trainer.js');
    expect(t.status).toBe(404);
    expect(JSON.parse(t.body).error).toBe('the playground is not built completely (trainer.js is missing): run npm run build:site');
  });
});
