// The playground in a real browser (Debian's chromium, driven by playwright-core), served as
// the static folder `npm run build:site` writes, and through `hwy studio` at /editor/: a
// mistake typed shows its diagnostic at its place, fixing it changes the views, a share link
// reopens the same spec, and bad input (an 8 MiB paste, a huge repeat, oversized, malformed
// and hostile links) is refused with a message while the page stays responsive. It prints
// keystroke-to-diagnostics times, the time to interactive and the app's gzipped size.
// HWY_PLAYGROUND_SCREENSHOTS=DIR copies each state's screenshot (1280x800) into DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, skipWithoutChromium } from '../chromium.js';
import { curvesInk, serveSite } from './site-helpers.js';
import { ROOT } from '../helpers.js';
import { startStudio, type Studio } from '../studio/fixture.js';

// In CI the browser is installed (scripts/install-chromium.sh): there a missing one fails the test.
const skip = skipWithoutChromium('test/playground/browser.test.ts');

const SITE = join(ROOT, 'dist/site');

const SPEC = 'network digits {\n  input 28x28x1\n  conv 8 3x3 relu\n  flatten\n  dense 10 softmax\n}\n';

describe.skipIf(skip)('the playground in a browser', () => {
  let work: string;
  let browser: Browser | undefined;
  let site: { server: Server; url: string } | undefined;
  const shots: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hwy-playground-'));
    const b = spawnSync(process.execPath, ['scripts/build-site.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    site = await serveSite(SITE);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });
  });

  afterAll(async () => {
    await browser?.close();
    site?.server.close();
    const out = process.env.HWY_PLAYGROUND_SCREENSHOTS;
    if (out) {
      mkdirSync(out, { recursive: true });
      for (const s of shots) copyFileSync(join(work, s), join(out, s));
    }
    rmSync(work, { recursive: true, force: true });
  });

  async function open(url: string): Promise<{ page: Page; problems: string[]; foreign: string[] }> {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('request', (r) => !r.url().startsWith(new URL(url).origin) && !r.url().startsWith('blob:') && !r.url().startsWith('data:') && foreign.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('body[data-analysed]', { timeout: 20_000 });
    return { page, problems, foreign };
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(work, name) });
    shots.push(name);
  }

  const doc = (page: Page) => page.evaluate(() => (window as any).hwyPlayground.view.state.doc.toString() as string);
  const setDoc = (page: Page, text: string) => page.evaluate((t) => { const v = (window as any).hwyPlayground.view; v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } }); }, text);
  /** Puts the cursor at the start of a line (1-based) and focuses the editor. */
  const cursorAt = (page: Page, line: number, end = false) =>
    page.evaluate(([n, e]) => { const v = (window as any).hwyPlayground.view; const l = v.state.doc.line(n); v.focus(); v.dispatch({ selection: { anchor: e ? l.to : l.from } }); }, [line, end] as const);
  /** Pastes text as a user does (a paste event with the clipboard's data). */
  const paste = (page: Page, text: string) =>
    page.evaluate((t) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', t);
      (window as any).hwyPlayground.view.contentDOM.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, text);
  const status = (page: Page) => page.locator('#status').textContent();
  /** The diagram as drawn: its image's pixels (the SVG is shown as an image of a blob). */
  const diagramPixels = (page: Page) =>
    page.evaluate(() => {
      const img = document.querySelector('#diagram img') as HTMLImageElement | null;
      if (!img || !img.complete || !img.naturalWidth) return null;
      const c = document.createElement('canvas');
      [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
      c.getContext('2d')!.drawImage(img, 0, 0);
      return c.toDataURL();
    });
  /** Opens the lint panel (every diagnostic, with its actions). */
  const lintPanel = async (page: Page) => {
    const panel = page.locator('.cm-panel-lint');
    if (!(await panel.count())) await page.click('#problems');
    return panel;
  };

  it('loads, types a mistake and shows it in place, and a fix changes the views', async () => {
    const t0 = Date.now();
    const { page, problems, foreign } = await open(site!.url);
    const loadMs = Date.now() - t0;
    const [interactive, analysed] = await page.evaluate(() => ['hwy:interactive', 'hwy:first-analysis'].map((m) => performance.getEntriesByName(m)[0]?.startTime));
    console.log(`playground: interactive (editor and views up) ${Math.round(interactive)} ms after navigation start, first analysis shown at ${Math.round(analysed)} ms; ${loadMs} ms from goto to the test seeing it (local server, headless chromium)`);
    expect(interactive).toBeLessThan(2000);
    expect(analysed).toBeLessThan(3000); // the worker's start and first compile, on a loaded machine
    // the first example is the paper's network, highlighted from the compiler's tokens, with inlay shapes
    expect(await doc(page)).toContain('network mlp_highway');
    await expect.poll(() => page.locator('.hwy-tok-keyword').count()).toBeGreaterThan(3);
    await expect.poll(() => page.locator('.hwy-inlay').first().textContent()).toContain('→');
    expect(await page.locator('#counts').textContent()).toContain('85,660 parameters');
    // the site's own trainer (test/playground/site-train.test.ts trains with it)
    await expect.poll(() => page.locator('.train-status').textContent()).toContain('ready');
    await shot(page, 'loaded.png');

    await setDoc(page, SPEC);
    await expect.poll(() => status(page)).toBe('ok');
    await expect.poll(() => page.locator('#counts').textContent()).toContain('digits');
    const before = await page.locator('#counts').textContent();
    await expect.poll(() => page.locator('#diagram img').getAttribute('alt')).toBe('the network digits as a diagram');
    const drawn = await diagramPixels(page);
    // hover: the server's description of the block, its shapes and parameters
    await page.locator('.hwy-tok-type', { hasText: /^conv$/ }).hover();
    await expect.poll(() => page.locator('.cm-tooltip-hover').textContent(), { timeout: 5000 }).toContain('26x26x8');
    await page.mouse.move(1000, 700);
    expect(drawn).toMatch(/^data:image\/png/);
    // the mistake: delete the flatten line with the keyboard
    await cursorAt(page, 4);
    await page.keyboard.press('Shift+End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await expect.poll(() => status(page)).toBe('1 error');
    const mark = page.locator('.cm-lintRange-error');
    await expect.poll(() => mark.textContent()).toBe('dense 10 softmax');
    // on the line it is on: the 4th of the editor
    expect(await page.locator('.cm-line').nth(3).locator('.cm-lintRange-error').count()).toBe(1);
    expect(await page.locator('#stale').isVisible()).toBe(true);
    expect(await diagramPixels(page)).toBe(drawn); // the last network that checked, shown as such
    await mark.hover();
    await expect.poll(() => page.locator('.cm-tooltip-lint').textContent(), { timeout: 5000 }).toContain("'dense' needs a vector");
    await shot(page, 'mistake.png');

    // the fix, typed: the error goes, the network is the same again, then a wider layer changes the counts
    await cursorAt(page, 4);
    await page.keyboard.type('  flatten');
    await page.keyboard.press('Escape'); // the completion list, if it is open, would take the Enter
    await page.keyboard.press('Enter');
    await expect.poll(() => status(page)).toBe('ok');
    await expect.poll(() => page.locator('#counts').textContent()).toBe(before);
    await page.evaluate(() => { const v = (window as any).hwyPlayground.view; const at = v.state.doc.toString().indexOf('conv 8') + 5; v.focus(); v.dispatch({ selection: { anchor: at, head: at + 1 } }); });
    await page.keyboard.type('16');
    await expect.poll(() => doc(page)).toContain('conv 16 3x3 relu');
    await expect.poll(() => page.locator('#counts').textContent()).not.toBe(before);
    expect(await page.locator('#summary tbody').textContent()).toContain('26x26x16');
    await expect.poll(() => diagramPixels(page)).not.toBe(drawn);
    await shot(page, 'fixed.png');

    // quick fix: a highway layer that changes the size gets an inserted projection, which the fix writes out
    await setDoc(page, 'network p {\n  input 784\n  highway dense 50 tanh\n  dense 10 softmax\n}\n');
    await expect.poll(() => page.locator('#summary tbody').textContent()).toContain('inserted projection');
    await lintPanel(page);
    const fix = page.locator('.cm-panel-lint button', { hasText: 'Insert the plain layer' });
    await fix.first().waitFor({ timeout: 5000 });
    await fix.first().click();
    await expect.poll(() => doc(page)).toContain('  dense 50 tanh\n  highway dense 50 tanh');

    // completion from the server
    await setDoc(page, 'network c {\n  input 8\n  \n}\n');
    await cursorAt(page, 3, true);
    await page.keyboard.type('drop');
    await expect.poll(() => page.locator('.cm-tooltip-autocomplete').textContent(), { timeout: 5000 }).toContain('dropout');
    await page.keyboard.press('Escape');
    // formatting by the Prettier plugin, through the server
    await setDoc(page, 'network   f {\ninput 8\n   dense  2 softmax\n}\n');
    await expect.poll(() => status(page)).toBe('ok');
    await page.click('#format');
    await expect.poll(() => doc(page)).toBe('network f {\n  input 8\n  dense 2 softmax\n}\n');

    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('keystroke to diagnostics on the paper specs', async () => {
    const { page, problems } = await open(site!.url);
    const report: string[] = [];
    for (const name of ['mlp-highway', 'mnist-conv-highway']) {
      await page.selectOption('#examples', name);
      await expect.poll(() => doc(page)).toBe(readFileSync(join(ROOT, `specs/paper/${name}.hwy`), 'utf8'));
      await expect.poll(() => status(page)).toMatch(/^ok/);
      await page.evaluate(() => ((window as any).hwyPlayground.timings.length = 0));
      await cursorAt(page, 1);
      // one key at a time, each waited for, as a person types
      for (const ch of '# typed ') {
        const n = await page.evaluate(() => (window as any).hwyPlayground.timings.length);
        await page.keyboard.type(ch);
        await expect.poll(() => page.evaluate(() => (window as any).hwyPlayground.timings.length)).toBeGreaterThan(n);
      }
      const t = (await page.evaluate(() => (window as any).hwyPlayground.timings as number[])).sort((a, b) => a - b);
      const median = t[Math.floor(t.length / 2)];
      report.push(`${name}: median ${median.toFixed(1)} ms, max ${t[t.length - 1].toFixed(1)} ms over ${t.length} keystrokes`);
      // the aim is 50 ms: a number to read (printed below), not a timed assertion a loaded machine would fail
      expect(median).toBeGreaterThan(0);
    }
    console.log(`playground keystroke to diagnostics: ${report.join('; ')}`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a share link reopens the same spec and settings', async () => {
    const { page } = await open(site!.url);
    await setDoc(page, SPEC.replace('digits', 'shared_net'));
    await page.fill('.train-controls input[type=number] >> nth=0', '7');
    await page.dispatchEvent('.train-controls input[type=number] >> nth=0', 'change');
    await page.click('#share');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#s=/);
    const url = await page.evaluate(() => location.href);
    await page.close();
    const again = await open(url);
    expect(await doc(again.page)).toBe(SPEC.replace('digits', 'shared_net'));
    expect(await again.page.inputValue('.train-controls input[type=number] >> nth=0')).toBe('7');
    await expect.poll(() => again.page.locator('#counts').textContent()).toContain('shared_net');
    expect(again.problems).toEqual([]);
    await again.page.close();
  });

  it('downloads the spec, the IR and the PyTorch module as hwy compile writes them', async () => {
    const { page, problems } = await open(site!.url);
    await setDoc(page, SPEC);
    await expect.poll(() => status(page)).toBe('ok');
    const fetchDownload = async (button: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      const to = join(work, d.suggestedFilename());
      await d.saveAs(to);
      return { name: d.suggestedFilename(), text: readFileSync(to, 'utf8') };
    };
    const spec = await fetchDownload('#dl-spec');
    expect(spec).toEqual({ name: 'digits.hwy', text: SPEC });
    // the worker names its document playground.hwy: the CLI reads the same text under that name
    const dir = mkdtempSync(join(work, 'cli-'));
    writeFileSync(join(dir, 'playground.hwy'), SPEC);
    const cli = (emit: string) => spawnSync(process.execPath, [join(ROOT, 'bin/hwy.js'), 'compile', 'playground.hwy', '--emit', emit], { cwd: dir, encoding: 'utf8' }).stdout;
    const ir = await fetchDownload('#dl-ir');
    expect(ir.name).toBe('digits.ir.json');
    expect(ir.text).toBe(cli('ir'));
    const py = await fetchDownload('#dl-py');
    expect(py.name).toBe('digits.py');
    expect(py.text).toBe(cli('pytorch'));
    // with an error there is nothing to download, and the page says why
    await setDoc(page, SPEC.replace('  flatten\n', ''));
    await expect.poll(() => status(page)).toBe('1 error');
    await page.click('#dl-ir');
    await expect.poll(() => page.locator('#message').textContent()).toBe('nothing to download: the spec has 1 error');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('bad input: an 8 MiB paste, a spec over the worker limit, a huge repeat; the page stays responsive', async () => {
    const { page, problems } = await open(site!.url);
    await setDoc(page, SPEC);
    await expect.poll(() => status(page)).toBe('ok');
    await cursorAt(page, 6);
    const t0 = Date.now();
    await paste(page, `# ${'x'.repeat(8 * 2 ** 20)}\n`);
    await expect.poll(() => page.locator('#message').textContent()).toContain('8.0 MiB');
    expect(await doc(page)).toBe(SPEC); // refused whole
    expect(Date.now() - t0).toBeLessThan(20_000); // refused, not analysed: no hang
    await shot(page, 'refused-paste.png');
    // responsive: a keystroke is analysed at once
    await cursorAt(page, 4);
    await page.keyboard.press('Shift+End');
    await page.keyboard.press('Backspace');
    await expect.poll(() => status(page)).toBe('1 error');

    // 600 KiB: within what the page takes, over what the worker analyses (as hwy lsp): refused there, with HWY4004
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#s=/);
    await setDoc(page, SPEC + `# ${'y'.repeat(600 * 1024)}\n`);
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('1 error');
    // too large for a share link: the address bar holds none rather than an older text's
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('');
    const panel = await lintPanel(page);
    await expect.poll(() => panel.textContent()).toContain('512 KiB');

    // a repeat past the compiler's layer limit is refused; one just under it is analysed without stalling the page
    await setDoc(page, 'network r {\n  input 8\n  repeat 1000000000 {\n    repeat 1000000000 { highway dense relu }\n  }\n  dense 2 softmax\n}\n');
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('1 error');
    await lintPanel(page);
    await expect.poll(() => panel.textContent()).toContain('the limit is 200,000');
    await setDoc(page, 'network r {\n  input 8\n  dense 8 relu\n  repeat 150000 { highway dense relu }\n  dense 2 softmax\n}\n');
    const t1 = Date.now();
    expect(await page.evaluate(() => 1 + 1)).toBe(2); // the page's own thread is free while the worker compiles
    expect(Date.now() - t1).toBeLessThan(3000); // a compile of 150,000 layers on this thread would hold it far longer
    await expect.poll(() => page.locator('#counts').textContent(), { timeout: 20_000 }).toContain('150,000 highway');
    await shot(page, 'huge-repeat.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a worker that takes longer than its budget is stopped, the page says so, and the next edit starts a new one', async () => {
    const { page, problems } = await open(site!.url);
    // a sweep of 40 networks of 150,000 layers each: the checker compiles every one (hwy check takes about 45 s)
    const depths = Array.from({ length: 40 }, (_, i) => 150_000 - i).join(', ');
    const heavy = `let depth = 2\nnetwork n {\n  input 8\n  dense 8 relu\n  repeat depth { highway dense relu }\n  dense 2 softmax\n}\nsweep s {\n  grid depth [${depths}]\n}\n`;
    await setDoc(page, heavy);
    const t0 = Date.now();
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 15_000 }).toContain('spent more than 5 s on this text and was stopped');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await status(page)).toBe('analysis paused');
    // the page itself was never blocked
    const t1 = Date.now();
    expect(await page.evaluate(() => document.querySelectorAll('.cm-line').length)).toBeGreaterThan(5);
    expect(Date.now() - t1).toBeLessThan(3000);
    await shot(page, 'worker-stopped.png');
    // an edit to a small grid: a new worker, which sees the new text, not the old one
    await page.evaluate(() => { const v = (window as any).hwyPlayground.view; const t = v.state.doc.toString(); const from = t.indexOf('['); v.dispatch({ changes: { from, to: t.indexOf(']') + 1, insert: '[2, 3]' }, userEvent: 'input.type' }); });
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('ok');
    expect(await page.locator('#message').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#counts').textContent()).toContain('network');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('bad links: oversized, malformed and carrying markup are refused or shown as text, never run', async () => {
    const big = await open(`${site!.url}#s=${'A'.repeat(600_000)}`);
    await expect.poll(() => big.page.locator('#message').textContent()).toContain('600,000 characters');
    expect(await doc(big.page)).toContain('network mlp_highway'); // the example instead
    await shot(big.page, 'bad-link.png');
    await big.page.close();

    const damaged = await open(`${site!.url}#s=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E`);
    await expect.poll(() => damaged.page.locator('#message').textContent()).toContain('damaged');
    await damaged.page.close();

    // a real share link whose spec carries markup and script in a comment and in a name
    const hostile = '# <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\nlet evil = "<img src=y onerror=\'window.__pwned=3\'>"\nnetwork n {\n  input 8\n  dense 2 softmax <b onmouseover=alert(1)>\n}\n';
    const maker = await open(site!.url);
    await setDoc(maker.page, hostile);
    await maker.page.click('#share');
    await expect.poll(() => maker.page.evaluate(() => location.hash)).toMatch(/^#s=/);
    const url = await maker.page.evaluate(() => location.href);
    await maker.page.close();
    const opened = await open(url);
    expect(await doc(opened.page)).toBe(hostile);
    await expect.poll(() => status(opened.page)).toMatch(/error/);
    // the string's diagnostic quotes it, markup and all: shown as text
    await opened.page.locator('.cm-lintRange-error', { hasText: '<img src=y' }).first().hover();
    await expect.poll(() => opened.page.locator('.cm-tooltip-lint').textContent(), { timeout: 5000 }).toContain('<img src=y');
    expect(await opened.page.locator('.cm-tooltip img, .cm-tooltip [onerror]').count()).toBe(0);
    expect(await opened.page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await opened.page.locator('img[src="x"], img[src="y"], b[onmouseover], #editor script').count()).toBe(0);
    expect(await opened.page.locator('.cm-content').textContent()).toContain('<script>window.__pwned=2</script>');
    await shot(opened.page, 'markup-link.png');
    await opened.page.close();
  });

  it('the training panel drives a trainer through the contract (a test double of it here)', async () => {
    // the site built with test/playground/fake-trainer.ts as its trainer.js
    const out = join(work, 'site-with-trainer');
    const b = spawnSync(process.execPath, ['scripts/build-site.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HWY_SITE_OUT: out, HWY_SITE_TRAINER: 'test/playground/fake-trainer.ts' } });
    expect(b.status, b.stderr).toBe(0);
    const served = await serveSite(out);
    try {
      const { page, problems } = await open(served.url);
      await expect.poll(() => page.locator('.train-status').textContent()).toContain('ready');
      const [start, stop, more, save] = ['Start', 'Stop', 'Continue', 'Download model'].map((t) => page.locator('.train-controls button', { hasText: t }));
      expect(await more.isDisabled()).toBe(true);
      await page.fill('.train-controls input[type=number] >> nth=0', '2');
      await page.fill('.train-controls input[type=number] >> nth=1', '5');
      await page.selectOption('.train-controls select', 'wasm');
      expect(await curvesInk(page)).toBe(0); // axes and grid only, before an epoch
      await start.click();
      await expect.poll(() => page.locator('.train-status').textContent()).toContain('epoch 2: loss 0.6667, accuracy 66.7%, validation 60.0%');
      expect(await page.locator('.speed').textContent()).toContain('1,234 samples/s');
      expect(await page.locator('.train-status').textContent()).not.toContain('asked for'); // the status names the backend; the trainer's reason is shown while it trains
      // two epochs drawn
      expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(2);
      expect(await curvesInk(page)).toBeGreaterThan(10); // the loss curve drawn in its colour
      // the gates' heat map is drawn (not the empty background)
      const lit = await page.evaluate(() => { const c = document.querySelector('.gates') as HTMLCanvasElement; const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 100) n++; return n; });
      expect(lit).toBeGreaterThan(100);
      // continue: two more epochs on the same trainer
      await more.click();
      await expect.poll(async () => Number(await page.locator('.curves').getAttribute('data-epochs'))).toBe(4);
      // stop: a run of many epochs ends at the next step
      await page.fill('.train-controls input[type=number] >> nth=0', '100');
      await more.click();
      await expect.poll(() => stop.isDisabled()).toBe(false);
      await stop.click();
      await expect.poll(() => more.isDisabled()).toBe(false);
      expect(Number(await page.locator('.curves').getAttribute('data-epochs'))).toBeLessThan(8);
      // draw a digit: the trainer's probabilities, the best in bold
      await page.locator('.pad').scrollIntoViewIfNeeded();
      const pad = await page.locator('.pad').boundingBox();
      await page.mouse.move(pad!.x + 70, pad!.y + 20);
      await page.mouse.down();
      await page.mouse.move(pad!.x + 70, pad!.y + 120, { steps: 8 });
      await page.mouse.up();
      await expect.poll(() => page.locator('.probs li').count()).toBe(10);
      expect(await page.locator('.probs li.best').textContent()).toBe('91.0%');
      expect(await page.locator('.probs li').nth(7).getAttribute('class')).toBe('best');
      const [d] = await Promise.all([page.waitForEvent('download'), save.click()]);
      expect(d.suggestedFilename()).toBe('model.json');
      // the settings went into the link
      expect(await page.evaluate(() => location.hash)).toMatch(/^#s=/);
      // a spec with errors is not trained, and the panel says why
      await setDoc(page, SPEC.replace('  flatten\n', ''));
      await expect.poll(() => status(page)).toBe('1 error');
      await start.click();
      await expect.poll(() => page.locator('.train-status').textContent()).toBe('cannot train: the spec has 1 error');
      await shot(page, 'training-test-double.png'); // the panel with the test double's numbers: not for the docs
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      served.server.close();
    }
  });

  it('hwy studio serves it at /editor/, under its policy', async () => {
    const runs = join(work, 'runs');
    mkdirSync(runs);
    let studio: Studio | undefined;
    try {
      studio = await startStudio([runs, '--port', '0']);
      await expect.poll(() => studio!.stderr()).toContain(`the playground (an editor for specs) at ${studio.url}editor/`);
      const { page, problems, foreign } = await open(`${studio.url}editor/`);
      expect(await doc(page)).toContain('network mlp_highway');
      await expect.poll(() => status(page)).toMatch(/^ok/);
      // the trainer loads, and its wasm binaries come from the studio's list and compile under its policy
      await expect.poll(() => page.locator('.train-status').textContent()).toContain('ready');
      const compiled = await page.evaluate(() => Promise.all(['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].map(async (f) => WebAssembly.Module.exports(await WebAssembly.compileStreaming(fetch(f))).length)));
      for (const n of compiled) expect(n).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
      await page.close();
    } finally {
      if (studio) expect(await studio.stop()).toBe(0);
    }
  });

  it('reports the app size without tfjs', () => {
    const files = readdirSync(SITE).filter((f) => statSync(join(SITE, f)).isFile() && f !== 'trainer.js' && !f.endsWith('.wasm'));
    const gz = files.reduce((n, f) => n + gzipSync(readFileSync(join(SITE, f)), { level: 9 }).length, 0);
    console.log(`playground app without tfjs and data: ${files.join(', ')}: ${(gz / 1024).toFixed(0)} KiB gzipped`);
    expect(gz).toBeLessThan(1024 * 1024);
  });
});
