import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompileResult } from '../core/compile.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { UsageError } from './errors.js';
import { describeFsError } from '../util/fs-errors.js';
import { readRegularFile } from '../util/read-regular.js';
import { DEFAULT_LIMITS } from '../passes/limits.js';

export { describeFsError };
import { didYouMean } from '../language/suggest.js';

/** Specs larger than this are refused before reading (see DEFAULT_LIMITS for why it is ample). */
export const MAX_SPEC_BYTES = DEFAULT_LIMITS.maxSpecBytes;

export function readText(path: string, what = 'file'): string {
  // a regular file, checked before reading: a FIFO would block and /dev/zero never end
  return readRegularFile(path, { maxBytes: MAX_SPEC_BYTES, what: `a ${what}`, error: (m) => new UsageError(m) }).toString('utf8');
}

/** Files and directories to a list of spec files (directories are searched for *.hwy). */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new UsageError(`cannot read '${p}': ${describeFsError(e)}`);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (statSync(child).isDirectory() || name.endsWith('.hwy')) walk(child);
      }
    } else out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

/** `--set depth=50` (repeatable) to an overrides map. */
export function parseSets(sets: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of sets ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(s);
    const value = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(value)) throw new UsageError(`--set expects NAME=NUMBER, got '${s}'`);
    out[m[1]] = value;
  }
  return out;
}

export function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function compileFile(path: string, sets: Record<string, number>): CompileResult {
  const r = compile(readText(path, 'spec'), path, { overrides: sets });
  if (r.unknownOverrides.length) {
    const known = r.source.lets.map((l) => l.name);
    const near = didYouMean(r.unknownOverrides[0], known);
    throw new UsageError(
      `--set ${r.unknownOverrides[0]}: '${path}' defines no constant '${r.unknownOverrides[0]}'` +
        (near ? `; ${near}` : known.length ? ` (it defines: ${known.join(', ')})` : ' (it defines none)'),
    );
  }
  return r;
}

export function useColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

export function printDiagnostics(r: CompileResult, opts: { errorsOnly?: boolean } = {}): void {
  const keep = (d: Diagnostic) => !opts.errorsOnly || d.severity === 'error';
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  for (const d of r.diagnostics.filter(keep)) process.stderr.write(renderDiagnostic(d, r.text, { color }) + '\n\n');
}

export function countsLine(ds: Diagnostic[]): string {
  const n = (s: string) => ds.filter((d) => d.severity === s).length;
  const part = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  return [part(n('error'), 'error'), part(n('warning'), 'warning'), part(n('info'), 'note')].join(', ');
}
