// One row of the sweeps table: what sweep.json says of a sweep's progress (it is rewritten
// after each finished trial, so a running sweep is read too), the trials recorded under
// trials/, and which of the runs found belong to it. Read as the runs are: bounded, no
// links followed, a damaged file an error row.
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
}

export function readSweepRow(found: FoundDir, runs: FoundDir[]): SweepRow {
  const row: SweepRow = { id: found.id, dir: found.dir, name: basename(found.dir), trials: 0, runs: runs.filter((r) => inside(found.real, r.real)).map((r) => r.id) };
  try {
    const t = join(found.real, 'trials');
    if (lstatSync(t, { throwIfNoEntry: false })?.isDirectory()) row.trials = readdirSync(t).filter((n) => n.endsWith('.json')).length;
    const path = join(found.real, 'sweep.json');
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw new Error(`${path} is a symbolic link: not followed`);
    if (st) {
      const buf = readRegularFile(path, { maxBytes: MAX_SWEEP_JSON, what: 'a sweep summary', error: (m) => new Error(m) });
      let j: Record<string, unknown>;
      try {
        j = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`${path} is not valid JSON (${(e as Error).message}): damaged, or being written`);
      }
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
