import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { hwyLexer } from '../../src/parser/lexer.js';
import { ROOT, specFiles } from '../helpers.js';

// The TextMate engine VS Code runs, as vscode-tmgrammar-test (the grammar's test tool) loads it.
const req = createRequire(createRequire(import.meta.url).resolve('vscode-tmgrammar-test/package.json'));
const oniguruma = req('vscode-oniguruma') as {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (p: string[]) => unknown;
  OnigString: new (s: string) => unknown;
};
const vsctm = req('vscode-textmate') as {
  INITIAL: unknown;
  parseRawGrammar(text: string, path: string): unknown;
  Registry: new (o: object) => { loadGrammar(scope: string): Promise<Grammar> };
};
type Grammar = { tokenizeLine(line: string, stack: unknown): { tokens: { startIndex: number; endIndex: number; scopes: string[] }[]; ruleStack: unknown } };

let grammar: Grammar;
beforeAll(async () => {
  const wasm = readFileSync(req.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(join(ROOT, 'grammar/hwy.tmLanguage.json'), 'utf8'), 'hwy.tmLanguage.json'),
  });
  grammar = await registry.loadGrammar('source.hwy');
});

const SCOPE: Record<string, string> = { NumberLit: 'constant.numeric.hwy', MalformedNumber: 'invalid.illegal.number.hwy', X: 'keyword.operator.dimension.hwy' };

/**
 * Where the highlighting and the lexer disagree: each number and each dimension `x` of the
 * lexer must be one highlighted token with its scope, and no part of a name may carry
 * either scope (the `x` or the digits of `a2x3`). An `x` right after `let` is an error instead.
 */
function disagreements(text: string): string[] {
  const lines = text.split('\n');
  let stack = vsctm.INITIAL;
  const scoped = lines.map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens;
  });
  const out: string[] = [];
  const tokens = hwyLexer.tokenize(text).tokens;
  for (const [i, t] of tokens.entries()) {
    const line = t.startLine! - 1;
    const [start, end] = [t.startColumn! - 1, t.endColumn!];
    const covering = scoped[line].filter((s) => s.startIndex < end && s.endIndex > start);
    const where = `${JSON.stringify(lines[line])} at ${start}: ${t.tokenType.name} '${t.image}'`;
    // `let x`: the x where a name must be is an error (HWY1002), and is highlighted as one
    const want = t.tokenType.name === 'X' && tokens[i - 1]?.tokenType.name === 'Let' ? 'invalid.illegal.name.hwy' : SCOPE[t.tokenType.name];
    if (want) {
      const one = covering.length === 1 && covering[0].startIndex === start && covering[0].endIndex === end;
      if (!one || !covering[0].scopes.includes(want)) out.push(`${where} is not one ${want} token (${JSON.stringify(covering.map((s) => [lines[line].slice(s.startIndex, s.endIndex), s.scopes.at(-1)]))})`);
    } else if (t.tokenType.name === 'Identifier') {
      const wrong = covering.filter((s) => s.scopes.some((x) => Object.values(SCOPE).includes(x)));
      if (wrong.length) out.push(`${where} has parts scoped ${wrong.map((s) => s.scopes.at(-1)).join(', ')}`);
    }
  }
  return out;
}

describe('the TextMate grammar reads numbers, dimensions and names as the lexer does', () => {
  it('in every spec of specs/ and in the scope test file', () => {
    expect(hwyLexer.tokenize('input 28x28x1').tokens.map((t) => t.tokenType.name)).toEqual(['Identifier', 'NumberLit', 'X', 'NumberLit', 'X', 'NumberLit']);
    for (const f of [...specFiles('specs', 'all'), 'test/grammar/highlight.test.hwy']) {
      expect(disagreements(readFileSync(join(ROOT, f), 'utf8')), f).toEqual([]);
    }
  });

  it('in any dimension expression made of numbers (malformed ones among them), names (with x and digits in them), x, brackets and operators', () => {
    const piece = fc.constantFrom('28', '3', '0.5', '1e5', '.5', '5.', '.', '3..5', 'x', 'x', 'w', 'wx', 'xavier', 'x_size', 'max_x', 'a2x3', 'box2', '_x', '(', ')', '+', '*', '/', '-');
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, fc.constantFrom('', '', ' ')), { minLength: 1, maxLength: 12 }), (parts) => {
        const line = `  input ${parts.map(([p, sep]) => p + sep).join('')}`;
        expect(disagreements(line)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
