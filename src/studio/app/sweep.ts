// A sweep's page (#sweep=ID): what sweep.json says (verdicts, every finished trial with its
// settings and objective), the sweep's runs as they train (live rows from the event
// stream), and the figures the sweep saved beside its data (NAME.vl.json), drawn by vega.
// It is fetched again whenever the sweep's row says something changed.
import type { RunRow } from '../runs.js';
import type { SweepDetail, SweepRow, SweepTrial } from '../sweeps.js';
import { drawSpec } from './charts.js';
import { el, fmt } from './dom.js';

type Trial = SweepTrial;

let shown: { id: string; version: string } | undefined;

/** Fills `root` with sweep `id`'s page; again only when its version changed or `force`. */
export async function showSweep(root: HTMLElement, row: SweepRow | undefined, runs: Map<string, RunRow>, o: { force?: boolean; loaded: boolean }): Promise<void> {
  if (!row) {
    root.replaceChildren(el('p', { className: 'hint', text: o.loaded ? 'No such sweep (any more): back to the runs.' : 'loading…' }));
    shown = undefined;
    return;
  }
  if (!root.querySelector('#sweep-summary')) {
    root.replaceChildren();
    // in this order, whichever is filled first
    for (const [id, title] of [['sweep-summary', 'Sweep'], ['sweep-trials', 'Finished trials'], ['sweep-figures', 'Figures'], ['sweep-runs', 'Runs (live)']]) section(root, id, title);
  }
  const force = o.force;
  renderLiveRuns(root, row, runs);
  if (!force && shown?.id === row.id && shown.version === row.version) return;
  shown = { id: row.id, version: row.version };
  const res = await fetch(`/api/sweeps/${encodeURIComponent(row.id)}`);
  if (!res.ok) {
    root.querySelector('#sweep-summary')?.replaceChildren(el('p', { className: 'error-text', text: `cannot read the sweep (${res.status})` }));
    return;
  }
  const d = (await res.json()) as SweepDetail;
  renderSummary(root, d);
  await renderFigures(root, d);
}

function section(root: HTMLElement, id: string, title: string): HTMLElement {
  let s = root.querySelector<HTMLElement>(`#${id}`);
  if (!s) {
    s = el('section', { className: 'sweep-part' });
    s.id = id;
    s.append(el('h2', { text: title }), el('div'));
    root.append(s);
  }
  return s.lastElementChild as HTMLElement;
}

function renderSummary(root: HTMLElement, d: SweepDetail): void {
  const head = section(root, 'sweep-summary', 'Sweep');
  const s = d.summary as { sweep?: string; objective?: { metric: string; direction: string; reduce: string }; verdicts?: unknown; trials?: unknown; seeds?: number[]; sampler?: string } | undefined;
  const r = d.row;
  const progress = r.error ?? (r.total !== undefined ? `${r.finished ?? 0} of ${r.total} trials finished${r.complete ? ' (complete)' : r.running ? ' (running)' : ' (stopped)'}` : r.running ? 'running: no trial finished yet' : 'no trial finished yet');
  const parts: HTMLElement[] = [el('p', { text: `${r.name} · ${r.dir} · ${progress}${r.engine ? ` · ${r.engine}` : ''}${s?.sampler ? ` · ${s.sampler} search` : ''}${s?.objective ? ` · objective: ${s.objective.direction} ${s.objective.reduce} ${s.objective.metric}` : ''}` })];
  const verdicts = Array.isArray(s?.verdicts) ? (s.verdicts as unknown[]).filter((v): v is string => typeof v === 'string') : [];
  if (verdicts.length) parts.push(el('ul', { className: 'verdicts' }, verdicts.map((v) => el('li', { text: v }))));
  head.replaceChildren(...parts);

  const body = section(root, 'sweep-trials', 'Trials');
  // the server gives both formats' trials this shape; anything else is not listed
  const trials = Array.isArray(s?.trials) ? (s.trials as Trial[]) : [];
  if (!trials.length) {
    body.replaceChildren(el('p', { className: 'hint', text: r.running ? 'No trial has finished yet: the runs below are training.' : (r.finished ?? 0) > 0 ? 'The summary lists no trials.' : 'No trial has finished.' }));
    return;
  }
  // the grid's values, then the searched ones
  const value = (t: Trial, p: string) => (Object.hasOwn(t.params, p) ? t.params[p] : t.point?.values?.[p]);
  const params = [...new Set([...trials.flatMap((t) => Object.keys(t.point?.values ?? {})), ...trials.flatMap((t) => Object.keys(t.params))])];
  const table = el('table', { className: 'trials' });
  table.append(el('thead', {}, [el('tr', {}, ['trial', 'group', ...params, 'status', 'objective', '± std', 'seeds', 'epochs'].map((h) => el('th', { text: h })))]));
  table.append(
    el(
      'tbody',
      {},
      trials.map((t) => {
        const tr = el('tr', {}, [
          el('td', { text: t.name }),
          el('td', { text: t.group }),
          ...params.map((p) => {
            const v = value(t, p);
            return el('td', { text: typeof v === 'number' ? fmt(v) : String(v ?? ''), className: typeof v === 'number' ? 'num' : '' });
          }),
          el('td', { text: t.status, className: `status-${t.status}` }),
          el('td', { text: fmt(t.objective), className: 'num' }),
          el('td', { text: t.runs.length > 1 ? fmt(t.std) : '', className: 'num' }),
          el('td', { text: String(t.runs.length), className: 'num' }),
          el('td', { text: t.runs.map((x) => x.epochs).join(', '), className: 'num' }),
        ]);
        tr.dataset.trial = t.name;
        return tr;
      }),
    ),
  );
  body.replaceChildren(table);
}

