// The playground's in-page trainer (src/playground/train/trainer.ts) in a real browser:
// Debian's chromium, headless, whose WebGL is ANGLE on SwiftShader (software, so the
// networks are small). It must train the same function as `hwy train`: for a seed, the same
// initial weights, the same batches and, within float32 noise, the same first epochs' loss on
// WebGL as the tfjs engine in Node, and the same again on wasm in the same page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, skipWithoutChromium } from '../chromium.js';
import { predictWithLayersEntry } from './site-helpers.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/core/compile.js';
import { loadData } from '../../src/data/index.js';
import { subset, type Splits } from '../../src/data/dataset.js';
import { runTraining } from '../../src/run/session.js';
import type { MetricsLine } from '../../src/backends/engine.js';
import type { NetworkIR } from '../../src/ir/types.js';
import { ROOT } from '../helpers.js';

// In CI the browser is installed (scripts/install-chromium.sh): there a missing one fails the test.
const skip = skipWithoutChromium('test/playground/train.test.ts');

const SPEC = `network page_mlp {
  input 28x28x1
  flatten
  dense 24 relu
  repeat 3 {
    highway dense relu gate_bias=-2
  }
  dense 10 softmax
}

train {
  data mnist
  optimizer sgd momentum=0.9
  lr 0.05 schedule=exponential gamma=0.9
  batch 32
  epochs 5
  seed 11
}
`;

// Far past what a page may plan for (8 GiB of weights alone), for the refusal.
const HUGE = `network huge {
  input 28x28x1
  flatten
  dense 8192 relu
  repeat 8 {
    highway dense relu
  }
  dense 10 softmax
}
`;

/** The subset both sides train on: the first examples of each split, as `hwy train` made them. */
const N_TRAIN = 640; // 20 steps of 32
const N_VAL = 200;

/** What the page code sees: the trainer's module, the data loader and tfjs. */
const ENTRY = `
import * as tf from '@tensorflow/tfjs-core';
import { createTrainerOn } from './src/playground/train/trainer.ts';
import { fetchBundledMnist } from './src/playground/train/data.ts';
import { webglContext } from './src/playground/train/backend.ts';
import { subset } from './src/data/dataset.ts';
const range = (n) => Array.from({ length: n }, (_, i) => i);
// the bundled digits from the site, cut to the test's subset
const load = (nTrain, nVal) => async (cfg) => {
  const s = await fetchBundledMnist('/data', cfg);
  return { ...s, train: subset(s.train, range(Math.min(nTrain, s.train.count)), 'train'), validation: subset(s.validation, range(Math.min(nVal, s.validation.count)), 'validation') };
};
const bytes = async (files) => Object.fromEntries(await Promise.all(files.map(async (f) => [f.name, Array.from(new Uint8Array(await f.data.arrayBuffer()))])));
import { fetchBundledMnist as fetchDigits } from './src/playground/train/data.ts';
const sums = (s) => Object.fromEntries(['train', 'validation', 'test'].map((k) => [k, { count: s[k].count, x: s[k].x.reduce((a, b) => a + b, 0), labels: s[k].labels.reduce((a, b) => a + b, 0), first: Array.from(s[k].labels.subarray(0, 20)) }]));
window.hwy = { tf, createTrainerOn, load, webglContext, bytes, fetchDigits, sums };
`;

