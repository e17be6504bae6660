// The training panel: start / stop / continue, the backend and samples/s, loss and accuracy
// curves, the gates' heat map after each epoch, and a pad to draw a digit for the trained
// network. It knows the trainer only through the contract in ../train/api.ts, and gets its
// factory from one place (mountTrainingPanel's `loadTrainer`): the page passes a loader that
// imports the trainer's own bundle; where that bundle cannot be loaded (a host that left it
// out), the panel says so with the reason, and offers nothing it cannot do.
import uPlot from 'uplot';
import type { CreateTrainer, EpochReport, Trainer, TrainerOptions } from '../train/api.js';
import type { NetworkIR } from '../../ir/types.js';

export interface TrainingSettings {
  epochs: number;
  seed?: number;
  backend: NonNullable<TrainerOptions['backend']>;
}

export interface TrainingPanelOptions {
  /** The trainer factory, or null when it could not be loaded (with the reason). */
  loadTrainer: () => Promise<{ create: CreateTrainer } | { create: null; reason: string }>;
  /** The checked IR of the spec in the editor now, or why there is none. */
  currentIr: () => Promise<{ ok: true; ir: NetworkIR } | { ok: false; reason: string }>;
  settings: TrainingSettings;
  dataUrl: string;
  /** where the site serves tfjs-backend-wasm's .wasm files */
  wasmUrl: string;
  /** Settings changed by the user (the share link carries them). */
  onSettings(s: TrainingSettings): void;
  download(name: string, data: Blob): void;
}


function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/**
 * Loss (left axis) and accuracy (right axis, 0 to 1) by epoch, training solid and validation
 * dashed, drawn by uPlot as the studio's curves are; hover shows the values. The epochs
 * drawn are on the element (data-epochs) for the page's tests.
 */
function curvesChart(box: HTMLElement): (epochs: EpochReport[]) => void {
  const axis = { stroke: '#5a6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d5d9e0' } };
  const series = (label: string, stroke: string, scale: 'loss' | 'acc', dash?: number[]) => ({ label, stroke, scale, width: 1.5, ...(dash ? { dash } : {}), points: { show: true, size: 5 }, value: (_u: unknown, v: number | null) => (v === null ? '–' : v.toFixed(4)) });
  const plot = new uPlot(
    {
      width: 360,
      height: 170,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, loss: { auto: true }, acc: { range: [0, 1] } },
      axes: [
        { ...axis, label: 'epoch', size: 34, labelSize: 14, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500], values: (_u: unknown, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
        { ...axis, scale: 'loss', label: 'loss', size: 44, labelSize: 14 },
        { ...axis, scale: 'acc', side: 1, label: 'accuracy', size: 44, labelSize: 14, grid: { show: false } },
      ],
      series: [{ label: 'epoch' }, series('loss', '#c0392b', 'loss'), series('val loss', '#e59866', 'loss', [5, 4]), series('accuracy', '#1f618d', 'acc'), series('val accuracy', '#76b7e0', 'acc', [5, 4])],
    },
    [[], [], [], [], []],
    box,
  );
  return (epochs) => {
    box.dataset.epochs = String(epochs.length);
    const n = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);
    plot.setData([epochs.map((e) => e.epoch), epochs.map((e) => n(e.loss)), epochs.map((e) => n(e.valLoss)), epochs.map((e) => n(e.accuracy)), epochs.map((e) => n(e.valAccuracy))] as uPlot.AlignedData);
  };
}

/** One row a gated block, one cell a unit: the mean transform-gate activity, black (0, carry) to bright (1, transform). */
function drawGates(canvas: HTMLCanvasElement, gates: EpochReport['gates']): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (!gates.length) return;
  const rowH = canvas.height / gates.length;
  gates.forEach((g, r) => {
    const w = canvas.width / Math.max(1, g.mean.length);
    g.mean.forEach((m, c) => {
      const v = Math.max(0, Math.min(1, m));
      ctx.fillStyle = `rgb(${Math.round(255 * v)}, ${Math.round(200 * v)}, ${Math.round(60 + 80 * (1 - v))})`;
      ctx.fillRect(c * w, r * rowH, Math.ceil(w), Math.ceil(rowH));
    });
  });
}

