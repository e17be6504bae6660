// One row of the sweeps table: what sweep.json says of a sweep's progress (it is rewritten
// after each finished trial, so a running sweep is read too), the trials recorded under
// trials/, and which of the runs found belong to it; and a sweep's page: its trials (every
// one sweep.json records) and the figures saved beside it as vega-lite specs, which the page
// draws. Read as the runs are: bounded, no links followed, a damaged file an error row.
import { lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readRegularFile } from '../util/read-regular.js';
import { inside, type FoundDir } from './scan.js';
import { lockHeld } from './runs.js';

const MAX_SWEEP_JSON = 32 * 2 ** 20;

export interface SweepRow {
  id: string;
  dir: string;
  error?: string;
  name: string;
  engine?: string;
  complete?: boolean;
  finished?: number;
  total?: number;
  /** Finished trials recorded under trials/. */
  trials: number;
  /** The ids of the runs found inside the sweep directory. */
  runs: string[];
  /** A live process holds the sweep directory's lock, or one of its runs': the sweep is training now. */
  running: boolean;
  /** Changes whenever sweep.json, trials/ or a figure changes: the page then fetches the sweep again. */
  version: string;
}

export function readSweepRow(found: FoundDir, runs: FoundDir[]): SweepRow {
  const mine = runs.filter((r) => inside(found.real, r.real));
  const row: SweepRow = { id: found.id, dir: found.dir, name: basename(found.dir), trials: 0, runs: mine.map((r) => r.id), running: false, version: '' };
  try {
    // the sweep's lock, or (a sweep sharing an Optuna study takes none) one of its runs' locks
    row.running = lockHeld(found.real) || mine.some((r) => lockHeld(r.real));
    const t = join(found.real, 'trials');
    if (lstatSync(t, { throwIfNoEntry: false })?.isDirectory()) row.trials = readdirSync(t).filter((n) => n.endsWith('.json')).length;
    row.version = `${row.running ? 'running' : 'idle'}:${row.trials}:${figureFiles(found.real).map((f) => `${f.name}@${f.mtimeMs}`).join(',')}`;
    const j = readSweepJson(found.real);
    if (j) {
      row.version += `:${j.mtimeMs}`;
      if (typeof j?.sweep === 'string') row.name = j.sweep;
      if (typeof j?.engine === 'string') row.engine = j.engine;
      if (typeof j?.complete === 'boolean') row.complete = j.complete;
      if (typeof j?.finished === 'number') row.finished = j.finished;
      if (typeof j?.total === 'number') row.total = j.total;
    }
  } catch (e) {
    row.error = e instanceof Error ? e.message : String(e);
  }
  return row;
}

const sweepJsonCache = new Map<string, { key: string; value: Record<string, unknown> }>();

