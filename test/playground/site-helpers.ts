// What the playground's browser tests share: a plain static host over a built site, and a
// Node with stock tfjs and hwy-lang/layers to load the model files a page downloads.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from '../helpers.js';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.gz': 'application/gzip', '.wasm': 'application/wasm' };

/** A plain static file server over a built site, as any static host is: files only, nothing outside the folder. */
export function serveSite(site: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(site, '.' + path);
    const rel = relative(site, file);
    let body: Buffer;
    try {
      if (rel.startsWith('..') || rel.split(sep).includes('..')) throw new Error('outside');
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

/** Runs a Node with stock tfjs and hwy-lang/layers (dist/layers.js): loads the model files in `dir`, predicts one image. */
export function predictWithLayersEntry(dir: string, pixels: number[]): number[] {
  const script = `
    import * as tf from '@tensorflow/tfjs-core';
    import '@tensorflow/tfjs-backend-cpu';
    import * as tfl from '@tensorflow/tfjs-layers';
    import { readFileSync } from 'node:fs';
    import { join } from 'node:path';
    await import(${JSON.stringify(join(ROOT, 'dist/layers.js'))});
    await tf.setBackend('cpu');
    const dir = ${JSON.stringify(dir)};
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'weights.bin'));
    const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
    const x = tf.tensor(JSON.parse(readFileSync(join(dir, 'pixels.json'), 'utf8')), [1, 28, 28, 1]);
    process.stdout.write(JSON.stringify(Array.from(model.predict(x).dataSync())));
  `;
  writeFileSync(join(dir, 'pixels.json'), JSON.stringify(pixels));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node with hwy-lang/layers failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** How many pixels of the training panel's curves are the loss curve's red (#c0392b): none before an epoch is drawn (the axes and grid are grey). */
export function curvesInk(page: { evaluate<T>(f: () => T): Promise<T> }): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector('.curves canvas') as HTMLCanvasElement | null;
    if (!c) return 0;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 128 && d[i] > 150 && d[i + 1] < 110 && d[i + 2] < 100) n++;
    return n;
  });
}
