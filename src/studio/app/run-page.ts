// A run's page (#run/ID) and the comparison of two runs (#diff/ID/ID): the spec as the
// compiler reads it, the summary table, the diagram, the curves (following a run that is
// training), the confusion matrices and the analysis figures; every chart a vega view with
// a tooltip on hover. The charts come from the server
// already compiled to vega (../charts.ts); vega runs here with its expression interpreter,
// never compiling code (the page's Content-Security-Policy allows no eval), and with a
// loader that loads nothing, so a figure file cannot make the page fetch anything. Each
// section stands alone: one the server could not read says why, and the others are drawn.
// vega comes with /static/vega.js, loaded when a page first draws a chart: types only here
import type { View } from 'vega';
import { loadVega } from './charts.js';
import { diffLines } from 'diff';
// the server's types (type-only: erased from the bundle)
import type { RunDetail } from '../run-detail.js';
import type { RunRow } from '../runs.js';
import type { SummaryJson } from '../../backends/text/summary.js';
import { CURVES_DATA, curveValues, type CurveLine } from '../curve-values.js';

type Section<T> = T | { error: string };
type Ok<T> = Exclude<T, { error: string }>;
const failed = <T>(s: Section<T>): s is { error: string } => typeof s === 'object' && s !== null && 'error' in s && typeof (s as { error: unknown }).error === 'string';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { text?: string; className?: string } = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.text !== undefined) e.textContent = props.text;
  if (props.className) e.className = props.className;
  for (const c of children) e.append(c);
  return e;
}

const num = (n: number) => n.toLocaleString('en-US');
const shape = (s: number[] | null | undefined) => (s ? s.join('×') : '');
const fmt = (x: number | null | undefined, digits = 4) => (typeof x === 'number' && Number.isFinite(x) ? String(+x.toPrecision(digits)) : '');

const runHash = (id: string) => `#run/${encodeURIComponent(id)}`;
const diffHash = (a: string, b: string) => `#diff/${encodeURIComponent(a)}/${encodeURIComponent(b)}`;

// ---------------------------------------------------------------- charts

const views: View[] = [];

/** Values inline in a vega spec: past some thousands of marks an SVG slows the page, and a canvas draws them instead (tooltips alike). */
function inlineValues(spec: unknown): number {
  const data = (spec as { data?: { values?: unknown }[] }).data ?? [];
  return data.reduce((n, d) => n + (Array.isArray(d.values) ? d.values.length : 0), 0);
}
const SVG_MAX_VALUES = 20_000;

async function chart(box: HTMLElement, spec: unknown, label: string): Promise<View | undefined> {
  const holder = el('div', { className: 'vega' });
  holder.setAttribute('role', 'figure');
  holder.setAttribute('aria-label', label);
  box.append(holder);
  try {
    const renderer = inlineValues(spec) > SVG_MAX_VALUES ? 'canvas' : 'svg';
    const view = await (await loadVega()).draw(holder, spec, renderer);
    views.push(view);
    return view;
  } catch (e) {
    holder.replaceChildren(el('p', { className: 'error-text', text: `${label}: cannot draw it: ${(e as Error).message}` }));
    return undefined;
  }
}

function dropViews(): void {
  for (const v of views.splice(0)) v.finalize();
  document.getElementById('vg-tooltip-element')?.classList.remove('visible');
}

// ---------------------------------------------------------------- sections

function sectionBox(title: string, id: string): HTMLElement {
  const s = el('section', { className: 'card' }, [el('h3', { text: title })]);
  s.id = id;
  return s;
}

const errorLine = (text: string) => el('p', { className: 'error-text', text });
const hintLine = (text: string) => el('p', { className: 'hint', text });

function specSection(d: RunDetail): HTMLElement {
  const box = sectionBox('Spec', 'rp-spec');
  if (failed(d.spec)) {
    box.append(errorLine(d.spec.error));
    return box;
  }
  const code = el('code');
  for (const s of d.spec.spans) code.append(s.cls === 'plain' ? document.createTextNode(s.text) : el('span', { className: `tok-${s.cls}`, text: s.text }));
  const pre = el('pre', { className: 'spec' }, [code]);
  box.append(pre);
  if (!d.spec.highlighted) box.append(hintLine(`${num(d.spec.chars)} characters: shown without highlighting`));
  return box;
}

