import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');

/**
 * Imports the table does not allow yet, each with why; the test fails when one is no
 * longer there, so an exception ends with the change that removes it.
 */
/** Imports that break the table for now, each with the change that will end it (none today: the engines take a RunSink). */
const EXCEPTIONS: { from: string; to: string; why: string }[] = [];

/** The part of src/ a file belongs to: its top folder, or its name for a file at the top. */
function partOf(file: string): string {
  const rel = relative(SRC, file).split(sep);
  return rel.length > 1 ? rel[0] : rel[0].replace(/\.ts$/, '');
}

/** The README's import table: part -> the parts it may import ('*': all). */
function readRules(): Map<string, Set<string> | '*'> {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('### Import rules'));
  const rules = new Map<string, Set<string> | '*'>();
  for (const line of section.split('\n')) {
    const m = /^\| (`[^|]+`) \| ([^|]+) \|$/.exec(line.trim());
    if (!m) {
      if (rules.size && !line.startsWith('|')) break; // the end of the table
      continue;
    }
    const parts = [...m[1].matchAll(/`([^`]+)`/g)].map((x) => x[1]);
    const allowed = m[2].trim();
    const value = allowed.startsWith('everything') ? '*' : new Set(allowed === '—' ? [] : allowed.split(',').map((s) => s.trim()));
    for (const p of parts) rules.set(p, value);
  }
  return rules;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : n.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of a file (static, dynamic, re-exports, type-only), as the TypeScript scanner reads them. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((f) => f.startsWith('.'))
    .map((f) => resolve(dirname(file), f.replace(/\.js$/, '.ts')));
}

describe('import rules (README, Layout)', () => {
  const rules = readRules();
  const files = sourceFiles(SRC);
  const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));
  const rel = (p: string) => relative(ROOT, p).split(sep).join('/');
  const excepted = (from: string, to: string) => EXCEPTIONS.some((e) => e.from === rel(from) && e.to === rel(to));

  it('reads a table that names every part of src/', () => {
    expect(rules.get('passes')).toBeInstanceOf(Set); // the table was found and parsed
    const parts = [...new Set(files.map(partOf))].sort();
    expect(parts.filter((p) => !rules.has(p))).toEqual([]);
  });

  it('every import between parts is one the table allows', () => {
    const broken = edges
      .filter(({ from, to }) => {
        const [a, b] = [partOf(from), partOf(to)];
        const allowed = rules.get(a);
        return a !== b && allowed !== '*' && !allowed?.has(b) && !excepted(from, to);
      })
      .map(({ from, to }) => `${rel(from)} imports ${rel(to)} (${partOf(from)} may import: ${[...((rules.get(partOf(from)) as Set<string>) ?? [])].join(', ') || 'nothing'})`);
    expect(broken).toEqual([]);
  });

  it('each exception is still needed (remove it with the change that ends it)', () => {
    for (const e of EXCEPTIONS) {
      expect(edges.some(({ from, to }) => rel(from) === e.from && rel(to) === e.to), `${e.from} -> ${e.to}: ${e.why}`).toBe(true);
    }
  });

  it("no code outside the kind definitions reads a kind's family from its name", () => {
    // `l.kind.startsWith('highway_')` is what the flags in src/language/kinds.ts replace: a
    // new gated kind would be missed by every such test, and the type checker cannot tell.
    const spelled = /startsWith\(\s*['"](highway|residual)|endsWith\(\s*['"]_?(dense|conv)['"]|['"](highway|residual)_['"]/;
    const found = files
      .filter((f) => rel(f) !== 'src/language/kinds.ts')
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').map((line, i) => ({ f, line, i })))
      .filter(({ line }) => spelled.test(line))
      .map(({ f, i }) => `${rel(f)}:${i + 1}`);
    expect(found).toEqual([]);
  });

  it('backends and the language server do not reach into the passes', () => {
    // The rule this layout exists for, stated on its own so that loosening the table shows up here.
    const bad = edges.filter(({ from, to }) => ['backends', 'lsp'].includes(partOf(from)) && ['passes', 'run', 'cli'].includes(partOf(to)) && !excepted(from, to));
    expect(bad.map(({ from, to }) => `${rel(from)} -> ${rel(to)}`)).toEqual([]);
  });
});