function serve(bundle: Uint8Array): Promise<{ server: Server; url: string }> {
  const files: Record<string, () => Buffer | Uint8Array> = {
    '/': () => Buffer.from('<!doctype html><meta charset="utf-8"><title>trainer</title><script type="module" src="/trainer.js"></script>'),
    '/trainer.js': () => bundle,
  };
  const type = (p: string) => (p === '/' ? 'text/html' : p.endsWith('.js') ? 'text/javascript' : p.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream');
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: Buffer | Uint8Array | undefined;
    try {
      if (files[path]) body = files[path]();
      // the site's copies of the package's files: the two digit files and tfjs's wasm binaries
      else if (/^\/data\/mnist-10k-(images-idx3|labels-idx1)-ubyte\.gz$/.test(path)) body = readFileSync(join(ROOT, path));
      // a download cut short
      else if (path === '/bad/mnist-10k-images-idx3-ubyte.gz') body = readFileSync(join(ROOT, 'data/mnist-10k-images-idx3-ubyte.gz')).subarray(0, 100_000);
      else if (path === '/bad/mnist-10k-labels-idx1-ubyte.gz') body = readFileSync(join(ROOT, 'data/mnist-10k-labels-idx1-ubyte.gz'));
      else if (/^\/wasm\/tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm$/.test(path)) body = readFileSync(join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', path.slice(6)));
    } catch {}
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': type(path) }).end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

const irOf = (text: string): NetworkIR => {
  const r = compile(text, 'page.hwy');
  if (!r.ok || !r.ir) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.ir;
};


const sums = (s: Splits) => Object.fromEntries((['train', 'validation', 'test'] as const).map((k) => [k, { count: s[k].count, x: s[k].x.reduce((a, b) => a + b, 0), labels: s[k].labels.reduce((a, b) => a + b, 0), first: Array.from(s[k].labels.subarray(0, 20)) }]));

describe.skipIf(skip)('the playground trainer in a browser', () => {
  let work: string;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let ir: NetworkIR;
  /** hwy train's epochs on the same subset (tfjs engine, wasm, in this process). */
  let node: MetricsLine[] = [];
  let nodeInitial: Uint8Array;
  let pixels: number[];
  let full: Splits;
  const problems: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hwy-playtrain-'));
    ir = irOf(SPEC);
    const r = await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, metafile: true, logLevel: 'silent' });
    // the trainer must bundle for a browser on its own (a node: import would not resolve), and
    // with none of the Node side of the engine and the data (their pure parts are shared instead)
    expect(r.errors).toEqual([]);
    const ours = Object.keys(r.metafile.inputs).filter((p) => p.startsWith('src/'));
    expect(ours).toEqual(expect.arrayContaining(['src/backends/tfjs/loop.ts', 'src/backends/tfjs/lower.ts', 'src/data/mnist-digits.ts', 'src/data/prepare.ts', 'src/backends/memory.ts']));
    expect(ours.filter((p) => /^src\/(run|cli|analysis)\/|^src\/data\/(idx|mnist-bundled|index)\.ts$|^src\/backends\/tfjs\/(train|checkpoint|runtime)\.ts$/.test(p))).toEqual([]);
    const started = await serve(r.outputFiles[0].contents);
    server = started.server;

    // hwy train on the same subset, two epochs
    full = await loadData(ir.train!.data);
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const splits: Splits = { ...full, train: subset(full.train, range(N_TRAIN), 'train'), validation: subset(full.validation, range(N_VAL), 'validation') };
    pixels = Array.from(splits.validation.x.subarray(0, 28 * 28));
    writeFileSync(join(work, 'page.hwy'), SPEC);
    const result = await runTraining({ specText: SPEC, specFile: join(work, 'page.hwy'), out: join(work, 'run'), data: splits, device: 'wasm', overrides: { epochs: 2 }, hooks: { onEpochEnd: (m) => node.push(m) } });
    expect(result.kind).toBe('trained');
    expect(node.map((m) => m.epoch)).toEqual([1, 2]);
    // the initial weights of hwy train's lowering, as bytes
    const { lowerToModel } = await import('../../src/backends/tfjs/lower.js');
    const { modelFiles } = await import('../../src/backends/tfjs/model-files.js');
    const m = lowerToModel(ir, { seed: ir.train!.seed });
    nodeInitial = (await modelFiles(m)).weights;
    m.dispose();

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(started.url);
    await page.waitForFunction(() => (window as unknown as { hwy?: unknown }).hwy !== undefined, null, { timeout: 30_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('on WebGL: the initial weights of hwy train, its first epochs within 1e-3, gates every epoch, stop and continue, a responsive page, and a model hwy-lang/layers loads', async () => {
    const out: any = await page.evaluate(
      async ({ ir, nTrain, nVal, pixels }: any) => {
        const { createTrainerOn, load, bytes, tf } = (window as any).hwy;
        const t = await createTrainerOn({ ir, dataUrl: '/data', backend: 'webgl', wasmUrl: '/wasm/' }, load(nTrain, nVal));
        const backend = { ...t.backend, tfjs: tf.getBackend(), f32: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') };
        const initial = (await bytes(await t.exportModel()))['weights.bin'];
        const epochs: any[] = [];
        const steps: any[] = [];
        // the event loop runs while training: a timer ticks, and its longest wait is measured
        let ticks = 0;
        let last = performance.now();
        let longest = 0;
        const timer = setInterval(() => {
          const now = performance.now();
          longest = Math.max(longest, now - last);
          last = now;
          ticks++;
        }, 5);
        const t0 = performance.now();
        await t.run(1, { epoch: (e: any) => epochs.push(e), step: (s: any) => steps.push(s) });
        const seconds = (performance.now() - t0) / 1000;
        clearInterval(timer);
        // stop in the middle of epoch 2 (at its first report, step 10 of 20), then continue
        const stoppedAt: any[] = [];
        await t.run(1, {
          step: (s: any) => {
            stoppedAt.push(s);
            t.stop();
          },
          epoch: (e: any) => epochs.push(e),
        });
        const epochsAfterStop = epochs.length;
        await t.run(1, { epoch: (e: any) => epochs.push(e), step: (s: any) => steps.push(s) });
        const files = await bytes(await t.exportModel());
        const digit = Array.from(t.predict(new Float32Array(pixels)));
        t.dispose();
        return { backend, initial, epochs, steps, stoppedAt, epochsAfterStop, ticks, longest, seconds, files, digit };
      },
      { ir, nTrain: N_TRAIN, nVal: N_VAL, pixels } as any,
    );
    expect(problems).toEqual([]);
    expect(out.backend.name).toBe('webgl');
    expect(out.backend.tfjs).toBe('webgl');
    expect(out.backend.f32).toBe(true);
    expect(out.backend.why).toMatch(/SwiftShader/);
    // the same initial weights, bit for bit
    expect(Buffer.from(out.initial).equals(Buffer.from(nodeInitial))).toBe(true);
    // the first epoch: the loss of hwy train's tfjs engine on wasm, within 1e-3
    const [e1] = out.epochs;
    expect(e1.epoch).toBe(1);
    console.log(`first epoch loss: page WebGL ${e1.loss}, hwy train (tfjs wasm) ${node[0].loss} (|Δ| ${Math.abs(e1.loss - node[0].loss).toExponential(1)}); epoch 2: ${out.epochs[1]?.loss} vs ${node[1].loss} (|Δ| ${Math.abs(out.epochs[1]?.loss - node[1].loss).toExponential(1)}); WebGL ${e1.samplesPerSec.toFixed(0)} samples/s; timer ticks ${out.ticks}, longest wait ${out.longest.toFixed(0)} ms over ${out.seconds.toFixed(1)} s`);
    expect(Math.abs(e1.loss - node[0].loss)).toBeLessThan(1e-3);
    expect(Math.abs(e1.accuracy - node[0].accuracy)).toBeLessThan(0.01);
    expect(Math.abs(e1.valLoss - node[0].valLoss!)).toBeLessThan(1e-3);
    expect(e1.samplesPerSec).toBeGreaterThan(0);
    // steps reported as they go (every 10 steps: the loop reads back in tens)
    expect(out.steps.slice(0, 2).map((s: any) => [s.epoch, s.step, s.steps])).toEqual([
      [1, 10, 20],
      [1, 20, 20],
    ]);
    // the gates: one row per highway layer, one value per unit, each a sigmoid's mean
    expect(e1.gates.map((g: any) => g.layer)).toEqual(ir.layers.filter((l) => l.kind === 'highway_dense').map((l) => l.name));
    for (const g of e1.gates) {
      expect(g.mean).toHaveLength(24);
      for (const v of g.mean) expect(v > 0 && v < 1).toBe(true);
    }
    // stopped at step 10 of epoch 2 with no epoch finished; continued, epoch 2 is hwy train's
    expect(out.stoppedAt.map((s: any) => [s.epoch, s.step])).toEqual([[2, 10]]);
    expect(out.epochsAfterStop).toBe(1);
    expect(out.epochs.map((e: any) => e.epoch)).toEqual([1, 2]);
    expect(out.steps.at(-1)).toMatchObject({ epoch: 2, step: 20 });
    expect(Math.abs(out.epochs[1].loss - node[1].loss)).toBeLessThan(1e-3);
    // the page was not frozen: the timer ran while the epoch trained
    expect(out.ticks).toBeGreaterThan(2);

    // the download: hwy-lang/layers (dist/layers.js) loads it in Node and predicts as the page did
    const dir = mkdtempSync(join(work, 'export-'));
    writeFileSync(join(dir, 'model.json'), Buffer.from(out.files['model.json']));
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(out.files['weights.bin']));
    expect(Object.keys(out.files).sort()).toEqual(['model.json', 'weights.bin']);
    const probs = predictWithLayersEntry(dir, pixels);
    expect(out.digit).toHaveLength(10);
    expect(Math.max(...probs.map((p, i) => Math.abs(p - out.digit[i])))).toBeLessThan(1e-4);
  }, 300_000);

  it('on wasm in the same page: the same first epoch as on WebGL and in Node; samples/s of both', async () => {
    const out: any = await page.evaluate(
      async ({ ir, nTrain, nVal }: any) => {
        const { createTrainerOn, load, tf } = (window as any).hwy;
        const t = await createTrainerOn({ ir, dataUrl: '/data', backend: 'wasm', wasmUrl: '/wasm/' }, load(nTrain, nVal));
        const epochs: any[] = [];
        // wasm computes on the page's thread: it gives the page its turn after every step (timers
        // wait behind its messages, so the longest wait is what tells)
        let ticks = 0;
        let last = performance.now();
        let longest = 0;
        const timer = setInterval(() => {
          const now = performance.now();
          longest = Math.max(longest, now - last);
          last = now;
          ticks++;
        }, 1);
        let reports = 0;
        await t.run(1, { epoch: (e: any) => epochs.push(e), step: () => reports++ });
        clearInterval(timer);
        const backend = { ...t.backend, tfjs: tf.getBackend() };
        t.dispose();
        // disposed in the middle of an epoch: run() ends, and the trainer leaves no tensor behind
        const before = tf.memory().numTensors;
        const d = await createTrainerOn({ ir, dataUrl: '/data', backend: 'wasm', wasmUrl: '/wasm/' }, load(nTrain, nVal));
        let steps = 0;
        await d.run(3, { step: () => (steps++, d.dispose()) });
        const leaked = tf.memory().numTensors - before;
        const afterDispose = await d.run(1, {}).then(
          () => 'ran',
          (e: Error) => e.message,
        );
        // WebGL again, for its speed beside wasm's in one page
        const g = await createTrainerOn({ ir, dataUrl: '/data', backend: 'webgl' }, load(nTrain, nVal));
        await g.run(1, { epoch: (e: any) => epochs.push(e) });
        g.dispose();
        return { backend, epochs, steps, leaked, afterDispose, ticks, longest, reports };
      },
      { ir, nTrain: N_TRAIN, nVal: N_VAL } as any,
    );
    expect(problems).toEqual([]);
    expect(out.backend).toMatchObject({ name: 'wasm', why: 'as asked', tfjs: 'wasm' });
    console.log(`wasm: ${out.reports} step reports, timer ticks ${out.ticks}, longest wait ${out.longest.toFixed(0)} ms`);
    // a read-back, and with it the page's turn, after each of the 20 steps
    expect(out.reports).toBe(20);
    expect(out.ticks).toBeGreaterThan(0);
    expect(out.steps).toBe(1);
    expect(out.leaked).toBe(0);
    expect(out.afterDispose).toBe('the trainer was disposed: create another');
    const [wasm, webgl] = out.epochs;
    console.log(`samples/s in one page (SwiftShader's WebGL, software): WebGL ${webgl.samplesPerSec.toFixed(0)}, wasm ${wasm.samplesPerSec.toFixed(0)}; first epoch loss: wasm ${wasm.loss.toFixed(6)}, WebGL ${webgl.loss.toFixed(6)}, Node ${node[0].loss.toFixed(6)}`);
    expect(Math.abs(wasm.loss - node[0].loss)).toBeLessThan(1e-3);
    expect(Math.abs(wasm.loss - webgl.loss)).toBeLessThan(1e-3);
    expect(wasm.samplesPerSec).toBeGreaterThan(0);
    expect(webgl.samplesPerSec).toBeGreaterThan(0);
  }, 300_000);

  it('fetches the bundled digits from the site into the splits hwy train makes; a file cut short is named', async () => {
    const out: any = await page.evaluate(
      async ({ cfg }: any) => {
        const { fetchDigits, sums } = (window as any).hwy;
        const good = sums(await fetchDigits('/data', cfg));
        const bad = await fetchDigits('/bad', cfg).then(
          () => 'loaded',
          (e: Error) => e.message,
        );
        const other = await fetchDigits('/data', { ...cfg, name: 'cifar10' }).then(
          () => 'loaded',
          (e: Error) => e.message,
        );
        return { good, bad, other };
      },
      { cfg: ir.train!.data } as any,
    );
    expect(out.good).toEqual(sums(full));
    expect(out.good.train.count).toBe(8100);
    expect(out.bad).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bad\/mnist-10k-images-idx3-ubyte\.gz: a corrupt or truncated gzip file$/);
    expect(out.other).toBe("the playground trains on the bundled MNIST digits ('data mnist'); this spec asks for data cifar10, which a page cannot load: train it with hwy train");
  }, 120_000);

  it("'auto' passes over a software WebGL (SwiftShader here) and says why; a diverged run keeps the last epoch's weights", async () => {
    const diverging = structuredClone(ir);
    diverging.train!.lr.value = 1e30;
    const out: any = await page.evaluate(
      async ({ ir, diverging, nTrain, nVal, pixels }: any) => {
        const { createTrainerOn, load } = (window as any).hwy;
        const misnamed = await createTrainerOn({ ir, dataUrl: '/data', backend: 'gpu' }, load(nTrain, nVal)).then(
          () => 'created',
          (e: Error) => e.message,
        );
        const auto = await createTrainerOn({ ir, dataUrl: '/data', wasmUrl: '/wasm/' }, load(nTrain, nVal));
        const backend = auto.backend;
        auto.dispose();
        const t = await createTrainerOn({ ir: diverging, dataUrl: '/data', backend: 'wasm', wasmUrl: '/wasm/' }, load(nTrain, nVal));
        const before = Array.from(t.predict(new Float32Array(pixels)));
        const message = await t.run(1, {}).then(
          () => 'finished',
          (e: Error) => e.message,
        );
        const after = Array.from(t.predict(new Float32Array(pixels)));
        t.dispose();
        return { backend, message, before, after, misnamed };
      },
      { ir, diverging, nTrain: N_TRAIN, nVal: N_VAL, pixels } as any,
    );
    console.log(`auto: ${JSON.stringify(out.backend)}`);
    expect(out.misnamed).toBe("backend 'gpu': one of auto, webgpu, webgl, wasm");
    expect(out.backend.name).toBe('wasm');
    expect(out.backend.why).toMatch(/^no GPU backend: .*; WebGL here is ANGLE .*SwiftShader.*, a software renderer slower than wasm$/);
    expect(out.message).toMatch(/^training diverged in epoch 1, step \d+: the (loss is NaN|weights are no longer finite \(NaN or Infinity\)); the weights of epoch 0 are kept$/);
    expect(out.after).toEqual(out.before);
  }, 120_000);

  it('refuses a network too big for the page before allocating anything, with the estimate', async () => {
    const out: any = await page.evaluate(
      async ({ ir }: any) => {
        const { createTrainerOn, tf } = (window as any).hwy;
        await tf.setBackend('webgl');
        const before = tf.memory().numTensors;
        let loaded = false;
        const message = await createTrainerOn({ ir, dataUrl: '/data', backend: 'webgl' }, async () => {
          loaded = true;
          throw new Error('the data must not be loaded');
        }).then(
          () => 'created',
          (e: Error) => e.message,
        );
        return { message, loaded, tensors: tf.memory().numTensors - before };
      },
      { ir: irOf(HUGE) } as any,
    );
    expect(out.message).toMatch(/^training huge needs about [\d.]+ GiB \([\d.]+ GiB for [\d,]+ parameters with their gradients and optimizer state, .* for the activations of a batch of 128\), but [\d.]+ GiB is what this page may use \(half the \d+ GiB of memory the browser reports\): make the layers narrower/);
    expect(out.loaded).toBe(false);
    expect(out.tensors).toBe(0);
  }, 120_000);

  it('a lost WebGL context mid-training: the page is told, the last finished epoch is kept, training goes on on wasm', async () => {
    const out: any = await page.evaluate(
      async ({ ir, nTrain, nVal, pixels }: any) => {
        const { createTrainerOn, load, bytes, webglContext, tf } = (window as any).hwy;
        const t = await createTrainerOn({ ir, dataUrl: '/data', backend: 'webgl', wasmUrl: '/wasm/' }, load(nTrain, nVal));
        const epochs: any[] = [];
        await t.run(1, { epoch: (e: any) => epochs.push(e) });
        const kept = (await bytes(await t.exportModel()))['weights.bin'];
        const predicted = Array.from(t.predict(new Float32Array(pixels)));
        const gl = webglContext();
        // the GPU goes away in the middle of epoch 2 (at its first report, step 10 of 20)
        const message = await t.run(1, { step: () => gl.getExtension('WEBGL_lose_context').loseContext(), epoch: (e: any) => epochs.push(e) }).then(
          () => 'finished',
          (e: Error) => e.message,
        );
        const backend = { ...t.backend, tfjs: tf.getBackend() };
        const after = (await bytes(await t.exportModel()))['weights.bin'];
        const predictedAfter = Array.from(t.predict(new Float32Array(pixels)));
        // and training goes on from epoch 1's weights
        await t.run(1, { epoch: (e: any) => epochs.push(e) });
        t.dispose();
        return { message, backend, same: kept.length === after.length && kept.every((b: number, i: number) => b === after[i]), predicted, predictedAfter, epochs: epochs.map((e) => ({ epoch: e.epoch, loss: e.loss })) };
      },
      { ir, nTrain: N_TRAIN, nVal: N_VAL, pixels } as any,
    );
    expect(problems).toEqual([]);
    expect(out.message).toBe(
      'the WebGL context was lost during epoch 2 (the browser reset the GPU, or the page used too much of its memory): the weights of epoch 1 are kept; run again to go on training on wasm',
    );
    expect(out.backend).toMatchObject({ name: 'wasm', tfjs: 'wasm', why: 'the WebGL context was lost; training goes on on wasm from the weights of epoch 1' });
    expect(out.same).toBe(true);
    expect(Math.max(...out.predicted.map((p: number, i: number) => Math.abs(p - out.predictedAfter[i])))).toBeLessThan(1e-5);
    // epoch 2 trained on wasm from epoch 1's weights and momentum: hwy train's epoch 2
    expect(out.epochs.map((e: any) => e.epoch)).toEqual([1, 2]);
    expect(Math.abs(out.epochs[1].loss - node[1].loss)).toBeLessThan(1e-3);
  }, 300_000);
});
