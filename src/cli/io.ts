import { existsSync, lstatSync, readFileSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompileResult } from '../core/compile.js';
import { compileExperiment, type ExperimentOverrides, type ExperimentResult } from '../core/experiment.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { UsageError } from './errors.js';
import { describeFsError } from '../util/fs-errors.js';
import { readRegularFile } from '../util/read-regular.js';
import { DEFAULT_LIMITS } from '../passes/limits.js';

export { describeFsError };
import { settingFlag, type SettingOverride } from '../lower/settings.js';
import type { ConstantValue } from '../ir/types.js';

/** Specs larger than this are refused before reading (see DEFAULT_LIMITS for why it is ample). */
export const MAX_SPEC_BYTES = DEFAULT_LIMITS.maxSpecBytes;

/** The name standard input goes by in messages, for `-`. */
export const STDIN_NAME = '<stdin>';

/** `-`: standard input, read up to the same limit as a file (a pipe may never end). */
function readStdin(): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking pipe with nothing yet: wait a little instead of spinning.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break;
      throw new UsageError(`cannot read standard input: ${describeFsError(e)}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_SPEC_BYTES) throw new UsageError(`standard input is over ${MAX_SPEC_BYTES / 2 ** 20} MiB; specs are limited to ${MAX_SPEC_BYTES / 2 ** 20} MiB`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function readText(path: string, what = 'file'): string {
  if (path === '-') return readStdin();
  // a regular file, checked before reading: a FIFO would block and /dev/zero never end
  return readRegularFile(path, { maxBytes: MAX_SPEC_BYTES, what: `a ${what}`, error: (m) => new UsageError(m) }).toString('utf8');
}

/** A spec's text, or undefined after saying on stderr why it cannot be read: one unreadable file does not stop the others. */
export function readSpecOrReport(path: string): string | undefined {
  try {
    return readText(path, 'spec');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`hwy: ${e.message}\n`);
    return undefined;
  }
}

/** Why a path cannot be read, in words (a symbolic link loop included). */
function unreadable(p: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ELOOP') return `cannot read '${p}': a loop of symbolic links`;
  if (code === 'ENOENT') {
    try {
      if (lstatSync(p).isSymbolicLink()) return `cannot read '${p}': a symbolic link to nothing`;
    } catch {
      // not a link: the path itself is missing
    }
  }
  return `cannot read '${p}': ${describeFsError(e)}`;
}

/**
 * Files and directories to a list of spec files; `-` (standard input) passes through.
 * Directories are searched for *.hwy, skipping what is not a person's spec: dot-directories,
 * node_modules and run directories (a run.json beside a copy of the spec they trained).
 * Directories are walked once each by their real path, so a symbolic link loop ends.
 * A path that cannot be read goes to `problem` (the others are still listed); without
 * `problem` it is a UsageError.
 */
export function expandPaths(paths: string[], problem?: (message: string) => void): string[] {
  const report =
    problem ??
    ((m: string) => {
      throw new UsageError(m);
    });
  const out: string[] = [];
  const walked = new Set<string>();
  const walk = (p: string, named: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      // Inside a directory, a broken link that is not a spec is none of hwy's business.
      if (named || p.endsWith('.hwy')) report(unreadable(p, e));
      return;
    }
    if (!st.isDirectory()) {
      if (named || p.endsWith('.hwy')) out.push(p);
      return;
    }
    let real: string;
    let entries;
    try {
      real = realpathSync(p);
      entries = readdirSync(p, { withFileTypes: true });
    } catch (e) {
      report(unreadable(p, e));
      return;
    }
    if (walked.has(real)) return;
    walked.add(real);
    if (!named && existsSync(join(p, 'run.json'))) return;
    for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (d.name.startsWith('.') || d.name === 'node_modules') continue;
      // Links are followed (walk stats them); plain files count only as *.hwy.
      if (d.isDirectory() || d.isSymbolicLink() || d.name.endsWith('.hwy')) walk(join(p, d.name), false);
    }
  };
  for (const p of paths) {
    if (p === '-') out.push(p);
    else walk(p, true);
  }
  return out;
}

/** `--set depth=50` (repeatable) to an overrides map; training settings are refused (the command has none). */
export function parseSets(sets: string[] | undefined): Record<string, ConstantValue> {
  const { lets, settings } = splitSets(sets);
  if (settings.length) throw new UsageError(`${settingFlag(settings[0])}: training settings are given to hwy train and hwy export; this command reads the network only`);
  return lets;
}

/**
 * `--set` values (repeatable): `NAME=NUMBER` overrides a `let` constant; `train.PATH=VALUE`
 * and `data.ATTR=VALUE` a training setting, checked by the compiler as the spec's own.
 */
export function splitSets(sets: string[] | undefined): { lets: Record<string, ConstantValue>; settings: SettingOverride[] } {
  // No prototype: `--set __proto__=3` or `--set constructor=3` must name a constant like any other.
  const lets: Record<string, ConstantValue> = Object.create(null) as Record<string, ConstantValue>;
  const settings: SettingOverride[] = [];
  for (const s of sets ?? []) {
    const setting = /^((?:train|data)\.[A-Za-z0-9_.]*)=(.*)$/s.exec(s);
    if (setting) {
      if (setting[2].trim() === '') throw new UsageError(`--set ${s}: give the setting a value, as in --set train.momentum=0.95`);
      settings.push({ path: setting[1], value: setting[2] });
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(s);
    const value = m ? constantValueOf(m[2]) : undefined;
    if (!m || value === undefined) throw new UsageError(`--set expects NAME=NUMBER or NAME=NAME (a let constant: depth=50, act=tanh) or train.SETTING=VALUE, got '${s}'`);
    lets[m[1]] = value;
  }
  return { lets, settings };
}

/** A constant's value as typed after `--set NAME=`: a finite number, or a name (`tanh`, `auto`); undefined for anything else. */
export function constantValueOf(text: string): ConstantValue | undefined {
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n)) return n;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : undefined;
}

/** The first problem of a command-line training setting, as a usage error naming the flag (the compiler reports it with the flag as its file). */
export function settingProblem(r: CompileResult): UsageError | undefined {
  const d = r.diagnostics.find((x) => x.severity === 'error' && x.span.file.startsWith('--set '));
  return d && new UsageError(`${d.span.file}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
}

