// hwy studio's page: the runs table (sortable, filterable, a column for every --set), the
// curves of the selected runs (./curves.ts), a metric against a setting and parallel
// coordinates (./charts.ts), the sweeps, and a sweep's own page (./sweep.ts, #sweep=ID).
// Rows arrive over one event stream (./live.ts): a training run's row and curves move
// within a second of each epoch, without reloading. Every text from a run goes in as text.

// the server's row types (type-only: erased from the bundle, so the page carries no server code)
import type { RunRow } from '../runs.js';
import type { SweepRow } from '../sweeps.js';
import { openRunsOnClick, route as runPageRoute } from './run-page.js';
import { connectLive } from './live.js';
import { drawCurves, PALETTE, resizeCurves, type CurveOptions, type CurveRun, type Metric, type MetricsLine } from './curves.js';
import { drawSpec, parallelSpec, scatterSpec } from './charts.js';
import { ROW_METRICS, settingLabel, settingNames, settingOf, setsOf } from './settings.js';
import { showSweep } from './sweep.js';
import { $, el, fmt } from './dom.js';

interface Column {
  key: string;
  label: string;
  num?: boolean;
  value: (r: RunRow) => string | number | null | undefined;
  text?: (r: RunRow) => string;
}

/** Runs drawn at once: each is one fetch of its curves. */
const MAX_SELECTED = 64;

const BASE_COLUMNS: Column[] = [
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
  { key: 'engine', label: 'engine', value: (r) => r.engine },
  { key: 'device', label: 'device', value: (r) => r.device },
];
const TAIL_COLUMNS: Column[] = [{ key: 'specFile', label: 'spec', value: (r) => r.specFile }];

const state = {
  runs: new Map<string, RunRow>(),
  sweeps: [] as SweepRow[],
  truncated: false,
  /** Set once the first list of sweeps came. */
  loaded: false,
  columns: [...BASE_COLUMNS, ...TAIL_COLUMNS],
  setKeys: '',
  sort: { key: 'dir', dir: 1 },
  filter: '',
  /** Selected run ids, in the order they were selected (their colours). */
  selected: [] as string[],
  metrics: new Map<string, { epochs: number | undefined; lines: MetricsLine[]; total: number; downsampled: boolean; error?: string }>(),
};

/** Grouped by a setting: the groups of the selected runs, ordered by the setting's value. */
function groupsOf(setting: string): Map<string, string[]> {
  const withValue = state.selected.map((id) => ({ id, v: state.runs.get(id) ? settingOf(state.runs.get(id)!, setting) : undefined }));
  withValue.sort((a, b) => (typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : collator.compare(String(a.v ?? ''), String(b.v ?? ''))));
  const out = new Map<string, string[]>();
  for (const { id, v } of withValue) {
    const name = `${settingLabel(setting)}=${String(v ?? '—')}`;
    out.set(name, [...(out.get(name) ?? []), id]);
  }
  return out;
}

/** A run's colour: its place among the selected runs, or, grouped, its group's place. */
function colourOf(id: string): string {
  const groupBy = $<HTMLSelectElement>('#group-by').value;
  if (groupBy) {
    const groups = [...groupsOf(groupBy).values()];
    return PALETTE[Math.max(0, groups.findIndex((g) => g.includes(id))) % PALETTE.length];
  }
  return PALETTE[state.selected.indexOf(id) % PALETTE.length];
}

/** A column for each --set name any run has (`train.momentum`, `width`), between the settings and the spec. */
function updateColumns(): boolean {
  const keys = settingNames(state.runs.values()).filter((k) => k.startsWith('set:'));
  const sig = keys.join('\n');
  if (sig === state.setKeys) return false;
  state.setKeys = sig;
  const sets: Column[] = keys.map((k) => {
    const v = (r: RunRow) => setsOf(r).get(k.slice(4));
    return { key: k, label: `--set ${k.slice(4)}`, value: v, num: false };
  });
  state.columns = [...BASE_COLUMNS, ...sets, ...TAIL_COLUMNS];
  return true;
}

// one collator for every comparison: localeCompare with options makes one a call
const collator = new Intl.Collator(undefined, { numeric: true });