function summarySection(d: RunDetail): HTMLElement {
  const box = sectionBox('Network', 'rp-summary');
  if (failed(d.summary)) {
    box.append(errorLine(d.summary.error));
    return box;
  }
  const s: SummaryJson = d.summary;
  const head = el('tr', {}, ['layer', 'kind', 'output shape', 'params', 'notes'].map((h) => el('th', { text: h })));
  const rows = s.rows.map((r) => {
    const params = r.count > 1 ? `${num(r.params)} ×${r.count}` : num(r.params);
    const tr = el('tr', {}, [el('td', { text: r.name }), el('td', { text: r.label }), el('td', { text: shape(r.outputShape) }), el('td', { text: params, className: 'num' }), el('td', { text: r.notes, className: 'hint' })]);
    tr.title = r.layers.join(', ');
    return tr;
  });
  const table = el('table', { className: 'summary' }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
  const totals = [`${num(s.totalParams)} parameters`, `${num(s.totalFlops)} FLOPs an example`, `${s.weightedLayers} weighted layers`];
  if (s.highwayLayers) totals.push(`${s.highwayLayers} highway`);
  if (s.residualLayers) totals.push(`${s.residualLayers} residual`);
  if (s.insertedLayers) totals.push(`${s.insertedLayers} inserted projection${s.insertedLayers === 1 ? '' : 's'}`);
  box.append(el('div', { className: 'scroll' }, [table]), el('p', { className: 'totals', text: totals.join(' · ') }));
  // the table folds runs of identical layers; every layer, with its own counts, on demand
  if (s.layers.length > s.rows.length) {
    const every = el('tr', {}, ['layer', 'kind', 'input', 'output', 'params', 'FLOPs', 'line'].map((h) => el('th', { text: h })));
    const layerRows = s.layers.map((l) => el('tr', {}, [el('td', { text: l.name }), el('td', { text: l.label }), el('td', { text: shape(l.inputShape) }), el('td', { text: shape(l.outputShape) }), el('td', { text: num(l.params), className: 'num' }), el('td', { text: num(l.flops), className: 'num' }), el('td', { text: String(l.line), className: 'num' })]));
    const details = el('details', {}, [el('summary', { text: `every layer (${num(s.layers.length)})` }), el('div', { className: 'scroll' }, [el('table', { className: 'summary layers' }, [el('thead', {}, [every]), el('tbody', {}, layerRows)])])]);
    box.append(details);
  }
  return box;
}

/** The diagram `hwy compile --emit svg` draws, as an image: markup from a run never enters the page's DOM. */
function diagramSection(d: RunDetail): HTMLElement {
  const box = sectionBox('Diagram', 'rp-diagram');
  if (failed(d.diagram)) {
    box.append(errorLine(d.diagram.error));
    return box;
  }
  const img = el('img');
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(d.diagram.svg)}`;
  img.alt = `the network ${failed(d.summary) ? '' : d.summary.network} drawn layer by layer, the shape on each edge`;
  box.append(el('div', { className: 'diagram' }, [img]));
  return box;
}

async function curvesSection(d: RunDetail): Promise<{ box: HTMLElement; view?: View }> {
  const box = sectionBox('Curves', 'rp-curves');
  let view: View | undefined;
  if (failed(d.curves)) box.append(errorLine(d.curves.error));
  else if (!d.curves.vega) box.append(hintLine('No epoch finished yet.'));
  else {
    view = await chart(box, d.curves.vega, 'loss and accuracy by epoch');
    box.append(hintLine(d.curves.downsampled ? `every ${d.curves.stride}th of ${num(d.curves.total)} epochs` : ''));
  }
  return { box, view };
}

async function evalSection(d: RunDetail): Promise<HTMLElement> {
  const box = sectionBox('Confusion matrix', 'rp-confusion');
  if (failed(d.evals)) {
    box.append(errorLine(d.evals.error));
    return box;
  }
  for (const e of d.evals.items) {
    box.append(el('p', { className: 'totals', text: `${e.split} split, ${num(e.count)} examples: accuracy ${fmt(e.accuracy * 100)}%, loss ${fmt(e.loss)}` }));
    await chart(box, e.vega, `confusion matrix, ${e.split} split, ${e.which} checkpoint`);
  }
  if (!d.evals.items.length) box.append(hintLine(`None recorded. ${d.evals.hint}.`));
  return box;
}

async function analysisSection(d: RunDetail): Promise<HTMLElement> {
  const box = sectionBox('Analysis', 'rp-analysis');
  if (failed(d.analysis)) {
    box.append(errorLine(d.analysis.error));
    return box;
  }
  // side by side where they fit (lesioning beside the condition numbers), each on its own row otherwise
  const figures = el('div', { className: 'figures' });
  box.append(figures);
  for (const f of d.analysis.figures) {
    const fig = el('div', { className: 'figure' });
    fig.dataset.figure = f.name;
    figures.append(fig);
    // a figure has its own title; one that cannot be drawn is named here
    if (f.error) fig.append(el('h4', { text: f.title }), errorLine(f.error));
    else await chart(fig, f.vega, f.title);
  }
  if (!d.analysis.figures.length) box.append(hintLine(`No analysis yet: ${d.analysis.hint}.`));
  return box;
}

function settingsLine(d: RunDetail): HTMLElement {
  if (failed(d.record)) return errorLine(d.record.error);
  const r = d.record;
  const c = r.config;
  const parts = [
    `${r.engine ?? 'tfjs'}${r.device ? ` (${r.device})` : ''}`,
    `data ${c.data.name}`,
    `${c.optimizer.name}, lr ${c.lr.value}${c.lr.schedule && c.lr.schedule !== 'constant' ? ` (${c.lr.schedule})` : ''}`,
    `batch ${c.batch}`,
    `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`,
    `seed ${c.seed}`,
    ...Object.entries(r.overrides ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(r.settings ?? []),
  ];
  return el('p', { className: 'totals', text: parts.join(' · ') });
}

// ---------------------------------------------------------------- the diff of two runs

/** run.json as key → value rows (`config.optimizer.momentum`), what differs between runs being the point; when a run was made is not a setting. */
function flatten(v: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (['createdAt', 'updatedAt', 'history', 'command'].includes(key) || key.startsWith('stopped.')) continue;
      flatten(x, key, out);
    }
  } else out.set(prefix, typeof v === 'string' ? v : JSON.stringify(v));
  return out;
}

function settingsDiff(a: RunDetail, b: RunDetail): HTMLElement {
  const box = sectionBox('Settings that differ', 'rp-settings-diff');
  if (failed(a.record) || failed(b.record)) {
    box.append(errorLine([a.record, b.record].filter(failed).map((r) => r.error).join('; ')));
    return box;
  }
  // what the network comes to (the recorded IR's counts) beside what run.json records
  const counts = (d: RunDetail) => (failed(d.summary) ? {} : { parameters: d.summary.totalParams, flops: d.summary.totalFlops, weightedLayers: d.summary.weightedLayers, highwayLayers: d.summary.highwayLayers, residualLayers: d.summary.residualLayers });
  const fa = flatten({ ...a.record, summary: counts(a) }, '', new Map());
  const fb = flatten({ ...b.record, summary: counts(b) }, '', new Map());
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].filter((k) => fa.get(k) !== fb.get(k)).sort();
  if (!keys.length) {
    box.append(hintLine('run.json records the same settings for both runs.'));
    return box;
  }
  const head = el('tr', {}, [el('th', { text: 'setting' }), el('th', { text: a.dir }), el('th', { text: b.dir })]);
  const rows = keys.map((k) => el('tr', {}, [el('td', { text: k }), el('td', { text: fa.get(k) ?? '—', className: fa.has(k) ? '' : 'hint' }), el('td', { text: fb.get(k) ?? '—', className: fb.has(k) ? '' : 'hint' })]));
  box.append(el('div', { className: 'scroll' }, [el('table', { className: 'settings-diff' }, [el('thead', {}, [head]), el('tbody', {}, rows)])]));
  return box;
}

const DIFF_TIMEOUT_MS = 1000;
const specText = (d: RunDetail) => (failed(d.spec) ? undefined : d.spec.spans.map((s) => s.text).join(''));

function specDiff(a: RunDetail, b: RunDetail): HTMLElement {
  const box = sectionBox('Spec diff', 'rp-spec-diff');
  const ta = specText(a);
  const tb = specText(b);
  if (ta === undefined || tb === undefined) {
    box.append(errorLine([a.spec, b.spec].filter(failed).map((s) => s.error).join('; ')));
    return box;
  }
  // two long specs with little in common would hold the page for long: given up after a second
  const parts = diffLines(ta, tb, { timeout: DIFF_TIMEOUT_MS });
  if (!parts) {
    box.append(hintLine(`The specs differ too much to be compared line by line here (${num(ta.split('\n').length)} and ${num(tb.split('\n').length)} lines).`));
    return box;
  }
  if (parts.every((p) => !p.added && !p.removed)) {
    box.append(hintLine('The two runs were trained from the same spec text.'));
    return box;
  }
  const code = el('code');
  for (const p of parts) {
    const lines = p.value.replace(/\n$/, '').split('\n');
    const mark = p.added ? '+' : p.removed ? '-' : ' ';
    for (const line of lines) code.append(el('span', { className: p.added ? 'add' : p.removed ? 'del' : 'same', text: `${mark} ${line}\n` }));
  }
  box.append(el('p', { className: 'hint', text: `- ${a.dir}   + ${b.dir}` }), el('pre', { className: 'spec diff' }, [code]));
  return box;
}

// ---------------------------------------------------------------- the views

async function fetchJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  const body = (await r.json()) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `${r.status} ${r.statusText}`);
  return body;
}

const detailOf = (id: string) => fetchJson<RunDetail>(`/api/runs/${encodeURIComponent(id)}/detail`);

function header(title: string, subtitle: string, runs: RunRow[], current: string[]): HTMLElement {
  const back = el('a', { text: '← all runs', className: 'back' });
  back.href = '#';
  const compare = el('select');
  compare.id = 'rp-compare';
  compare.setAttribute('aria-label', 'compare with another run');
  compare.append(el('option', { text: current.length === 2 ? 'compare with…' : 'compare with another run…' }));
  for (const r of runs.filter((r) => r.id !== current[0])) {
    const o = el('option', { text: r.dir });
    o.value = r.id;
    if (r.id === current[1]) o.selected = true;
    compare.append(o);
  }
  compare.addEventListener('change', () => {
    if (compare.value) location.hash = diffHash(current[0], compare.value);
  });
  return el('div', { className: 'rp-head' }, [back, el('h2', { text: title }), el('span', { className: 'hint', text: subtitle }), el('span', { className: 'spacer' }), compare]);
}

/** Where the run stands, from its row in the runs table: status, epochs, the best and last results. */
function resultLine(row: RunRow | undefined): HTMLElement {
  const p = el('p', { className: 'result' });
  if (!row || row.error) return p;
  const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${fmt(x * 100)}%` : '—');
  const status = el('span', { text: row.status ?? '', className: `status-${row.status}` });
  const parts = [
    `${row.epochs ?? 0}${row.epochsPlanned ? `/${row.epochsPlanned}` : ''} epochs`,
    `best val accuracy ${pct(row.bestValAccuracy)}`,
    `best val loss ${fmt(row.bestValLoss) || '—'}`,
    `last loss ${fmt(row.lastLoss) || '—'}`,
  ];
  p.append(status, ` · ${parts.join(' · ')}`);
  return p;
}