/** The digit pad of examples/browser: white strokes on black, scaled into MNIST's 20x20 box centred in 28x28. */
function digitPad(onDrawn: (pixels: Float32Array) => void): { root: HTMLElement; clear(): void } {
  const pad = el('canvas', { width: 140, height: 140, className: 'pad' });
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const small = el('canvas', { width: 28, height: 28 });
  const sctx = small.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  let last: [number, number] | null = null;
  pad.addEventListener('pointerdown', (e) => {
    last = [e.offsetX, e.offsetY];
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 10;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(e.offsetX, e.offsetY);
    ctx.stroke();
    last = [e.offsetX, e.offsetY];
  });
  pad.addEventListener('pointerup', () => {
    last = null;
    const { data, width, height } = ctx.getImageData(0, 0, pad.width, pad.height);
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (data[4 * (y * width + x)] > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    if (x1 < 0) return;
    sctx.fillStyle = '#000';
    sctx.fillRect(0, 0, 28, 28);
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    const s = 20 / Math.max(w, h);
    sctx.drawImage(pad, x0, y0, w, h, (28 - w * s) / 2, (28 - h * s) / 2, w * s, h * s);
    const rgba = sctx.getImageData(0, 0, 28, 28).data;
    const px = new Float32Array(28 * 28);
    for (let i = 0; i < px.length; i++) px[i] = rgba[4 * i] / 255;
    onDrawn(px);
  });
  return { root: pad, clear };
}

export function mountTrainingPanel(root: HTMLElement, o: TrainingPanelOptions): void {
  const status = el('p', { className: 'train-status' }, 'loading the trainer…');
  const start = el('button', { textContent: 'Start', disabled: true });
  const stop = el('button', { textContent: 'Stop', disabled: true });
  const more = el('button', { textContent: 'Continue', disabled: true });
  const save = el('button', { textContent: 'Download model', disabled: true });
  const epochs = el('input', { type: 'number', min: '1', max: '1000', value: String(o.settings.epochs), title: 'epochs per run' });
  const seed = el('input', { type: 'number', min: '0', placeholder: 'spec', value: o.settings.seed === undefined ? '' : String(o.settings.seed), title: "seed (empty: the spec's)" });
  const backend = el('select', { title: 'backend' }, ...['auto', 'webgpu', 'webgl', 'wasm'].map((b) => el('option', { value: b, textContent: b })));
  backend.value = o.settings.backend;
  const speed = el('span', { className: 'speed' }, '');
  const curves = el('div', { className: 'curves' });
  curves.setAttribute('role', 'img');
  curves.setAttribute('aria-label', 'loss and accuracy by epoch');
  curves.dataset.epochs = '0';
  const gates = el('canvas', { width: 360, height: 90, className: 'gates', title: 'transform-gate activity: a row a gated block, a column a unit' });
  const probs = el('ol', { className: 'probs', start: 0 });
  const pad = digitPad((px) => {
    if (!trainer) return;
    const p = trainer.predict(px);
    const best = p.indexOf(Math.max(...p));
    probs.replaceChildren(...[...p].map((v, i) => el('li', { className: i === best ? 'best' : '', textContent: `${(100 * v).toFixed(1)}%` })));
  });
  root.replaceChildren(
    el('div', { className: 'train-controls' }, start, stop, more, ' epochs ', epochs, ' seed ', seed, ' ', backend, ' ', save),
    el('p', {}, speed),
    status,
    curves,
    el('p', { className: 'caption' }, 'transform-gate activity after the last epoch: a row a gated layer, a column a unit, dark closed (carry) to bright open (transform)'),
    gates,
    el('div', { className: 'digit' }, pad.root, el('div', {}, el('button', { textContent: 'Clear', onclick: () => (pad.clear(), probs.replaceChildren()) }), probs)),
  );

  const drawCurves = curvesChart(curves);
  const settings = (): TrainingSettings => ({ epochs: Math.max(1, Math.min(1000, Math.floor(Number(epochs.value) || 1))), seed: seed.value === '' ? undefined : Math.max(0, Math.floor(Number(seed.value))), backend: backend.value as TrainingSettings['backend'] });
  for (const input of [epochs, seed, backend]) input.addEventListener('change', () => o.onSettings(settings()));

  let create: CreateTrainer | null = null;
  let trainer: Trainer | null = null;
  let running = false;
  let history: EpochReport[] = [];
  const buttons = () => {
    start.disabled = !create || running;
    stop.disabled = !running;
    more.disabled = !trainer || running;
    save.disabled = !trainer || running;
  };

  const run = async (fresh: boolean) => {
    const s = settings();
    running = true;
    buttons();
    try {
      if (fresh) {
        const got = await o.currentIr();
        if (!got.ok) {
          status.textContent = `cannot train: ${got.reason}`;
          return;
        }
        trainer?.dispose();
        trainer = null;
        history = [];
        drawCurves(history);
        status.textContent = 'preparing the data and the network…';
        trainer = await create!({ ir: got.ir, dataUrl: o.dataUrl, wasmUrl: o.wasmUrl, seed: s.seed, backend: s.backend });
      }
      const t = trainer!;
      status.textContent = `training on ${t.backend.name}${t.backend.why ? ` (${t.backend.why})` : ''}`;
      await t.run(s.epochs, {
        step: (r) => (speed.textContent = `${t.backend.name} · epoch ${r.epoch}, step ${r.step}/${r.steps} · loss ${r.loss.toFixed(4)} · ${Math.round(r.samplesPerSec).toLocaleString('en-US')} samples/s`),
        epoch: (r) => {
          history.push(r);
          drawCurves(history);
          drawGates(gates, r.gates);
          status.textContent = `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.accuracy).toFixed(1)}%${r.valAccuracy === null ? '' : `, validation ${(100 * r.valAccuracy).toFixed(1)}%`} · ${Math.round(r.samplesPerSec).toLocaleString('en-US')} samples/s on ${t.backend.name}`;
        },
      });
    } catch (e) {
      status.textContent = `training failed: ${(e as Error)?.message ?? String(e)}`;
    } finally {
      running = false;
      buttons();
    }
  };
  start.onclick = () => void run(true);
  more.onclick = () => void run(false);
  stop.onclick = () => trainer?.stop();
  save.onclick = async () => {
    for (const f of (await trainer?.exportModel()) ?? []) o.download(f.name, f.data);
  };

  void o.loadTrainer().then((got) => {
    if (got.create) {
      create = got.create;
      status.textContent = 'ready: Start trains the network in the editor on the bundled MNIST digits, in this page';
    } else {
      status.textContent = `training not available here (${got.reason})`;
      root.classList.add('unavailable');
    }
    buttons();
  });
}