function visibleRuns(): RunRow[] {
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const all = [...state.runs.values()];
  const rows = words.length
    ? all.filter((r) => {
        const hay = state.columns.map((c) => String(c.value(r) ?? '')).join(' ').toLowerCase() + (r.error ? ` ${r.error.toLowerCase()}` : '');
        return words.every((w) => hay.includes(w));
      })
    : all;
  const col = state.columns.find((c) => c.key === state.sort.key) ?? state.columns[0];
  const d = state.sort.dir;
  const empty = (x: unknown) => x === undefined || x === null || x === '';
  return rows.sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    // empty cells last whichever the direction
    if (empty(x)) return empty(y) ? 0 : 1;
    if (empty(y)) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y))) * d;
  });
}

function renderHead(): void {
  const tr = $<HTMLTableRowElement>('#runs thead tr');
  const all = el('input');
  all.type = 'checkbox';
  all.id = 'select-shown';
  all.title = `draw every run shown (at most ${MAX_SELECTED})`;
  all.setAttribute('aria-label', 'draw every run shown');
  all.addEventListener('change', () => {
    if (all.checked) {
      for (const r of visibleRuns()) if (!r.error && !state.selected.includes(r.id) && state.selected.length < MAX_SELECTED) state.selected.push(r.id);
    } else state.selected = [];
    renderRuns();
    void refreshMetrics(true);
  });
  tr.replaceChildren(el('th', {}, [all]));
  for (const c of state.columns) {
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

/**
 * Rows in the table at first; scrolling to its end adds as many again. A table lays out
 * every cell it holds, so thousands of rows would hold the first paint up: the filter and
 * the sort still see every run.
 */
const PAGE_ROWS = 200;
let shownRows = PAGE_ROWS;
const more = new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting)) {
    shownRows += PAGE_ROWS;
    renderRuns();
  }
});

function rowElement(r: RunRow, cols: Column[]): HTMLTableRowElement {
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
    td.colSpan = cols.length - 1;
    tr.append(td);
    return tr;
  }
  for (const c of cols) {
    const v = c.value(r);
    const td = el('td', { text: c.text ? c.text(r) : typeof v === 'number' ? fmt(v) : (v ?? ''), className: c.num ? 'num' : '' });
    if (c.key === 'status' && v) td.classList.add(`status-${v}`);
    tr.append(td);
  }
  return tr;
}

function renderRuns(): void {
  const all = visibleRuns();
  const body = $<HTMLTableSectionElement>('#runs tbody');
  const cols = state.columns;
  more.disconnect();
  body.replaceChildren(...all.slice(0, shownRows).map((r) => rowElement(r, cols)));
  if (all.length > shownRows) {
    const td = el('td', { className: 'hint', text: `${all.length - shownRows} more: scroll on, or filter` });
    td.colSpan = cols.length + 1;
    const tr = el('tr', { className: 'more' }, [td]);
    body.append(tr);
    more.observe(tr);
  }
  const errors = [...state.runs.values()].filter((r) => r.error).length;
  const n = state.runs.size;
  $('#count').textContent = `${all.length} of ${n} run${n === 1 ? '' : 's'}${errors ? `, ${errors} unreadable` : ''}${state.selected.length ? ` · ${state.selected.length} drawn` : ''}`;
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
      const link = el('a', { text: s.name });
      link.href = `#sweep=${encodeURIComponent(s.id)}`;
      const training = s.runs.filter((id) => state.runs.get(id)?.status === 'training').length;
      const tr = el('tr', {}, [el('td', {}, [link]), el('td', { text: s.dir }), el('td', { text: `${progress}${training ? ` · ${training} training` : ''}` }), el('td', { text: String(s.trials), className: 'num' }), el('td', { text: String(s.runs.length), className: 'num' }), el('td', { text: s.engine ?? '' })]);
      tr.dataset.id = s.id;
      if (s.error) tr.classList.add('error');
      return tr;
    }),
  );
}

function toggle(id: string): void {
  const i = state.selected.indexOf(id);
  if (i >= 0) state.selected.splice(i, 1);
  else if (state.selected.length < MAX_SELECTED) state.selected.push(id);
  renderRuns();
  void refreshMetrics(true);
}