/** What a shown run's page updates as its epochs finish: the result line and the curves. */
interface Following {
  id: string;
  epochs: number | undefined;
  result: HTMLElement;
  curves: { box: HTMLElement; view?: View };
}

async function showRun(view: HTMLElement, id: string, runs: RunRow[]): Promise<Following> {
  const d = await detailOf(id);
  const name = failed(d.record) ? d.dir : d.record.network;
  const row = runs.find((r) => r.id === id);
  const result = resultLine(row);
  view.replaceChildren(header(name, d.dir, runs, [id]), result, settingsLine(d));
  // two columns: what the run is (spec, layers) and how it did (confusion) on the left; its
  // curves and its drawing on the right; the analysis below, full width
  const curves = await curvesSection(d);
  const left = el('div', {}, [specSection(d), summarySection(d), await evalSection(d)]);
  const right = el('div', {}, [curves.box, diagramSection(d)]);
  view.append(el('div', { className: 'rp-grid' }, [left, right]), await analysisSection(d));
  return { id, epochs: row?.epochs, result, curves };
}

const FOLLOW_MS = 2000;

/**
 * While a run's page is shown, its epochs as they finish: the result line anew, and the
 * curves' rows swapped in the same view (the page is not drawn again, so where the reader
 * is and what they hover stay). Stops when another view is shown.
 */
