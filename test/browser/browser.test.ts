// A model trained by `hwy train` classifies digits in a real browser (headless Chromium)
// with stock tfjs and hwy's layers entry, exactly as hwy does in Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, extname, join, relative, resolve, sep } from 'node:path';
import { loadModel } from '../../src/backends/tfjs/checkpoint.js';
import { loadData } from '../../src/data/index.js';
import { openRun } from '../../src/run/open.js';
import { ROOT, hwy } from '../helpers.js';

/** Debian's package and the names other systems give it. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {}
    }
  }
  return undefined;
}

const chromium = findChromium();
// In CI the browser is installed (scripts/install-chromium.sh): there a missing one fails the test.
const skip = !chromium && !process.env.CI;
if (skip) console.warn('test/browser/browser.test.ts: skipped: no chromium on PATH (scripts/install-chromium.sh installs it)');

// A conv layer, a highway conv layer, both poolings (ceil: custom; floor: stock), dropout,
// a projection and a highway dense layer: the page needs every custom class.
const SPEC = `network browser_digits {
  input 28x28x1
  conv 4 5x5 relu stride=2
  highway conv 3x3 relu gate_bias=-1
  maxpool 3x3 stride=2 round=ceil
  maxpool 2x2 stride=1
  dropout 0.2
  flatten
  dense 16 relu
  highway dense relu gate_bias=-2
  dense 10 softmax
}
`;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.bin': 'application/octet-stream', '.map': 'application/json' };

/** Serves the repository's page, tfjs's bundles and dist/ from ROOT, and /run/ from the run directory: files only, nothing outside them. */
function serve(routes: { prefix: string; dir: string }[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const route = routes.find((r) => path.startsWith(r.prefix));
    const file = route && resolve(route.dir, '.' + path.slice(route.prefix.length - 1));
    if (!route || !file || relative(route.dir, file).startsWith('..') || relative(route.dir, file).split(sep).includes('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

describe.skipIf(skip)(`the browser example${skip ? ' (skipped: no chromium on PATH; scripts/install-chromium.sh installs it)' : ''}`, () => {
  let work: string;
  let server: Server | undefined;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'hwy-browser-'));
  });
  afterAll(() => {
    server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('classifies the validation digits as hwy eval and loadModel do', async () => {
    expect(chromium, 'chromium is not installed (scripts/install-chromium.sh)').toBeDefined();
    writeFileSync(join(work, 'digits.hwy'), SPEC);
    const runDir = join(work, 'run');
    const trained = hwy(['train', join(work, 'digits.hwy'), '--epochs', '1', '--out', runDir]);
    expect(trained.code, trained.stderr).toBe(0);
    const modelJson = readFileSync(join(runDir, 'model/model.json'), 'utf8');
    for (const cls of ['HighwayConv2D', 'HighwayDense', 'CeilMaxPooling2D', 'MaxPooling2D', 'Dropout', 'Dense']) expect(modelJson).toContain(`"class_name":"${cls}"`);

    // the validation split: as grey levels that the page paints into its canvas and reads
    // back, where the scaled pixels are whole grey levels k/255 (the canvas then loses
    // nothing); otherwise as the network's inputs
    const { record } = openRun(runDir);
    const val = (await loadData(record.config.data)).validation;
    const size = 28 * 28;
    const grey = Array.from(val.x, (v) => Math.round(v * 255));
    const whole = grey.every((g, i) => Math.fround(g / 255) === val.x[i]);
    const rows = (a: ArrayLike<number>) => Array.from({ length: val.count }, (_, i) => Array.prototype.slice.call(a, i * size, (i + 1) * size) as number[]);
    writeFileSync(join(work, 'images.json'), JSON.stringify(whole ? { pixels: rows(grey) } : { x: rows(val.x) }));

    // hwy: eval's confusion matrix, and loadModel's probabilities, on the backend the page uses
    const evaluated = hwy(['eval', runDir, '--device', 'cpu', '--format', 'json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const confusion = JSON.parse(evaluated.stdout).confusion as number[][];
    await tf.setBackend('cpu');
    const model = await loadModel(join(runDir, 'model'));
    const nodeProbs = tf.tidy(() => (model.predict(tf.tensor4d(val.x, [val.count, 28, 28, 1])) as tf.Tensor).arraySync() as number[][]);

    const started = await serve([
      { prefix: '/run/', dir: runDir },
      { prefix: '/data/', dir: work },
      { prefix: '/', dir: ROOT },
    ]);
    server = started.server;
    const page = `${started.url}/examples/browser/index.html?model=/run/model/model.json&images=/data/images.json`;
    // an async server: spawnSync would block the event loop that answers the browser
    const dom = await new Promise<string>((ok, fail) => {
      const child = spawn(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--virtual-time-budget=120000', '--dump-dom', page]);
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
      child.stdout.on('data', (b) => (out += b));
      child.stderr.on('data', (b) => (err += b));
      child.on('error', fail);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) ok(out);
        else fail(new Error(`chromium exited with ${code}: ${err.slice(-2000)}`));
      });
    });
    const m = /<pre id="results">([^<]*)<\/pre>/.exec(dom);
    const status = /<p id="status">([^<]*)<\/p>/.exec(dom)?.[1];
    expect(m?.[1], `the page wrote no results (status: ${status})`).toBeTruthy();
    const results = JSON.parse(m![1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as { error?: string; backend: string; via: string; layers: string[]; predictions: { class: number; probs: number[] }[] };
    expect(results.error).toBeUndefined();
    expect(results.backend).toBe('cpu');
    expect(results.via).toBe(whole ? 'canvas' : 'inputs');
    expect(results.layers).toEqual(JSON.parse(modelJson).modelTopology.config.layers.map((l: { class_name: string }) => l.class_name));
    expect(results.predictions).toHaveLength(val.count);

    // the same class for every digit as loadModel, the same probabilities to 1e-4
    const argmax = (p: number[]) => p.indexOf(Math.max(...p));
    expect(results.predictions.map((p) => p.class)).toEqual(nodeProbs.map(argmax));
    const worst = Math.max(...results.predictions.flatMap((p, i) => p.probs.map((q, k) => Math.abs(q - nodeProbs[i][k]))));
    expect(worst).toBeLessThan(1e-4);
    // and hwy eval's confusion matrix, counted from the page's classes
    const pageConfusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    results.predictions.forEach((p, i) => pageConfusion[val.labels[i]][p.class]++);
    expect(pageConfusion).toEqual(confusion);
  }, 300_000);
});