/** sweep.json parsed (again only when it changed), or undefined while there is none. */
function readSweepJson(real: string): (Record<string, unknown> & { mtimeMs: number }) | undefined {
  const path = join(real, 'sweep.json');
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (st.isSymbolicLink()) throw new Error(`${path} is a symbolic link: not followed`);
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  let hit = sweepJsonCache.get(path);
  if (!hit || hit.key !== key) {
    const buf = readRegularFile(path, { maxBytes: MAX_SWEEP_JSON, what: 'a sweep summary', error: (m) => new Error(m) });
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${path} is not valid JSON (${(e as Error).message}): damaged, or being written`);
    }
    if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error(`${path} is not a sweep summary (not a JSON object)`);
    // one entry a sweep: a sweep directory's summary is at most MAX_SWEEP_JSON
    if (sweepJsonCache.size > 64) sweepJsonCache.clear();
    sweepJsonCache.set(path, (hit = { key, value: j }));
  }
  return { ...hit.value, mtimeMs: st.mtimeMs };
}

/** A figure is at most this large (its data is inside the spec); at most MAX_FIGURES of them. */
const MAX_FIGURE = 8 * 2 ** 20;
const MAX_FIGURES = 24;

/** The vega-lite specs (NAME.vl.json) saved in the sweep directory itself, by name. */
function figureFiles(real: string): { name: string; path: string; mtimeMs: number }[] {
  let names: string[];
  try {
    names = readdirSync(real).filter((n) => n.endsWith('.vl.json')).sort();
  } catch {
    return [];
  }
  return names.slice(0, MAX_FIGURES).flatMap((n) => {
    const st = lstatSync(join(real, n), { throwIfNoEntry: false });
    return st?.isFile() ? [{ name: n.slice(0, -'.vl.json'.length), path: join(real, n), mtimeMs: st.mtimeMs }] : [];
  });
}

export interface SweepFigure {
  name: string;
  /** The vega-lite spec as saved (its data inside), or why it cannot be shown. */
  spec?: unknown;
  error?: string;
}

export interface SweepDetail {
  row: SweepRow;
  /** Which sweep wrote sweep.json: a sweep file's (hwy sweep FILE) or the paper's figure 1 (hwy sweep without a file). */
  format?: 'file' | 'paper';
  /**
   * sweep.json as written, once the first trial finished; the paper sweep's given the
   * fields a sweep file's has too (verdicts from its claims, trials from its rows), and
   * a partial sweep's "run the same command again" replaced while it is still running.
   */
  summary?: Record<string, unknown>;
  figures: SweepFigure[];
}

/** A trial as the sweep page lists it (a sweep file's trial record, or a paper sweep's row made one). */
export interface SweepTrial {
  name: string;
  group: string;
  params: Record<string, unknown>;
  point?: { network?: string; values?: Record<string, unknown> };
  status: string;
  objective: number | null;
  std: number | null;
  runs: { seed?: number; epochs: number; run: string; status: string }[];
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What the sweep says of its progress: finished, running now, or stopped with trials left. */
function progressLine(complete: boolean, finished: number, total: number, running: boolean): string {
  if (complete) return `All ${plural(total, 'trial')} finished.`;
  if (running) return `Running: ${finished} of ${plural(total, 'trial')} finished; the others are training or waiting their turn.`;
  return `Partial: ${finished} of ${plural(total, 'trial')} finished; run the same command again to continue.`;
}

/** The paper sweep's sweep.json (rows, best, claims) given a sweep file's fields: verdicts and trials. */
function paperSummary(j: Record<string, unknown>, running: boolean): Record<string, unknown> {
  type Row = { network?: string; kind?: string; depth?: number; trial?: number; runDir?: string; settings?: Record<string, unknown> | null; finalLoss?: number | null; epochs?: number; stopped?: string };
  type Claim = { claim?: string; status?: string; why?: string; detail?: string };
  const rows = (Array.isArray(j.rows) ? j.rows : []) as Row[];
  const claims = (Array.isArray(j.claims) ? j.claims : []) as Claim[];
  const total = typeof j.total === 'number' ? j.total : rows.length;
  const ratio = j.ratio as { depth?: number; plainOverHighway?: number } | undefined;
  const verdicts = [progressLine(j.complete === true, rows.length, total, running)];
  if (ratio && typeof ratio.plainOverHighway === 'number') verdicts.push(`Final training loss, plain-${ratio.depth} / highway-${ratio.depth}: ${Number(ratio.plainOverHighway.toPrecision(3))}x (the paper: more than 100x).`);
  for (const c of claims) verdicts.push(`${c.claim}: ${c.status}${c.why ? ` (${c.why})` : ''}. ${c.detail ?? ''}`.trim());
  const status = (r: Row) => (r.stopped === 'max-epochs' ? 'capped' : r.stopped === 'diverged' ? 'diverged' : 'done');
  const trials: SweepTrial[] = rows.map((r) => ({
    name: r.runDir ?? String(r.network),
    group: r.network ?? `${r.kind}-${r.depth}`,
    params: r.settings ?? {},
    point: { network: r.kind, values: { depth: r.depth } },
    status: status(r),
    objective: typeof r.finalLoss === 'number' ? r.finalLoss : null,
    std: null,
    runs: [{ epochs: r.epochs ?? 0, run: r.runDir ?? '', status: status(r) }],
  }));
  return { ...j, objective: { metric: 'loss', direction: 'minimize', reduce: 'final' }, ...(typeof j.trials === 'number' && j.trials > 1 ? { sampler: 'random' } : {}), verdicts, trials };
}

/** What a sweep's page shows: its row, its summary with every finished trial, its figures. */
export function readSweepDetail(found: FoundDir, runs: FoundDir[]): SweepDetail {
  const row = readSweepRow(found, runs);
  const out: SweepDetail = { row, figures: [] };
  try {
    const j = readSweepJson(found.real);
    if (j) {
      const { mtimeMs: _, ...summary } = j;
      // the paper sweep's file has claims and rows where a sweep file's has verdicts and trials
      out.format = Array.isArray(summary.rows) && Array.isArray(summary.claims) && !Array.isArray(summary.trials) ? 'paper' : 'file';
      if (out.format === 'paper') out.summary = paperSummary(summary, row.running);
      else {
        // sweep.json is written after each trial as if the sweep had stopped there: while it runs, say so
        const verdicts = Array.isArray(summary.verdicts) ? (summary.verdicts as unknown[]) : [];
        const finished = typeof summary.finished === 'number' ? summary.finished : 0;
        const total = typeof summary.total === 'number' ? summary.total : 0;
        out.summary = { ...summary, verdicts: verdicts.map((v) => (row.running && typeof v === 'string' && v.startsWith('Partial: ') ? progressLine(false, finished, total, true) : v)) };
      }
    }
  } catch {
    // the row says what is wrong
  }
  for (const f of figureFiles(found.real)) {
    try {
      const spec = JSON.parse(readRegularFile(f.path, { maxBytes: MAX_FIGURE, what: 'a figure', error: (m) => new Error(m) }).toString('utf8')) as unknown;
      out.figures.push({ name: f.name, spec });
    } catch (e) {
      out.figures.push({ name: f.name, error: (e as Error).message });
    }
  }
  return out;
}
