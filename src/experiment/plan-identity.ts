// A sweep's identity, so a study (or a sweep directory) made by one sweep is never continued
// by another: the checked plan as canonical JSON with its spec paths made relative to the
// sweep's own file (the same sweep checked out in another directory, or on another machine
// sharing the study, is the same sweep), and its SHA-256.
import { createHash } from 'node:crypto';
import { basename, dirname, relative } from 'node:path';
import type { ExperimentPlan } from '../ir/experiment.js';

/** JSON with object keys sorted at every level (the plan is plain JSON). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface PlanIdentity {
  hash: string;
  /** The canonical JSON the hash is of (kept in the study, so a refusal can name the difference). */
  plan: string;
}

export function planIdentity(plan: ExperimentPlan): PlanIdentity {
  const home = dirname(plan.file);
  const portable = {
    ...plan,
    file: basename(plan.file),
    networks: plan.networks.map((n) => ({ ...n, specFile: relative(home, n.specFile).split('\\').join('/') })),
  };
  const text = canonical(portable);
  return { hash: createHash('sha256').update(text).digest('hex'), plan: text };
}

function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A named list element's name (grid axes, space params, networks): paths read `grid.depth.values`, not `grid[0].values`. */
function nameOf(v: unknown): string | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string') return o.name;
    if (typeof o.label === 'string') return o.label;
  }
  return undefined;
}

/**
 * Where two plans (parsed canonical JSON) first differ, as "PATH: A there, B here", or null
 * when they are the same. `there` is the stored one.
 */
export function planDifference(there: unknown, here: unknown, path = ''): string | null {
  const at = path || 'the plan';
  if (Array.isArray(there) && Array.isArray(here)) {
    const named = there.every((x) => nameOf(x) !== undefined) && here.every((x) => nameOf(x) !== undefined);
    if (named) {
      const a = there.map(nameOf);
      const b = here.map(nameOf);
      if (a.join('\0') !== b.join('\0')) return `${at}: ${show(a)} there, ${show(b)} here`;
      for (let i = 0; i < there.length; i++) {
        const d = planDifference(there[i], here[i], `${path}.${a[i]}`);
        if (d) return d;
      }
      return null;
    }
    // lists of values (grid values, choices, seeds) are shown whole; lists of objects element by element
    const scalars = [...there, ...here].every((x) => x === null || typeof x !== 'object');
    if (scalars || there.length !== here.length) return canonical(there) === canonical(here) ? null : `${at}: ${show(there)} there, ${show(here)} here`;
    for (let i = 0; i < there.length; i++) {
      const d = planDifference(there[i], here[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (there && here && typeof there === 'object' && typeof here === 'object' && !Array.isArray(there) && !Array.isArray(here)) {
    const a = there as Record<string, unknown>;
    const b = here as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = planDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  return canonical(there) === canonical(here) ? null : `${at}: ${show(there)} there, ${show(here)} here`;
}
