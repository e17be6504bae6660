import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile } from '../../src/core/compile.js';
import { hwyLexer } from '../../src/parser/lexer.js';
import { DEFAULT_LIMITS, measureSpec } from '../../src/passes/limits.js';
import { net } from '../helpers.js';

const codesOf = (text: string, limits = {}) => compile(text, 'big.hwy', { limits }).diagnostics.map((d) => d.code);

describe('spec size is bounded before parsing', () => {
  it('a spec over the byte limit is one HWY4004 error naming the file and the limit, not a parse', () => {
    // a comment is one token: without the byte check this parses in milliseconds and passes
    const text = net('dense 10') + '# ' + 'x'.repeat(DEFAULT_LIMITS.maxSpecBytes) + '\n';
    const r = compile(text, 'big.hwy');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['HWY4004']);
    expect(r.diagnostics[0].message).toMatch(/^'big\.hwy' is 8\.0 MiB; specs are limited to 8\.0 MiB$/);
    expect(r.ok).toBe(false);
    expect(r.ast.items).toEqual([]); // nothing was parsed
  });

  it('lines and words-and-symbols are bounded too (blank lines, dense junk)', () => {
    const lines = 'network n {\n  input 10\n' + '\n'.repeat(DEFAULT_LIMITS.maxSpecLines) + '}\n';
    expect(compile(lines, 'big.hwy').diagnostics.map((d) => d.message)).toEqual([`'big.hwy' has 250,003 lines; specs are limited to 250,000`]);
    const junk = net('dense 1 1 1 1 1 1 1 1 1\n'.repeat(1000)); // 11 tokens a line
    expect(codesOf(junk, { maxSpecTokens: 5000 })).toEqual(['HWY4004']);
    expect(compile(junk, 'big.hwy', { limits: { maxSpecTokens: 5000 } }).diagnostics[0].message).toMatch(/'big\.hwy' has 11,0\d\d words and symbols; specs are limited to 5,000/);
  });

  it('the word count is never below the lexer\'s token count (so the bound holds for the parser)', () => {
    const piece = fc.constantFrom('network', 'n', '{', '}', '\n', ' ', '  ', 'dense', '10', '1.5', '-2', 'x', '28x28x1', 'gate_bias=-2', '# note', '(', ')', '[', ']', ',', '*', '/', '%', '+', '\t', '\r\n', 'é', '"s p"', '@');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        const { tokens } = hwyLexer.tokenize(text);
        expect(measureSpec(text).tokens).toBeGreaterThanOrEqual(tokens.length);
      }),
      { numRuns: 300 },
    );
  });

  it('a 100,000-layer network written out a line a layer is within every limit', () => {
    const text = 'network n {\n  input 64\n' + '  highway dense relu\n'.repeat(99_999) + '}\n';
    const s = measureSpec(text);
    expect(s.bytes).toBeLessThanOrEqual(DEFAULT_LIMITS.maxSpecBytes);
    expect(s.lines).toBeLessThanOrEqual(DEFAULT_LIMITS.maxSpecLines);
    expect(s.tokens).toBeLessThanOrEqual(DEFAULT_LIMITS.maxSpecTokens);
  });
});

describe('diagnostics are capped', () => {
  it('past 100 warnings, one note says how many more there are', () => {
    const r = compile(net('highway dense gate_bias=1\n'.repeat(250), '10'), 'w.hwy');
    const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
    expect(warnings.length).toBe(100);
    const more = r.diagnostics.find((d) => d.code === 'HWY1004');
    expect(more?.message).toBe('150 more warnings not shown');
  });

  it('errors and warnings dropped together are both counted (each `dense @` is two errors)', () => {
    const r = compile(net('highway dense gate_bias=1\n'.repeat(103) + 'dense @\n'.repeat(52), '10'), 'w.hwy');
    expect(r.diagnostics.find((d) => d.code === 'HWY1004')?.message).toBe('4 more errors and 3 more warnings not shown');
  });
});
