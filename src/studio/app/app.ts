// hwy studio's page: the runs table (sortable, filterable), the curves of the selected
// runs drawn as one SVG, and the sweeps. It polls the server every second, so a training
// run's row and curves follow its epochs. Plain DOM, no library: the page is small, loads
// nothing but its own files, and every text from a run goes in as text, never as markup.

// the server's row types (type-only: erased from the bundle, so the page carries no server code)
import type { RunRow } from '../runs.js';
import type { SweepRow } from '../sweeps.js';
import { openRunsOnClick, route } from './run-page.js';

interface MetricsLine {
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

interface Column {
  key: string;
  label: string;
  num?: boolean;
  value: (r: RunRow) => string | number | null | undefined;
  text?: (r: RunRow) => string;
}

const POLL_MS = 1000;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

const fmt = (x: number | null | undefined, digits = 4) => (typeof x === 'number' ? (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(+x.toPrecision(digits))) : '');

const COLUMNS: Column[] = [
  { key: 'dir', label: 'run', value: (r) => r.dir },
  { key: 'network', label: 'network', value: (r) => r.network },
  { key: 'status', label: 'status', value: (r) => (r.error ? 'error' : r.status) },
  { key: 'epochs', label: 'epochs', num: true, value: (r) => r.epochs, text: (r) => (r.epochs === undefined ? '' : `${r.epochs}${r.epochsPlanned ? `/${r.epochsPlanned}` : ''}`) },
  { key: 'bestValAccuracy', label: 'best val acc', num: true, value: (r) => r.bestValAccuracy },
  { key: 'lastValAccuracy', label: 'val acc', num: true, value: (r) => r.lastValAccuracy },
  { key: 'bestValLoss', label: 'best val loss', num: true, value: (r) => r.bestValLoss },
  { key: 'lastValLoss', label: 'val loss', num: true, value: (r) => r.lastValLoss },
  { key: 'lastLoss', label: 'loss', num: true, value: (r) => r.lastLoss },
  { key: 'optimizer', label: 'optimizer', value: (r) => r.optimizer },
  { key: 'lr', label: 'lr', num: true, value: (r) => r.lr },
  { key: 'batch', label: 'batch', num: true, value: (r) => r.batch },
  { key: 'seed', label: 'seed', num: true, value: (r) => r.seed },
  { key: 'engine', label: 'engine', value: (r) => (r.engine ? `${r.engine}${r.device ? ` (${r.device})` : ''}` : '') },
  { key: 'sets', label: '--set', value: (r) => r.sets.join(' ') },
  { key: 'specFile', label: 'spec', value: (r) => r.specFile },
];

const state = {
  runs: [] as RunRow[],
  sweeps: [] as SweepRow[],
  sort: { key: 'dir', dir: 1 },
  filter: '',
  /** Selected run ids, in the order they were selected (their colours). */
  selected: [] as string[],
  metrics: new Map<string, { epochs: number; lines: MetricsLine[]; note?: string }>(),
};

const $ = <T extends Element>(sel: string) => document.querySelector(sel) as T;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { text?: string; className?: string } = {}, children: Node[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.text !== undefined) e.textContent = props.text;
  if (props.className) e.className = props.className;
  for (const c of children) e.append(c);
  return e;
}

const colourOf = (id: string) => PALETTE[state.selected.indexOf(id) % PALETTE.length];

function visibleRuns(): RunRow[] {
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const rows = state.runs.filter((r) => {
    const hay = COLUMNS.map((c) => String(c.value(r) ?? '')).join(' ').toLowerCase() + (r.error ? ` ${r.error.toLowerCase()}` : '');
    return words.every((w) => hay.includes(w));
  });
  const col = COLUMNS.find((c) => c.key === state.sort.key) ?? COLUMNS[0];
  const d = state.sort.dir;
  return rows.sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    // empty cells last whichever the direction
    if (x === undefined || x === null || x === '') return y === undefined || y === null || y === '' ? 0 : 1;
    if (y === undefined || y === null || y === '') return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })) * d;
  });
}

function renderHead(): void {
  const tr = $<HTMLTableRowElement>('#runs thead tr');
  tr.replaceChildren(el('th', { text: '' }));
  for (const c of COLUMNS) {
    const th = el('th', { text: c.label });
    th.dataset.key = c.key;
    if (state.sort.key === c.key) th.setAttribute('aria-sort', state.sort.dir > 0 ? 'ascending' : 'descending');
    th.addEventListener('click', () => {
      state.sort = { key: c.key, dir: state.sort.key === c.key ? -state.sort.dir : 1 };
      renderHead();
      renderRuns();
    });
    tr.append(th);
  }
}

