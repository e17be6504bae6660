import { mkdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { DataError, type Splits } from '../data/index.js';
import { permutation, subset, type Dataset } from '../data/dataset.js';
import { selectBackend, type BackendChoice } from '../backends/tfjs/runtime.js';
import { loadModel } from '../backends/tfjs/checkpoint.js';
import type { RunRecord } from '../run/run-dir.js';
import { openRun } from '../run/open.js';
import { loadRunData } from '../run/data-file.js';
import { conditionNumbers, gateStats, lesionErrors } from './probes.js';
import { isSingular } from './linalg.js';
import { conditionFigure, figure2, figure3, figure4, writeFigure } from './figures.js';

export interface AnalyzeOptions {
  runDirs: string[];
  out?: string;
  /** Training examples used (a fixed random subset); all when undefined. */
  samples?: number;
  classes?: number[];
  seed?: number;
  backend?: BackendChoice;
  dataDir?: string;
  /** Preloaded data (tests). */
  data?: Splits;
  /** Which checkpoint of each run: the newest (default) or the best by its monitored metric. */
  checkpoint?: 'latest' | 'best';
  log?: (s: string) => void;
}

export interface ConditionRow {
  /** The network and the run's name (its directory's name, with as many parent folders as tell it from the others'). */
  run: string;
  index: number;
  layer: string;
  kind: string;
  /** Infinity for a singular layer. */
  condition: number;
  /** Past this the float32 activations cannot tell σmin from rounding. */
  limit: number;
  /** κ infinite or past `limit` (see isSingular): what the figure marks as singular. */
  singular: boolean;
}

export interface AnalyzeResult {
  out: string;
  figures: string[];
  notes: string[];
  /** Every weighted hidden layer of every run, as condition-numbers.json holds them. */
  conditions: ConditionRow[];
}

/** The paper's analyses of trained runs: figures 2-4 for the first run, condition numbers for all. */
export async function analyze(opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const log = opts.log ?? (() => {});
  const runs = opts.runDirs.map((dir) => {
    const { record, ir, ckpt } = openRun(dir, opts.checkpoint);
    return { dir, record, ir, ckpt, name: record.network };
  });
  const first = runs[0];
  const out = opts.out ?? join(first.dir, 'analysis');
  mkdirSync(out, { recursive: true });
  await selectBackend(opts.backend ?? 'auto');
  const seed = opts.seed ?? 1;
  const cache = new Map<string, Dataset>();
  const trainingData = async (record: RunRecord): Promise<Dataset> => {
    const key = JSON.stringify([record.config.data, record.dataFile]);
    if (!cache.has(key)) {
      const run = runs.find((r) => r.record === record)!;
      const splits = opts.data ?? (await loadRunData(record, run.dir, 'analyze', opts.dataDir, { network: run.ir }));
      const d = splits.train;
      cache.set(key, opts.samples && opts.samples < d.count ? subset(d, permutation(d.count, seed).subarray(0, opts.samples), 'train') : d);
    }
    return cache.get(key)!;
  };
  const figures: string[] = [];
  const notes: string[] = [];
  const d = await trainingData(first.record);
  const missing = (opts.classes ?? []).filter((c) => c >= d.classes);
  if (missing.length) throw new DataError(`--classes ${missing.join(',')}: the data of ${first.dir} has classes 0-${d.classes - 1} only`);
  const model = await loadModel(first.ckpt);
  log(`analysing ${first.dir} (${first.name}) on ${d.count} training examples`);
  const sampleIndex = permutation(d.count, seed + 7)[0];
  const gates = await gateStats(model, first.ir, d, sampleIndex);
  if (!gates) {
    const msg = `${first.name} has no highway layers, so there are no gates to show (figures 2-4 need highway layers); writing the condition numbers, which apply to any network`;
    notes.push(msg);
    log(msg);
  } else {
    await writeFigure(join(out, 'figure2-gates'), figure2(gates, first.name), gates);
    figures.push('figure2-gates');
    const classes = opts.classes ?? [0, 1, 2, 3].filter((c) => c < d.classes);
    const f3 = figure3(gates, classes, first.name);
    await writeFigure(join(out, 'figure3-routing'), f3.spec, f3.data);
    figures.push('figure3-routing');
    log('lesioning every highway layer in turn…');
    const lesion = await lesionErrors(model, first.ir, d, (k, n) => {
      if (k % 10 === 0 || k === n) log(`  ${k}/${n}`);
    });
    await writeFigure(join(out, 'figure4-lesioning'), figure4(lesion, first.name), lesion);
    figures.push('figure4-lesioning');
  }
  model.dispose();
  const rows: ConditionRow[] = [];
  const labels = runLabels(runs.map((r) => r.dir));
  for (const [k, r] of runs.entries()) {
    const m = await loadModel(r.ckpt);
    const data = await trainingData(r.record);
    for (const c of await conditionNumbers(m, r.ir, data)) rows.push({ run: `${r.name} (${labels[k]})`, ...c, singular: isSingular(c.condition, c.limit) });
    m.dispose();
  }
  await writeFigure(join(out, 'condition-numbers'), conditionFigure(rows), rows);
  figures.push('condition-numbers');
  for (const f of figures) log(`wrote ${join(out, f)}.svg, .png and .json`);
  return { out, figures, notes, conditions: rows };
}

/**
 * Names for runs in a legend: each directory's own name (`runs/highway-1000` is
 * `highway-1000`), with parent folders added only where two would read the same
 * (`a/run`, `b/run`). Paths such as /tmp/tmp.x1y2/run say where a run was, not which it is.
 */
export function runLabels(dirs: string[]): string[] {
  const parts = dirs.map((d) => resolve(d).split(sep).filter(Boolean));
  const label = (p: string[], n: number) => p.slice(-n).join('/') || '/';
  const depth = dirs.map(() => 1);
  for (let round = 0; round < 64; round++) {
    const names = parts.map((p, i) => label(p, depth[i]));
    const clash = names.map((n, i) => names.some((m, j) => j !== i && m === n && parts[i].join('/') !== parts[j].join('/')));
    if (!clash.some(Boolean)) return names;
    clash.forEach((c, i) => {
      if (c && depth[i] < parts[i].length) depth[i]++;
    });
  }
  return parts.map((p) => label(p, p.length));
}