function follow(f: Following, ticket: number): void {
  const tick = async () => {
    if (ticket !== shown) return;
    try {
      const row = (await fetchJson<{ runs: RunRow[] }>('/api/runs')).runs.find((r) => r.id === f.id);
      if (row && !row.error && row.epochs !== f.epochs) {
        const m = await fetchJson<{ lines: CurveLine[]; total: number; downsampled: boolean; stride: number; error?: string }>(`/api/runs/${encodeURIComponent(f.id)}/metrics`);
        if (ticket !== shown) return;
        f.epochs = row.epochs;
        const result = resultLine(row);
        f.result.replaceWith(result);
        f.result = result;
        if (f.curves.view && !m.error) {
          await (await loadVega()).replaceValues(f.curves.view, CURVES_DATA, curveValues(m.lines));
          const note = f.curves.box.querySelector('p.hint');
          if (note) note.textContent = m.downsampled ? `every ${m.stride}th of ${num(m.total)} epochs` : '';
        } else {
          // the first epoch of a run that had none: its chart is drawn now
          const fresh = await curvesSection(await detailOf(f.id));
          if (ticket !== shown) return;
          f.curves.box.replaceWith(fresh.box);
          f.curves = fresh;
        }
      }
    } catch {
      // the server away for a moment: the next tick tries again
    }
    if (ticket === shown) setTimeout(() => void tick(), FOLLOW_MS);
  };
  setTimeout(() => void tick(), FOLLOW_MS);
}