function renderRuns(): void {
  const rows = visibleRuns();
  const body = $<HTMLTableSectionElement>('#runs tbody');
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = el('tr');
      tr.dataset.id = r.id;
      const selected = state.selected.includes(r.id);
      if (selected) tr.classList.add('selected');
      if (r.error) tr.classList.add('error');
      const box = el('input');
      box.type = 'checkbox';
      box.checked = selected;
      box.setAttribute('aria-label', `draw ${r.dir}`);
      box.addEventListener('change', () => toggle(r.id));
      const first = el('td', {}, [box]);
      if (selected) first.prepend(swatch(colourOf(r.id)));
      tr.append(first);
      if (r.error) {
        tr.append(el('td', { text: r.dir }));
        const td = el('td', { text: r.error, className: 'error-text' });
        td.colSpan = COLUMNS.length - 1;
        tr.append(td);
        return tr;
      }
      for (const c of COLUMNS) {
        const v = c.value(r);
        const td = el('td', { text: c.text ? c.text(r) : typeof v === 'number' ? fmt(v) : (v ?? ''), className: c.num ? 'num' : '' });
        if (c.key === 'status' && v) td.classList.add(`status-${v}`);
        tr.append(td);
      }
      return tr;
    }),
  );
  const errors = state.runs.filter((r) => r.error).length;
  $('#count').textContent = `${rows.length} of ${state.runs.length} run${state.runs.length === 1 ? '' : 's'}${errors ? `, ${errors} unreadable` : ''}`;
}

function swatch(colour: string): HTMLElement {
  const s = el('span', { className: 'swatch' });
  s.style.background = colour;
  return s;
}

function renderSweeps(): void {
  const body = $<HTMLTableSectionElement>('#sweeps tbody');
  if (!state.sweeps.length) {
    const td = el('td', { text: 'no sweep directories found', className: 'hint' });
    td.colSpan = 6;
    body.replaceChildren(el('tr', {}, [td]));
    return;
  }
  body.replaceChildren(
    ...state.sweeps.map((s) => {
      const progress = s.error ?? (s.total !== undefined ? `${s.finished ?? 0}/${s.total}${s.complete ? ' (complete)' : ''}` : 'running');
      const tr = el('tr', {}, [el('td', { text: s.name }), el('td', { text: s.dir }), el('td', { text: progress }), el('td', { text: String(s.trials), className: 'num' }), el('td', { text: String(s.runs.length), className: 'num' }), el('td', { text: s.engine ?? '' })]);
      if (s.error) tr.classList.add('error');
      return tr;
    }),
  );
}

function toggle(id: string): void {
  const i = state.selected.indexOf(id);
  if (i >= 0) state.selected.splice(i, 1);
  else state.selected.push(id);
  renderRuns();
  void refreshMetrics().then(renderChart);
}

