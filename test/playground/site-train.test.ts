// The playground page as `npm run build:site` builds it, training for real: the site's own
// trainer.js, tfjs's .wasm files and the bundled digits, served as static files, in
// Debian's chromium whose WebGL is ANGLE on SwiftShader (a software GPU, hence a tiny
// network). Through the page's controls only: Start on WebGL says so, its first epoch's loss
// is `hwy train`'s (the tfjs engine in this process) for the same spec and seed, the curves
// and the gates' heat map are drawn, Stop and Continue go on where they stopped, the pad
// classifies a drawn digit, the model downloads as files hwy-lang/layers loads, and WebGL
// then wasm in the same page print their samples/s. The page's policy must let all of it run
// (a refused script, worker, fetch or wasm compile is a console error, which fails the test).
// HWY_PLAYGROUND_SCREENSHOTS=DIR copies the screenshots (1280x800) into DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { CHROMIUM, skipWithoutChromium } from '../chromium.js';
import { curvesInk, serveSite, predictWithLayersEntry } from './site-helpers.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining } from '../../src/run/session.js';
import { loadData } from '../../src/data/index.js';
import { compile } from '../../src/core/compile.js';
import type { MetricsLine } from '../../src/backends/engine.js';
import { ROOT } from '../helpers.js';

// In CI the browser is installed (scripts/install-chromium.sh): there a missing one fails the test.
const skip = skipWithoutChromium('test/playground/site-train.test.ts');

// The spec's own data line keeps the run small, as `hwy train` reads it: validation=0.9 holds
// out 8,100 of the 9,000 training digits, leaving 900 to train on, in 113 steps of 8 (small
// steps: an epoch on SwiftShader lasts long enough for Stop to land in the middle of one).
const SPEC = `network page_mlp {
  input 28x28x1
  flatten
  dense 16 relu
  repeat 2 {
    highway dense relu gate_bias=-2
  }
  dense 10 softmax
}

train {
  data mnist validation=0.9
  optimizer sgd momentum=0.9
  lr 0.05
  batch 8
  epochs 3
  seed 11
}
`;
const STEPS = 113;



