// A run's settings by name, for grouping, scatter plots and parallel coordinates: the
// training settings of its record, then each --set as NAME=VALUE (numbers as numbers).
import type { RunRow } from '../runs.js';

const FIXED: Record<string, (r: RunRow) => string | number | undefined> = {
  network: (r) => r.network,
  optimizer: (r) => r.optimizer,
  lr: (r) => r.lr,
  batch: (r) => r.batch,
  seed: (r) => r.seed,
  engine: (r) => r.engine,
  device: (r) => r.device,
  data: (r) => r.data,
};

const parsed = new WeakMap<RunRow, Map<string, string | number>>();

/** The --set of a run as name → value (the last given wins, as in hwy train); parsed once a row. */
export function setsOf(r: RunRow): Map<string, string | number> {
  const hit = parsed.get(r);
  if (hit) return hit;
  const out = new Map<string, string | number>();
  parsed.set(r, out);
  for (const s of r.sets) {
    const i = s.indexOf('=');
    if (i <= 0) continue;
    const v = s.slice(i + 1);
    out.set(s.slice(0, i), v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);
  }
  return out;
}

/** Every setting name the runs have: the fixed ones, then the --set names, sorted. */
export function settingNames(runs: Iterable<RunRow>): string[] {
  const sets = new Set<string>();
  for (const r of runs) for (const k of setsOf(r).keys()) sets.add(k);
  return [...Object.keys(FIXED), ...[...sets].sort().map((k) => `set:${k}`)];
}

export function settingLabel(name: string): string {
  return name.startsWith('set:') ? name.slice(4) : name;
}

export function settingOf(r: RunRow, name: string): string | number | undefined {
  if (name.startsWith('set:')) return setsOf(r).get(name.slice(4));
  return FIXED[name]?.(r);
}

/** The metrics a row has, for a scatter plot's y and parallel coordinates. */
export const ROW_METRICS: { key: keyof RunRow; label: string }[] = [
  { key: 'bestValAccuracy', label: 'best val accuracy' },
  { key: 'bestValLoss', label: 'best val loss' },
  { key: 'lastValAccuracy', label: 'val accuracy' },
  { key: 'lastValLoss', label: 'val loss' },
  { key: 'lastAccuracy', label: 'accuracy' },
  { key: 'lastLoss', label: 'loss' },
  { key: 'epochs', label: 'epochs' },
];
