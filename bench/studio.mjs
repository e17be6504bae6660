// hwy studio at scale: generated run directories (copies of one real run's records, with
// their own settings and metrics), served by `hwy studio`, opened in chromium. Goals: 1,000
// runs listed (server JSON, then the table's first paint) in under 1 s; a 10,000-epoch run's
// curves drawn in under 1 s (downsampled by the server, and the page says so); the server's
// memory bounded as runs grow (1,000 and 5,000 runs); the page's files small.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = new URL('..', import.meta.url).pathname;
const HWY = join(ROOT, 'bin/hwy.js');
const CHROMIUM = '/usr/bin/chromium';
const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

/** One real run, trained for an epoch: the template of the generated ones. */
function template(work) {
  writeFileSync(join(work, 'tiny.hwy'), SPEC);
  const out = join(work, 'template');
  const r = spawnSync(process.execPath, [HWY, 'train', join(work, 'tiny.hwy'), '--out', out, '--epochs', '1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hwy train failed: ${r.stderr}`);
  return { record: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')), line: JSON.parse(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim()), state: readFileSync(join(out, 'model/state.json'), 'utf8') };
}

/** Run directories from..to-1 under `dir`, `epochs` epochs each, settings varying by index. */
function generate(t, dir, from, to, epochs = 20) {
  for (let i = from; i < to; i++) {
    const d = join(dir, `lr${i % 5}/run-${String(i).padStart(5, '0')}`);
    mkdirSync(join(d, 'model'), { recursive: true });
    const lr = [0.01, 0.02, 0.05, 0.1, 0.2][i % 5];
    const seed = 1 + (i % 7);
    writeFileSync(join(d, 'run.json'), JSON.stringify({ ...t.record, config: { ...t.record.config, seed, lr: { ...t.record.config.lr, value: lr } }, settings: [`train.lr=${lr}`, `train.seed=${seed}`] }));
    writeFileSync(join(d, 'model/state.json'), t.state);
    writeFileSync(join(d, 'metrics.jsonl'), Array.from({ length: epochs }, (_, e) => JSON.stringify({ ...t.line, epoch: e + 1, loss: 2 / (e + 1 + i % 3), valLoss: 2.2 / (e + 1) })).join('\n') + '\n');
  }
}

function startStudio(dir) {
  const child = spawn(process.execPath, [HWY, 'studio', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      const m = /^(http:\/\/\S+\/)\n/m.exec(out);
      if (m) ok({ url: m[1], child, stop: () => new Promise((done) => (child.on('exit', done), child.kill('SIGINT'))) });
    });
    child.on('exit', (c) => fail(new Error(`hwy studio exited with ${c}`)));
  });
}

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const ms = (x) => `${x.toFixed(0)} ms`;

async function timeJson(url) {
  const t = performance.now();
  const r = await fetch(`${url}api/runs`);
  const body = await r.json();
  return { ms: performance.now() - t, runs: body.runs.length };
}

export async function studioBench(log = console.log) {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    log(`no ${CHROMIUM}: the studio bench needs it (scripts/install-chromium.sh)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const work = mkdtempSync(join(tmpdir(), 'hwy-bench-studio-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const t = template(work);
    const runs = join(work, 'runs');
    generate(t, runs, 0, 1000);
    // one run of 10,000 epochs
    const long = join(runs, 'long');
    mkdirSync(join(long, 'model'), { recursive: true });
    writeFileSync(join(long, 'run.json'), JSON.stringify(t.record));
    writeFileSync(join(long, 'model/state.json'), t.state);
    writeFileSync(join(long, 'metrics.jsonl'), Array.from({ length: 10_000 }, (_, e) => JSON.stringify({ ...t.line, epoch: e + 1, loss: 2 / Math.sqrt(e + 1), valLoss: 2.2 / Math.sqrt(e + 1) })).join('\n') + '\n');

    log('| measure | result | goal |');
    log('|---|---|---|');
    const studio = await startStudio(runs);
    try {
      const cold = await timeJson(studio.url);
      const warm = await timeJson(studio.url);
      log(`| GET /api/runs, ${cold.runs.toLocaleString('en-US')} runs (first, as the server starts and reads every run / again) | ${ms(cold.ms)} / ${ms(warm.ms)} | < 1 s |`);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      let t0 = performance.now();
      await page.goto(studio.url);
      await page.locator('#runs tbody tr').first().waitFor({ timeout: 30_000 });
      const firstTable = performance.now() - t0;
      const count = await page.locator('#count').textContent();
      log(`| opening the page to its table painted (${count}; ${await page.locator('#runs tbody tr[data-id]').count()} rows in it, more as it scrolls) | ${ms(firstTable)} | < 1 s |`);
      t0 = performance.now();
      await page.click('#runs th[data-key="bestValLoss"]');
      await page.waitForFunction(() => document.querySelector('#runs th[data-key="bestValLoss"]')?.getAttribute('aria-sort') === 'ascending');
      log(`| sorting the 1,001 runs by a column | ${ms(performance.now() - t0)} | — |`);
      await page.fill('#filter', 'long');
      await page.locator('#runs tbody tr').first().waitFor();
      t0 = performance.now();
      await page.locator('#runs tbody tr').first().locator('input[type=checkbox]').check();
      await page.waitForFunction(() => Number(document.querySelector('#chart')?.getAttribute('data-points')) > 0, undefined, { timeout: 30_000 });
      const curves = performance.now() - t0;
      const note = await page.locator('#chart-note').textContent();
      log(`| a 10,000-epoch run's curves drawn (tick to chart) | ${ms(curves)}; "${note.replace(/^.*: /, '')}" | < 1 s |`);
      await page.waitForTimeout(2500); // the stream's rescans
      const rss1k = rssMiB(studio.child.pid);
      await page.close();
      if (errors.length) log(`page errors: ${errors.join('; ')}`);
      await studio.stop();

      generate(t, runs, 1000, 5000);
      const big = await startStudio(runs);
      const page5 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      t0 = performance.now();
      await page5.goto(big.url);
      await page5.locator('#runs tbody tr').first().waitFor({ timeout: 60_000 });
      const firstTable5 = performance.now() - t0;
      await page5.waitForTimeout(3000);
      // a page opened again: the server has read every run by then
      t0 = performance.now();
      await page5.reload();
      await page5.locator('#runs tbody tr').first().waitFor({ timeout: 60_000 });
      const againTable5 = performance.now() - t0;
      await page5.waitForTimeout(3000);
      const rss5k = rssMiB(big.child.pid);
      const json5 = await timeJson(big.url);
      await page5.close();
      await big.stop();
      log(`| 5,001 runs: GET /api/runs; the page's table painted, opened as the server starts / again | ${ms(json5.ms)}; ${ms(firstTable5)} / ${ms(againTable5)} | < 1 s |`);
      log(`| server RSS with a page open: 1,001 runs / 5,001 runs | ${rss1k.toFixed(0)} MiB / ${rss5k.toFixed(0)} MiB (${(((rss5k - rss1k) / 4000) * 1024).toFixed(1)} KiB a run) | bounded: grows with runs, not epochs |`);
    } finally {
      if (studio.child.exitCode === null) await studio.stop();
    }
    log('\nThe page (dist/studio; vega.js loads only when a vega figure is first drawn):\n');
    log('| file | bytes | gzipped |');
    log('|---|---|---|');
    let raw = 0;
    let gz = 0;
    for (const f of readdirSync(join(ROOT, 'dist/studio')).sort()) {
      const b = readFileSync(join(ROOT, 'dist/studio', f));
      const g = gzipSync(b, { level: 9 }).length;
      raw += b.length;
      gz += g;
      log(`| ${f} | ${b.length.toLocaleString('en-US')} | ${g.toLocaleString('en-US')} |`);
    }
    log(`| all | ${raw.toLocaleString('en-US')} | ${gz.toLocaleString('en-US')} |`);
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}