describe.skipIf(skip)('the built playground trains in the page', () => {
  let work: string;
  let site: { server: Server; url: string } | undefined;
  let browser: Browser | undefined;
  /** hwy train's first two epochs of SPEC (tfjs engine, wasm, in this process). */
  const node: MetricsLine[] = [];
  const shots: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hwy-sitetrain-'));
    // the site exactly as npm run build:site makes it, into this test's own folder (the
    // playground's other browser test rebuilds dist/site while it runs)
    const out = join(work, 'site');
    const b = spawnSync(process.execPath, ['scripts/build-site.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HWY_SITE_OUT: out } });
    expect(b.status, b.stderr).toBe(0);
    site = await serveSite(out);
    writeFileSync(join(work, 'page.hwy'), SPEC);
    const r = await runTraining({ specText: SPEC, specFile: join(work, 'page.hwy'), out: join(work, 'run'), device: 'wasm', overrides: { epochs: 2 }, hooks: { onEpochEnd: (m) => void node.push(m) } });
    expect(r.kind).toBe('trained');
    expect(node.map((m) => m.epoch)).toEqual([1, 2]);
    // without --disable-gpu: chromium's WebGL is then SwiftShader's (software)
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    site?.server.close();
    const to = process.env.HWY_PLAYGROUND_SCREENSHOTS;
    if (to && work) {
      mkdirSync(to, { recursive: true });
      for (const s of shots) copyFileSync(join(work, s), join(to, s));
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function shot(page: Page, name: string): Promise<void> {
    // the training panel from its heading down, beside the spec
    await page.evaluate(() => document.querySelector('#views h2')!.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(work, name) });
    shots.push(name);
  }

  it('Start on WebGL, hwy train\'s loss, curves and gates, Stop and Continue, a drawn digit, the model files, then wasm: samples/s of both', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('request', (r) => !r.url().startsWith(new URL(site!.url).origin) && !/^(blob|data):/.test(r.url()) && foreign.push(r.url()));
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.goto(site!.url);
    await page.waitForSelector('body[data-analysed]', { timeout: 30_000 });
    await page.evaluate((t) => {
      const v = (window as any).hwyPlayground.view;
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
    }, SPEC);
    await expect.poll(() => page.locator('#status').textContent()).toBe('ok');
    const status = page.locator('.train-status');
    const speed = page.locator('.speed');
    const [start, stop, more, save] = ['Start', 'Stop', 'Continue', 'Download model'].map((t) => page.locator('.train-controls button', { hasText: t }));
    // the site's own trainer.js loaded under the page's policy
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('ready');
    const epochsInput = page.locator('.train-controls input[type=number] >> nth=0');
    const setEpochs = async (n: number) => {
      await epochsInput.fill(String(n));
      await epochsInput.dispatchEvent('change');
    };
    const sps = (text: string | null) => Number(/· ([\d,]+) samples\/s on /.exec(text ?? '')![1].replace(/,/g, ''));
    const loss = (text: string | null) => Number(/loss (\d+\.\d+)/.exec(text ?? '')![1]);
    const measured: string[] = [];

    // epoch 1 on WebGL: the page names the backend (and that this WebGL is software)
    await setEpochs(1);
    await page.selectOption('.train-controls select', 'webgl');
    await start.click();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^training on webgl \(as asked; WebGL here is .*SwiftShader.*, a software renderer\)$/);
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^epoch 1: /);
    const e1 = await status.textContent();
    expect(e1).toMatch(/^epoch 1: loss \d\.\d{4}, accuracy [\d.]+%, validation [\d.]+% · [\d,]+ samples\/s on webgl$/);
    expect(await speed.textContent()).toMatch(new RegExp(`^webgl · epoch 1, step ${STEPS}/${STEPS} · `));
    // hwy train's first epoch, for the same spec and seed (the page shows four decimals)
    console.log(`page WebGL epoch 1: ${e1}; hwy train (tfjs, wasm) epoch 1 loss ${node[0].loss.toFixed(6)}`);
    expect(Math.abs(loss(e1) - node[0].loss)).toBeLessThan(1e-3);
    measured.push(`WebGL epoch 1: ${sps(e1)}`);
    // the curves have their first points, and the heat map is drawn (not its dark background)
    expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(1);
    expect(await curvesInk(page)).toBeGreaterThan(10); // the loss curve drawn in its colour
    const lit = () =>
      page.evaluate(() => {
        const c = document.querySelector('.gates') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 2] >= 60) n++; // every cell's blue is at least 60; the background's is 17
        return n / (d.length / 4);
      });
    expect(await lit()).toBeGreaterThan(0.95);

    // Stop in the middle of epoch 2, then Continue: epoch 2 is then hwy train's epoch 2
    await setEpochs(5);
    await more.click();
    await expect.poll(() => speed.textContent(), { timeout: 60_000 }).toMatch(/epoch 2, step/);
    await stop.click();
    await expect.poll(() => more.isDisabled(), { timeout: 60_000 }).toBe(false);
    const stoppedAt = /epoch (\d+), step (\d+)\//.exec((await speed.textContent()) ?? '')!;
    expect(Number(stoppedAt[1])).toBe(2);
    expect(Number(stoppedAt[2])).toBeLessThan(STEPS);
    expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(1);
    await setEpochs(1);
    await more.click();
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^epoch 2: /);
    const e2 = await status.textContent();
    expect(Math.abs(loss(e2) - node[1].loss)).toBeLessThan(1e-3);
    expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(2);

    // epoch 3, seen in the middle, then done
    await more.click();
    await expect.poll(() => speed.textContent(), { timeout: 60_000 }).toMatch(/epoch 3, step/);
    await shot(page, 'training-webgl.png');
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^epoch 3: /);
    const e3 = await status.textContent();
    measured.push(`WebGL epoch 3: ${sps(e3)}`);
    expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(3);
    expect(await curvesInk(page)).toBeGreaterThan(10);

    // a digit drawn on the pad: the just-trained network's ten probabilities, one in bold
    await page.locator('.pad').scrollIntoViewIfNeeded();
    const pad = (await page.locator('.pad').boundingBox())!;
    await page.mouse.move(pad.x + 70, pad.y + 20);
    await page.mouse.down();
    await page.mouse.move(pad.x + 72, pad.y + 120, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.locator('.probs li').count()).toBe(10);
    const probs = (await page.locator('.probs li').allTextContents()).map((t) => Number(t.replace('%', '')));
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.5);
    expect(await page.locator('.probs li.best').count()).toBe(1);
    await shot(page, 'training-done.png');

    // the model: two files, which hwy-lang/layers loads in Node
    await save.click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    const dir = mkdtempSync(join(work, 'model-'));
    for (const d of downloads) await d.saveAs(join(dir, d.suggestedFilename()));
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(['model.json', 'weights.bin']);
    const ir = compile(SPEC, 'page.hwy').ir!;
    expect(readFileSync(join(dir, 'weights.bin')).length).toBe(4 * ir.stats!.totalParams);
    const splits = await loadData(ir.train!.data);
    const p = predictWithLayersEntry(dir, Array.from(splits.validation.x.subarray(0, 28 * 28)));
    expect(p).toHaveLength(10);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);

    // the same page on wasm: a fresh network, hwy train's first epoch again
    await page.evaluate(() => document.querySelector('#views h2')!.scrollIntoView({ block: 'start' }));
    await page.selectOption('.train-controls select', 'wasm');
    await start.click();
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^epoch 1: .* on wasm$/);
    const w1 = await status.textContent();
    expect(Math.abs(loss(w1) - node[0].loss)).toBeLessThan(1e-3);
    measured.push(`wasm epoch 1: ${sps(w1)}`);
    expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(1);
    console.log(`samples/s in one page, headless chromium (WebGL is SwiftShader, a software GPU): ${measured.join('; ')}`);
    for (const m of measured) expect(Number(m.split(': ')[1])).toBeGreaterThan(0);

    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 300_000);

  it('a network too big for the page is refused with the estimate; a lost WebGL context is said, epoch 1 is kept, and training goes on on wasm', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // the WebGL contexts the page makes (tfjs's is an OffscreenCanvas's), to lose one as a GPU reset would
    await page.addInitScript(() => {
      const seen: unknown[] = ((window as any).__webgl = []);
      for (const C of [(window as any).HTMLCanvasElement, (window as any).OffscreenCanvas].filter(Boolean)) {
        const get = C.prototype.getContext;
        C.prototype.getContext = function (this: unknown, type: string, ...rest: unknown[]) {
          const c = get.call(this, type, ...rest);
          if (c && /webgl/.test(type)) seen.push(c);
          return c;
        };
      }
    });
    await page.goto(site!.url);
    await page.waitForSelector('body[data-analysed]', { timeout: 30_000 });
    const setDoc = (t: string) =>
      page.evaluate((text) => {
        const v = (window as any).hwyPlayground.view;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
      }, t);
    const status = page.locator('.train-status');
    const speed = page.locator('.speed');
    const [start, more] = ['Start', 'Continue'].map((t) => page.locator('.train-controls button', { hasText: t }));
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('ready');
    await page.fill('.train-controls input[type=number] >> nth=0', '1');
    await page.selectOption('.train-controls select', 'webgl');

    // 8 GiB of weights alone: refused before anything is allocated, with hwy train's estimate
    await setDoc(SPEC.replace('dense 16 relu', 'dense 8192 relu').replace('repeat 2', 'repeat 8'));
    await expect.poll(() => page.locator('#counts').textContent()).toContain('1,080,385,546 parameters');
    await start.click();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^training failed: training page_mlp needs about [\d.]+ GiB \([\d.]+ GiB for [\d,]+ parameters with their gradients and optimizer state, .*\), but [\d.]+ GiB is what this page may use \(.*\): make the layers narrower/);
    expect(await more.isDisabled()).toBe(true);

    await setDoc(SPEC);
    await expect.poll(() => page.locator('#counts').textContent()).toContain('13,818 parameters');
    await start.click();
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^epoch 1: .* on webgl$/);
    await more.click();
    await expect.poll(() => speed.textContent(), { timeout: 60_000 }).toMatch(/^webgl · epoch 2, step/);
    const lost = await page.evaluate(() => (window as any).__webgl.map((gl: WebGLRenderingContext) => (gl.isContextLost() ? 'already' : (gl.getExtension('WEBGL_lose_context')?.loseContext(), 'lost'))));
    expect(lost).toContain('lost');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe(
      'training failed: the WebGL context was lost during epoch 2 (the browser reset the GPU, or the page used too much of its memory): the weights of epoch 1 are kept; run again to go on training on wasm',
    );
    expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(1);
    await shot(page, 'training-context-lost.png');
    // Continue: on wasm, from epoch 1's weights and momentum: hwy train's epoch 2
    await more.click();
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^epoch 2: .* on wasm$/);
    const e2 = (await status.textContent())!;
    expect(Math.abs(Number(/loss (\d+\.\d+)/.exec(e2)![1]) - node[1].loss)).toBeLessThan(1e-3);
    expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('a host that left out the .wasm files or trainer.js: the panel says what is missing', async () => {
    const out = join(work, 'site');
    const open = async () => {
      const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(site!.url);
      await page.waitForSelector('body[data-analysed]', { timeout: 30_000 });
      return { page, errors };
    };
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) rmSync(join(out, f));
    const a = await open();
    const status = a.page.locator('.train-status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('ready');
    await a.page.selectOption('.train-controls select', 'wasm');
    await a.page.locator('.train-controls button', { hasText: 'Start' }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^training failed: wasm: the wasm backend did not start \(http:\/\/127\.0\.0\.1:\d+\/tfjs-backend-wasm(-simd)?\.wasm: the site answered 404 Not Found; it serves tfjs-backend-wasm's \.wasm files beside the page\)$/);
    expect(await a.page.locator('.train-controls button', { hasText: 'Start' }).isDisabled()).toBe(false);
    expect(a.errors).toEqual([]);
    await a.page.close();

    rmSync(join(out, 'trainer.js'));
    const b = await open();
    await expect.poll(() => b.page.locator('.train-status').textContent(), { timeout: 30_000 }).toMatch(/^training not available here \(trainer\.js did not load: .+\)$/);
    expect(await b.page.locator('.train-controls button', { hasText: 'Start' }).isDisabled()).toBe(true);
    expect(b.errors).toEqual([]);
    await b.page.close();
  }, 120_000);
});