/** The sweep's run directories as the event stream has them: a trial training shows here first. */
function renderLiveRuns(root: HTMLElement, row: SweepRow, runs: Map<string, RunRow>): void {
  const body = section(root, 'sweep-runs', 'Runs');
  const rows = row.runs.map((id) => runs.get(id)).filter((r): r is RunRow => !!r);
  if (!rows.length) {
    // a published sweep (its summary and figures without the run directories) has finished trials and no runs here
    body.replaceChildren(el('p', { className: 'hint', text: row.running || !(row.finished ?? 0) ? 'No run started yet.' : 'None of its run directories is here: the table above is what sweep.json records of them.' }));
    return;
  }
  const table = el('table', { className: 'sweep-runs' });
  table.append(el('thead', {}, [el('tr', {}, ['run', 'status', 'epochs', 'loss', 'val loss', 'val accuracy', '--set'].map((h) => el('th', { text: h })))]));
  table.append(
    el(
      'tbody',
      {},
      rows.map((r) => {
        const tr = el('tr', {}, [
          el('td', { text: r.dir.startsWith(row.dir) ? r.dir.slice(row.dir.length + 1) : r.dir }),
          el('td', { text: r.error ? 'error' : (r.status ?? ''), className: `status-${r.error ? 'error' : r.status}` }),
          el('td', { text: r.epochs === undefined ? '' : `${r.epochs}${r.epochsPlanned ? `/${r.epochsPlanned}` : ''}`, className: 'num' }),
          el('td', { text: fmt(r.lastLoss), className: 'num' }),
          el('td', { text: fmt(r.lastValLoss), className: 'num' }),
          el('td', { text: fmt(r.lastValAccuracy), className: 'num' }),
          el('td', { text: r.error ?? r.sets.join(' ') }),
        ]);
        tr.dataset.id = r.id;
        return tr;
      }),
    ),
  );
  body.replaceChildren(table);
}

/** The sweep's own figures first, in the order a reader wants them; any other after, by name. */
const FIGURE_ORDER = ['objective', 'curves', 'parallel', 'importances'];
const rank = (name: string) => (FIGURE_ORDER.includes(name) ? FIGURE_ORDER.indexOf(name) : FIGURE_ORDER.length);

async function renderFigures(root: HTMLElement, d: SweepDetail): Promise<void> {
  const body = section(root, 'sweep-figures', 'Figures');
  d.figures.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  if (!d.figures.length) {
    // a sweep file's figures are drawn when the sweep ends or is stopped; the paper sweep's after each trial
    body.replaceChildren(el('p', { className: 'hint', text: d.row.running ? `No figures yet: the sweep draws them ${d.format === 'paper' ? 'as its trials finish' : 'when it finishes or is stopped'}.` : 'No figures.' }));
    return;
  }
  const boxes = d.figures.map((f) => {
    const box = el('figure', { className: 'vl' });
    box.dataset.figure = f.name;
    return box;
  });
  body.replaceChildren(...boxes);
  for (const [i, f] of d.figures.entries()) {
    const box = boxes[i];
    if (f.error || !f.spec || typeof f.spec !== 'object') {
      box.append(el('figcaption', { className: 'error-text', text: `${f.name}: ${f.error ?? 'not a vega-lite spec'}` }));
      continue;
    }
    const plot = el('div');
    box.append(plot, el('figcaption', { text: `${f.name}.vl.json` }));
    try {
      await drawSpec(plot, f.spec as Record<string, unknown>);
    } catch (e) {
      plot.replaceChildren(el('p', { className: 'error-text', text: `${f.name}: cannot draw it (${(e as Error).message})` }));
    }
  }
}