export function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function compileFile(path: string, sets: Record<string, ConstantValue>, text?: string, settings?: SettingOverride[]): CompileResult {
  const r = compile(text ?? readText(path, 'spec'), path === '-' ? STDIN_NAME : path, { overrides: sets, settings });
  // an unknown constant or a bad training setting: the compiler's diagnostic names the flag
  const bad = settingProblem(r);
  if (bad) throw bad;
  return r;
}

/** Does a spec declare a sweep (a line starting `sweep NAME`)? Such a file is checked as an experiment. */
export function declaresSweep(text: string): boolean {
  return /^[ \t]*sweep[ \t]+[A-Za-z_]/m.test(text);
}

/**
 * A spec with a sweep, checked with every network it names (read beside it, as regular
 * files of at most the spec size limit). Problems of command-line values name the flag and
 * are usage errors.
 */
export function compileSweepFile(path: string, text: string, overrides: ExperimentOverrides = {}): ExperimentResult & { text: string } {
  const readFile = (p: string): string | null => {
    try {
      return readText(p, 'spec');
    } catch (e) {
      if (e instanceof UsageError) return null;
      throw e;
    }
  };
  const r = compileExperiment(text, path === '-' ? STDIN_NAME : path, { readFile, overrides });
  const flag = r.diagnostics.find((d) => d.severity === 'error' && d.span.file.startsWith('--'));
  if (flag) throw new UsageError(`${flag.span.file}: ${flag.message}${flag.hint ? ` (${flag.hint})` : ''}`);
  return { ...r, text };
}

/**
 * Colour on a stream: FORCE_COLOR decides when set (0 or false turn colour off, as in
 * Node and most tools), else a terminal that supports colour, which Node's hasColors
 * answers with NO_COLOR, NODE_DISABLE_COLORS and TERM=dumb taken into account.
 */
export function colorOn(stream: NodeJS.WriteStream): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true && typeof stream.hasColors === 'function' && stream.hasColors();
}

export function useColor(): boolean {
  return colorOn(process.stdout);
}

export function printDiagnostics(r: { diagnostics: Diagnostic[]; text: string }, opts: { errorsOnly?: boolean } = {}): void {
  const keep = (d: Diagnostic) => !opts.errorsOnly || d.severity === 'error';
  const color = colorOn(process.stderr);
  for (const d of r.diagnostics.filter(keep)) process.stderr.write(renderDiagnostic(d, r.text, { color }) + '\n\n');
}

export function countsLine(ds: Diagnostic[]): string {
  const n = (s: string) => ds.filter((d) => d.severity === s).length;
  const part = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  return [part(n('error'), 'error'), part(n('warning'), 'warning'), part(n('info'), 'note')].join(', ');
}

/**
 * A hwy command line for a hint, written so that it runs as shown: `hwy` is not on PATH
 * after `npm install` (only `npx hwy` is), and arguments with spaces or shell characters
 * are quoted for POSIX shells.
 */
export function hwyCommand(...args: string[]): string {
  return ['npx hwy', ...args.map(shellQuote)].join(' ');
}

export function shellQuote(arg: string): string {
  // Single quotes keep everything literal; a single quote itself is closed, escaped and reopened.
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
