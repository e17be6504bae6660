import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/core/compile.js';
import { hwyLexer } from '../../src/parser/lexer.js';
import { splitLines } from '../../src/diagnostics/lines.js';
import { ROOT, specFiles } from '../helpers.js';

const specs = specFiles().map((f) => readFileSync(join(ROOT, f), 'utf8'));

/** Every diagnostic must point inside the text, 1-based, start before end. */
function wellFormed(text: string, r: ReturnType<typeof compile>): void {
  // a line ends at \n, \r\n or a lone \r, as the compiler reads it
  const lines = splitLines(text).length;
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^HWY\d{4}$/);
    expect(d.code).not.toBe('HWY9000');
    expect(d.span.start.line).toBeGreaterThanOrEqual(1);
    expect(d.span.start.col).toBeGreaterThanOrEqual(1);
    expect(d.span.start.line).toBeLessThanOrEqual(lines);
    expect(d.span.end.offset).toBeGreaterThanOrEqual(d.span.start.offset);
    expect(d.span.start.offset).toBeLessThanOrEqual(text.length);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

/** Token-level mutations of real specs: delete, duplicate, swap or replace a token. */
const mutated = fc
  .tuple(fc.constantFrom(...specs), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('delete', 'dup', 'swap', 'replace')), { minLength: 1, maxLength: 6 }), fc.constantFrom('}', '{', '=', 'x', 'repeat', 'highway', '-', '1e9', '0', '(', 'dense', '\n', '[', 'flatten', '#'))
  .map(([text, edits, junk]) => {
    const toks = hwyLexer.tokenize(text).tokens.map((t) => ({ s: t.startOffset, e: t.startOffset + t.image.length }));
    let out = text;
    for (const [i, j, op] of edits) {
      if (toks.length === 0) break;
      const a = toks[i % toks.length];
      const b = toks[j % toks.length];
      if (a.e > out.length || b.e > out.length) continue;
      const ta = out.slice(a.s, a.e);
      const tb = out.slice(b.s, b.e);
      if (op === 'delete') out = out.slice(0, a.s) + out.slice(a.e);
      else if (op === 'dup') out = out.slice(0, a.e) + ' ' + ta + out.slice(a.e);
      else if (op === 'replace') out = out.slice(0, a.s) + junk + out.slice(a.e);
      else if (a.e <= b.s) out = out.slice(0, a.s) + tb + out.slice(a.e, b.s) + ta + out.slice(b.e);
    }
    return out;
  });

describe('bad input never crashes, hangs or throws', () => {
  it('token mutations of every spec in specs/ give diagnostics with valid spans', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        const r = compile(text, 'm.hwy');
        wellFormed(text, r);
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary strings, including binary junk and unicode', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.uint8Array().map((a) => Buffer.from(a).toString('latin1'))), (text) => {
        wellFormed(text, compile(text, 'r.hwy'));
      }),
      { numRuns: 400 },
    );
  });

  it('every prefix of a spec (a truncated file) gives diagnostics, not a crash', () => {
    const text = specs[0];
    for (let i = 0; i <= text.length; i += 7) wellFormed(text.slice(0, i), compile(text.slice(0, i), 't.hwy'));
  });

  it('the empty file and whitespace-only files say there is no network', () => {
    for (const t of ['', '\n\n', '   # only a comment\n']) {
      const r = compile(t, 'e.hwy');
      expect(r.diagnostics.map((d) => d.code)).toEqual(['HWY2008']);
    }
  });

  it('deeply nested repeats and parentheses are refused, not a stack overflow', () => {
    const deep = 'network n {\n  input 4\n' + 'repeat 1 {\n'.repeat(50_000) + '}\n'.repeat(50_000) + '}\n';
    expect(compile(deep, 'd.hwy').diagnostics.map((d) => d.code)).toEqual(['HWY1003']);
    const parens = 'let a = ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000) + '\n';
    expect(compile(parens, 'p.hwy').diagnostics.map((d) => d.code)).toContain('HWY1003');
    const signs = 'let a = ' + '-'.repeat(200_000) + '1\nnetwork n {\n  input a\n}\n';
    expect(compile(signs, 's.hwy').ok).toBe(true);
  });

  it('a huge file of valid blocks compiles, and a huge file of junk is capped at 100 errors', () => {
    const big = 'network n {\n  input 8\n' + '  highway dense gate_bias=-2\n'.repeat(50_000) + '}\n';
    const r = compile(big, 'b.hwy');
    expect(r.ok).toBe(true);
    expect(r.ir!.layers.length).toBe(50_001);
    const junk = '@'.repeat(10) + ' $\n'.repeat(100_000);
    const j = compile(junk, 'j.hwy');
    expect(j.diagnostics.filter((d) => d.severity === 'error').length).toBeLessThanOrEqual(100);
    expect(j.diagnostics.at(-1)!.code).toBe('HWY1004');
  });

  it('absurd numbers are errors with locations', () => {
    for (const t of ['network n {\n  input 1e400\n}\n', 'network n {\n  input 10\n  dense 1e300 * 1e300\n}\n', 'network n {\n  input 0x5\n}\n']) {
      const r = compile(t, 'a.hwy');
      expect(r.ok).toBe(false);
      wellFormed(t, r);
    }
  });
});

describe('a UTF-8 byte-order mark at the start of a spec', () => {
  const spec = 'network n {\n  input 4\n  dense 2 softmax\n}\n';

  it('is ignored: the spec compiles as without it, with the same layers', () => {
    const plain = compile(spec, 'a.hwy');
    const bom = compile('\uFEFF' + spec, 'a.hwy');
    expect(bom.diagnostics).toEqual([]);
    expect(bom.ok).toBe(true);
    expect(bom.ir?.layers.map((l) => l.kind)).toEqual(plain.ir?.layers.map((l) => l.kind));
  });

  it('still counts for columns: an error on the first line is placed where an editor shows it', () => {
    const r = compile('\uFEFFnetwork n {\n  input 4\n  dense 2 softmax\n}\nnetwork n {\n}\n', 'a.hwy');
    expect(r.diagnostics.every((d) => !/unexpected character/.test(d.message))).toBe(true);
    const bad = compile('\uFEFFnetwork n { ? }\n', 'a.hwy');
    const d = bad.diagnostics.find((x) => /unexpected character/.test(x.message));
    expect(d?.span.start).toMatchObject({ line: 1, col: 14, offset: 13 });
  });
});