/** Fetches the curves of the selected runs whose epoch count changed since the last fetch. */
async function refreshMetrics(): Promise<void> {
  await Promise.all(
    state.selected.map(async (id) => {
      const row = state.runs.find((r) => r.id === id);
      const have = state.metrics.get(id);
      if (!row || (have && have.epochs === row.epochs)) return;
      const res = await fetch(`/api/runs/${encodeURIComponent(id)}/metrics`);
      if (!res.ok) return;
      const m = (await res.json()) as { total: number; downsampled: boolean; stride: number; lines: MetricsLine[]; error?: string };
      state.metrics.set(id, { epochs: row.epochs ?? m.total, lines: m.lines, note: m.error ?? (m.downsampled ? `every ${m.stride}th of ${m.total} epochs` : undefined) });
    }),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** About `n` round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, n: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  return out;
}

function renderChart(): void {
  const box = $<HTMLDivElement>('#chart');
  const metric = $<HTMLSelectElement>('#metric').value as 'loss' | 'accuracy';
  const showTrain = $<HTMLInputElement>('#show-train').checked;
  const showVal = $<HTMLInputElement>('#show-val').checked;
  const keys: { key: keyof MetricsLine; dash: string; label: string }[] = [
    ...(showTrain ? [{ key: metric as keyof MetricsLine, dash: '', label: metric }] : []),
    ...(showVal ? [{ key: (metric === 'loss' ? 'valLoss' : 'valAccuracy') as keyof MetricsLine, dash: '5 3', label: `val ${metric}` }] : []),
  ];
  const series = state.selected.flatMap((id) => {
    const m = state.metrics.get(id);
    const row = state.runs.find((r) => r.id === id);
    if (!m || !row) return [];
    return keys.map((k) => ({
      id,
      label: `${row.dir} ${k.label}`,
      dash: k.dash,
      colour: colourOf(id),
      points: m.lines.map((l) => [l.epoch, l[k.key]] as [number, number | null]).filter((p): p is [number, number] => typeof p[1] === 'number' && Number.isFinite(p[1])),
    }));
  });
  const notes = state.selected.map((id) => state.metrics.get(id)?.note).filter(Boolean);
  $('#chart-note').textContent = notes.join('; ');
  const all = series.flatMap((s) => s.points);
  if (!all.length) {
    box.replaceChildren(el('p', { className: 'hint', text: state.selected.length ? 'No epochs recorded yet for the selected runs.' : 'Select runs in the table to draw their curves.' }));
    return;
  }
  const W = Math.max(box.clientWidth || 800, 400);
  const H = 340;
  const pad = { l: 56, r: 16, t: 12, b: 34 };
  const legendH = 16 * Math.min(series.length, 12);
  const plotH = H - pad.t - pad.b - legendH;
  let x0 = Math.min(...all.map((p) => p[0]));
  let x1 = Math.max(...all.map((p) => p[0]));
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let y0 = Math.min(...all.map((p) => p[1]));
  let y1 = Math.max(...all.map((p) => p[1]));
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const yPad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - yPad, y1 + yPad];
  const X = (v: number) => pad.l + ((v - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const Y = (v: number) => pad.t + (1 - (v - y0) / (y1 - y0)) * plotH;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${metric} by epoch` });
  root.style.height = `${H}px`;
  const grid = svg('g', { class: 'grid' });
  const axis = svg('g', { class: 'axis' });
  for (const t of ticks(y0, y1, 8)) {
    grid.append(svg('line', { x1: pad.l, x2: W - pad.r, y1: Y(t), y2: Y(t) }));
    axis.append(svg('text', { x: pad.l - 6, y: Y(t) + 4, 'text-anchor': 'end' }, fmt(t, 3)));
  }
  for (const t of ticks(x0, x1, 8).filter((t) => Number.isInteger(t))) {
    axis.append(svg('line', { x1: X(t), x2: X(t), y1: pad.t + plotH, y2: pad.t + plotH + 4 }));
    axis.append(svg('text', { x: X(t), y: pad.t + plotH + 16, 'text-anchor': 'middle' }, String(t)));
  }
  axis.append(svg('line', { x1: pad.l, x2: W - pad.r, y1: pad.t + plotH, y2: pad.t + plotH }));
  axis.append(svg('line', { x1: pad.l, x2: pad.l, y1: pad.t, y2: pad.t + plotH }));
  axis.append(svg('text', { x: (pad.l + W - pad.r) / 2, y: pad.t + plotH + 30, 'text-anchor': 'middle' }, 'epoch'));
  root.append(grid, axis);
  for (const s of series) {
    if (!s.points.length) continue;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join('');
    const path = svg('path', { d, fill: 'none', stroke: s.colour, 'stroke-width': 1.8, 'stroke-dasharray': s.dash, class: 'curve' });
    path.dataset.run = s.id;
    path.append(svg('title', {}, s.label));
    root.append(path);
    // one epoch alone makes no line: mark the points
    if (s.points.length < 30) for (const p of s.points) root.append(svg('circle', { cx: X(p[0]), cy: Y(p[1]), r: 2.5, fill: s.colour }));
  }
  const legend = svg('g', { class: 'legend' });
  series.slice(0, 12).forEach((s, i) => {
    const y = H - legendH + i * 16 + 4;
    legend.append(svg('line', { x1: pad.l, x2: pad.l + 24, y1: y, y2: y, stroke: s.colour, 'stroke-width': 2, 'stroke-dasharray': s.dash }));
    legend.append(svg('text', { x: pad.l + 30, y: y + 4 }, s.label));
  });
  root.append(legend);
  box.replaceChildren(root);
}

async function poll(): Promise<void> {
  const status = $('#status');
  try {
    const [runs, sweeps] = await Promise.all([fetch('/api/runs').then((r) => r.json()), fetch('/api/sweeps').then((r) => r.json())]);
    state.runs = runs.runs;
    state.sweeps = sweeps.sweeps;
    state.selected = state.selected.filter((id) => state.runs.some((r) => r.id === id));
    renderRuns();
    renderSweeps();
    await refreshMetrics();
    renderChart();
    const training = state.runs.filter((r) => r.status === 'training').length;
    status.textContent = `${state.runs.length} run${state.runs.length === 1 ? '' : 's'}${training ? `, ${training} training` : ''}${runs.truncated ? ' (search stopped early: too many directories)' : ''} · updated ${new Date().toLocaleTimeString()}`;
    status.classList.remove('error');
  } catch (e) {
    status.textContent = `cannot reach hwy studio (${(e as Error).message}); retrying`;
    status.classList.add('error');
  }
  setTimeout(() => void poll(), POLL_MS);
}

renderHead();
$('#filter').addEventListener('input', (e) => {
  state.filter = (e.target as HTMLInputElement).value;
  renderRuns();
});
for (const id of ['#metric', '#show-train', '#show-val']) $(id).addEventListener('change', renderChart);
window.addEventListener('resize', renderChart);
// a run's page and the comparison of two runs (./run-page.ts) live at #run/ID and #diff/A/B
openRunsOnClick($('#runs tbody'));
window.addEventListener('hashchange', () => void route(location.hash));
void route(location.hash);
void poll();
