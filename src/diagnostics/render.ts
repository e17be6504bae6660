import type { Diagnostic, Severity } from './types.js';
import { splitLines } from './lines.js';

/**
 * The word a person reads for a severity. Diagnostics keep 'info' as their data value (the
 * JSON output and the language server's Information level), but every text says "note",
 * as the counts line of `hwy check` and the summaries do.
 */
export function severityWord(s: Severity): string {
  return s === 'info' ? 'note' : s;
}

export interface RenderOptions {
  color?: boolean;
}

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', blue: '\x1b[34m', bold: '\x1b[1m', reset: '\x1b[0m' };

/** `file:line:col: error HWY1234: message`, a code frame with a caret underline, then hint and notes (tsc/rustc style). */
export function renderDiagnostic(d: Diagnostic, text: string, opts: RenderOptions = {}): string {
  const c = (code: keyof typeof ANSI, s: string) => (opts.color ? ANSI[code] + s + ANSI.reset : s);
  const sevColor = d.severity === 'error' ? 'red' : d.severity === 'warning' ? 'yellow' : 'cyan';
  const { file, start } = d.span;
  const out: string[] = [`${c('bold', `${file}:${start.line}:${start.col}`)}: ${c(sevColor, `${severityWord(d.severity)} ${d.code}`)}: ${d.message}`];
  out.push(...frame(d, text, c, sevColor));
  // '=' sits under the frame's '|', however wide the line number is.
  const pad = ' '.repeat(String(start.line).length);
  if (d.hint) out.push(`${c('blue', `${pad} = hint:`)} ${d.hint}`);
  for (const r of d.related ?? []) {
    out.push(`${c('blue', `${pad} = note:`)} ${r.message} (${r.span.file}:${r.span.start.line}:${r.span.start.col})`);
  }
  return out.join('\n');
}

function frame(d: Diagnostic, text: string, c: (k: keyof typeof ANSI, s: string) => string, sevColor: keyof typeof ANSI): string[] {
  const lines = splitLines(text);
  const { start, end } = d.span;
  const lineText = lines[start.line - 1];
  if (lineText === undefined) return [];
  // Tabs become spaces and control characters a visible mark, so the caret column stays right.
  // eslint-disable-next-line no-control-regex
  const shown = lineText.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f]/g, '\u2426');
  const clipped = shown.length > 160 ? shown.slice(0, 160) + '…' : shown;
  const endCol = end.line === start.line ? Math.max(end.col, start.col + 1) : shown.length + 1;
  const width = Math.max(1, Math.min(endCol, clipped.length + 2) - start.col);
  const gutter = String(start.line);
  const pad = ' '.repeat(gutter.length);
  return [
    `${pad} ${c('blue', '|')}`,
    `${c('blue', gutter + ' |')} ${clipped}`,
    `${pad} ${c('blue', '|')} ${' '.repeat(Math.max(0, start.col - 1))}${c(sevColor, '^'.repeat(width))}`,
  ];
}

/** One line per diagnostic, no frame: for logs and summaries. */
export function renderShort(d: Diagnostic): string {
  return `${d.span.file}:${d.span.start.line}:${d.span.start.col}: ${severityWord(d.severity)} ${d.code}: ${d.message}`;
}