async function showDiff(view: HTMLElement, a: string, b: string, runs: RunRow[]): Promise<void> {
  const [da, db] = await Promise.all([detailOf(a), detailOf(b)]);
  view.replaceChildren(header(`${da.dir} vs ${db.dir}`, '', runs, [a, b]));
  const open = el('p', { className: 'totals' }, ['open ', link(da), ' · ', link(db)]);
  view.append(open, settingsDiff(da, db), specDiff(da, db));
}

function link(d: RunDetail): HTMLAnchorElement {
  const a = el('a', { text: d.dir });
  a.href = runHash(d.id);
  return a;
}

/** Which view the hash names: the runs table (''), a run, or two runs compared. */
export function parseRoute(hash: string): { page: 'table' } | { page: 'run'; id: string } | { page: 'diff'; a: string; b: string } {
  const m = /^#(run|diff)\/(.+)$/.exec(hash);
  if (!m) return { page: 'table' };
  try {
    // a run's id holds slashes (0/runs/a): whole after #run/, and percent-encoded in #diff/A/B
    if (m[1] === 'run') return { page: 'run', id: decodeURIComponent(m[2]) };
    const ids = m[2].split('/').map(decodeURIComponent);
    if (ids.length === 2) return { page: 'diff', a: ids[0], b: ids[1] };
  } catch {
    // a hash typed by hand that is not percent-encoded: the table
  }
  return { page: 'table' };
}

let shown = 0;

/** Shows the view the hash names: the table's <main>, or #run-view filled for a run or a comparison. */
export async function route(hash: string): Promise<void> {
  const r = parseRoute(hash);
  const table = document.querySelector('body > main') as HTMLElement;
  const view = document.getElementById('run-view') as HTMLElement;
  const ticket = ++shown;
  dropViews();
  table.hidden = r.page !== 'table';
  view.hidden = r.page === 'table';
  if (r.page === 'table') {
    view.replaceChildren();
    document.title = 'hwy studio';
    // the table's chart was drawn while hidden, at no width: drawn again at the page's
    window.dispatchEvent(new Event('resize'));
    return;
  }
  view.replaceChildren(hintLine('loading…'));
  window.scrollTo(0, 0);
  try {
    const runs = (await fetchJson<{ runs: RunRow[] }>('/api/runs')).runs;
    if (ticket !== shown) return;
    const scratch = el('div');
    const following = r.page === 'run' ? await showRun(scratch, r.id, runs) : undefined;
    if (r.page === 'diff') await showDiff(scratch, r.a, r.b, runs);
    if (ticket !== shown) return; // another route was asked for meanwhile
    view.replaceChildren(...scratch.childNodes);
    if (following) follow(following, ticket);
    document.title = `hwy studio: ${r.page === 'run' ? r.id : `${r.a} vs ${r.b}`}`;
  } catch (e) {
    if (ticket === shown) view.replaceChildren(header('hwy studio', '', [], ['']), errorLine((e as Error).message));
  }
}

/** A click on a row of the runs table (not on its checkbox) opens that run's page. */
export function openRunsOnClick(tbody: HTMLElement): void {
  tbody.title = 'click a run for its page: spec, diagram, curves, confusion matrix, analysis';
  tbody.addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    if (target.closest('input, a, button, select, label')) return;
    const id = target.closest('tr')?.dataset.id;
    if (id) location.hash = runHash(id);
  });
}