/** Fetches the curves of the selected runs whose epoch count changed since the last fetch, then draws. */
async function refreshMetrics(redraw = false): Promise<void> {
  let fetched = false;
  await Promise.all(
    state.selected.map(async (id) => {
      const row = state.runs.get(id);
      const have = state.metrics.get(id);
      if (!row || (have && have.epochs === row.epochs)) return;
      const res = await fetch(`/api/runs/${encodeURIComponent(id)}/metrics`);
      if (!res.ok) return;
      const m = (await res.json()) as { total: number; downsampled: boolean; lines: MetricsLine[]; error?: string };
      state.metrics.set(id, { epochs: row.epochs, lines: m.lines, total: m.total, downsampled: m.downsampled, error: m.error });
      fetched = true;
    }),
  );
  for (const id of state.metrics.keys()) if (!state.selected.includes(id)) state.metrics.delete(id);
  if (fetched || redraw) renderChart();
}

function curveOptions(): CurveOptions & { groupBy: string } {
  const groupBy = $<HTMLSelectElement>('#group-by').value;
  return {
    metric: $<HTMLSelectElement>('#metric').value as Metric,
    train: $<HTMLInputElement>('#show-train').checked,
    val: $<HTMLInputElement>('#show-val').checked,
    x: $<HTMLSelectElement>('#x-axis').value as 'epoch' | 'time',
    log: $<HTMLInputElement>('#log-scale').checked,
    grouped: groupBy !== '',
    groupBy,
  };
}

function renderChart(): void {
  const box = $<HTMLDivElement>('#chart');
  const o = curveOptions();
  const groups = o.grouped ? groupsOf(o.groupBy) : undefined;
  const order = groups ? [...groups.values()].flat() : state.selected;
  const runs: CurveRun[] = order.flatMap((id) => {
    const m = state.metrics.get(id);
    const row = state.runs.get(id);
    if (!m || !row) return [];
    const group = groups ? [...groups].find(([, ids]) => ids.includes(id))?.[0] : undefined;
    return [{ id, label: row.dir, colour: colourOf(id), lines: m.lines, group }];
  });
  const notes = state.selected.flatMap((id) => {
    const m = state.metrics.get(id);
    const dir = state.runs.get(id)?.dir ?? id;
    if (m?.error) return [`${dir}: ${m.error}`];
    return m?.downsampled ? [`${dir}: downsampled to ${m.lines.length} of ${m.total} points`] : [];
  });
  $('#chart-note').textContent = notes.join('; ');
  const drawn = drawCurves(box, runs, o);
  if (!drawn.curves) box.replaceChildren(el('p', { className: 'hint', text: state.selected.length ? 'No epochs recorded yet for the selected runs.' : 'Select runs in the table to draw their curves.' }));
}

/** The setting menus (group by, scatter x) list every setting the runs have. */
function renderSettingMenus(): void {
  const names = settingNames(state.runs.values());
  for (const [sel, blank] of [['#group-by', 'none'], ['#scatter-x', '']] as const) {
    const menu = $<HTMLSelectElement>(sel);
    const have = [...menu.options].map((o) => o.value).join('\n');
    const want = [...(blank ? [''] : []), ...names];
    if (have === want.join('\n')) continue;
    const keep = menu.value;
    menu.replaceChildren(
      ...want.map((n) => {
        const o = el('option', { text: n === '' ? blank : settingLabel(n) });
        o.value = n;
        return o;
      }),
    );
    menu.value = want.includes(keep) ? keep : (want.find((n) => n === 'lr') ?? want[0]);
  }
}

let comparePending: ReturnType<typeof setTimeout> | undefined;
let compareDrawnAt = 0;

/** The scatter plot and parallel coordinates over the runs shown, drawn while their section is open; at most every 2 s while rows change. */
function scheduleCompare(now = false): void {
  if (!$<HTMLDetailsElement>('#compare').open) return;
  if (comparePending) return;
  const wait = now ? 0 : Math.max(0, compareDrawnAt + 2000 - Date.now());
  comparePending = setTimeout(() => {
    comparePending = undefined;
    compareDrawnAt = Date.now();
    void drawCompare();
  }, wait);
}

