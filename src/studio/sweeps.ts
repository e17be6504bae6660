// One row of the sweeps table: what sweep.json says of a sweep's progress (it is rewritten
// after each finished trial, so a running sweep is read too), the trials recorded under
// trials/, and which of the runs found belong to it; and a sweep's page: its trials (every
// one sweep.json records) and the figures saved beside it as vega-lite specs, which the page
// draws. Read as the runs are: bounded, no links followed, a damaged file an error row.
import { lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readRegularFile } from '../util/read-regular.js';
import { inside, type FoundDir } from './scan.js';

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
  /** Changes whenever sweep.json, trials/ or a figure changes: the page then fetches the sweep again. */
  version: string;
}

export function readSweepRow(found: FoundDir, runs: FoundDir[]): SweepRow {
  const row: SweepRow = { id: found.id, dir: found.dir, name: basename(found.dir), trials: 0, runs: runs.filter((r) => inside(found.real, r.real)).map((r) => r.id), version: '' };
  try {
    const t = join(found.real, 'trials');
    if (lstatSync(t, { throwIfNoEntry: false })?.isDirectory()) row.trials = readdirSync(t).filter((n) => n.endsWith('.json')).length;
    row.version = `${row.trials}:${figureFiles(found.real).map((f) => `${f.name}@${f.mtimeMs}`).join(',')}`;
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
  /** sweep.json as written (trials, groups, verdicts, objective), once the first trial finished. */
  summary?: Record<string, unknown>;
  figures: SweepFigure[];
}

/** What a sweep's page shows: its row, its summary with every finished trial, its figures. */
export function readSweepDetail(found: FoundDir, runs: FoundDir[]): SweepDetail {
  const row = readSweepRow(found, runs);
  const out: SweepDetail = { row, figures: [] };
  try {
    const j = readSweepJson(found.real);
    if (j) {
      const { mtimeMs: _, ...summary } = j;
      out.summary = summary;
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