async function drawCompare(): Promise<void> {
  const runs = visibleRuns().filter((r) => !r.error);
  const width = $<HTMLElement>('#compare').clientWidth || 1000;
  const metric = $<HTMLSelectElement>('#scatter-y').value as keyof RunRow;
  const note = $('#compare-note');
  try {
    await drawSpec($<HTMLElement>('#scatter'), scatterSpec(runs, $<HTMLSelectElement>('#scatter-x').value, metric, width));
    // the seed varies by design, and a --set of a training setting the table has already is the same axis twice
    const settings = settingNames(runs).filter((n) => n !== 'seed' && !n.endsWith('.seed') && !['set:train.lr', 'set:train.batch', 'set:train.optimizer'].includes(n));
    await drawSpec($<HTMLElement>('#parallel'), parallelSpec(runs, settings, ['bestValLoss', 'bestValAccuracy'], metric, width));
    note.textContent = `${runs.length} run${runs.length === 1 ? '' : 's'} (those the filter shows)`;
  } catch (e) {
    note.textContent = `cannot draw: ${(e as Error).message}`;
  }
}

function setStatus(text: string, error = false): void {
  const s = $('#status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

function statusLine(): string {
  const n = state.runs.size;
  const training = [...state.runs.values()].filter((r) => r.status === 'training').length;
  return `${n} run${n === 1 ? '' : 's'}${training ? `, ${training} training` : ''}${state.truncated ? ' (search stopped early: too many directories)' : ''} · live, updated ${new Date().toLocaleTimeString()}`;
}

let frame = 0;
let redrawPending = false;
/** Renders on the next frame: several events within one frame make one render. */
function scheduleRender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (updateColumns()) renderHead();
    renderRuns();
    renderSweeps();
    renderSettingMenus();
    void refreshMetrics(redrawPending);
    redrawPending = false;
    scheduleCompare();
    if (route().sweep !== undefined) void showSweep($<HTMLElement>('#sweep-page'), state.sweeps.find((s) => s.id === route().sweep), state.runs, { loaded: state.loaded });
  });
}

/** Where the page is: the runs (no hash), or a sweep's page (#sweep=ID). */
function route(): { sweep?: string } {
  const m = /^#sweep=(.+)$/.exec(location.hash);
  if (!m) return {};
  try {
    return { sweep: decodeURIComponent(m[1]) };
  } catch {
    return {};
  }
}

function applyRoute(): void {
  // #run/ID and #diff/A/B take the whole page (./run-page.ts); any other hash shows <main>
  void runPageRoute(location.hash);
  const r = route();
  $<HTMLElement>('#runs-view').hidden = r.sweep !== undefined;
  $<HTMLElement>('#sweep-view').hidden = r.sweep === undefined;
  if (r.sweep !== undefined) void showSweep($<HTMLElement>('#sweep-page'), state.sweeps.find((s) => s.id === r.sweep), state.runs, { force: true, loaded: state.loaded });
  else renderChart();
}

renderHead();
$('#filter').addEventListener('input', (e) => {
  state.filter = (e.target as HTMLInputElement).value;
  shownRows = PAGE_ROWS;
  renderRuns();
  scheduleCompare();
});
for (const id of ['#metric', '#show-train', '#show-val', '#x-axis', '#log-scale']) $(id).addEventListener('change', renderChart);
// grouping changes the swatches' colours too
$('#group-by').addEventListener('change', () => {
  renderChart();
  renderRuns();
});
for (const id of ['#scatter-x', '#scatter-y']) $(id).addEventListener('change', () => scheduleCompare(true));
$('#compare').addEventListener('toggle', () => scheduleCompare(true));
$<HTMLSelectElement>('#scatter-y').replaceChildren(
  ...ROW_METRICS.map((m) => {
    const o = el('option', { text: m.label });
    o.value = String(m.key);
    return o;
  }),
);
window.addEventListener('resize', () => resizeCurves($<HTMLElement>('#chart')));
// a run's page and the comparison of two runs (./run-page.ts) live at #run/ID and #diff/A/B
openRunsOnClick($('#runs tbody'));
window.addEventListener('hashchange', applyRoute);
applyRoute();
connectLive({
  runs: (rows, truncated) => {
    state.runs = rows;
    state.truncated = truncated;
    const before = state.selected.length;
    state.selected = state.selected.filter((id) => rows.has(id));
    // a drawn run gone (deleted, moved): its curves go too
    if (state.selected.length !== before) redrawPending = true;
    setStatus(statusLine());
    scheduleRender();
  },
  sweeps: (sweeps) => {
    state.sweeps = sweeps;
    state.loaded = true;
    scheduleRender();
  },
  connection: (ok, message) => {
    if (!ok) setStatus(`lost hwy studio (${message}); the page goes on when it is back`, true);
  },
});
