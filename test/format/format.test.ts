import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatHwy, HwySyntaxError } from '../../src/format/index.js';
import { compile } from '../../src/core/compile.js';
import { ROOT, specFiles } from '../helpers.js';

const FIX = join(ROOT, 'test/format/fixtures');

/** The IR without source positions: what formatting must not change. */
function meaning(text: string) {
  const r = compile(text, 'm.hwy');
  return JSON.parse(JSON.stringify({ ir: r.ir, errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code) }, (k, v) => (k === 'span' || k === 'related' ? undefined : v)));
}

describe('formatter fixtures (input -> output, then stable)', () => {
  for (const name of readdirSync(FIX)) {
    it(name, async () => {
      const input = readFileSync(join(FIX, name, 'input.hwy'), 'utf8');
      const expected = readFileSync(join(FIX, name, 'output.hwy'), 'utf8');
      const once = await formatHwy(input);
      expect(once).toBe(expected);
      expect(await formatHwy(once)).toBe(once);
      expect(meaning(once)).toEqual(meaning(input));
    });
  }
});

describe('formatter over specs/', () => {
  for (const f of specFiles()) {
    it(`${f} is formatted, and formatting keeps its IR and comments`, async () => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      const out = await formatHwy(text);
      expect(out).toBe(text);
      const comments = (t: string) => (t.match(/#[^\n]*/g) ?? []).map((c) => c.trim());
      expect(comments(out)).toEqual(comments(text));
    });
  }
});

/** Random valid specs from the grammar: lets, nested repeats, blocks with args and attributes, comments, odd spacing. */
const ws = fc.constantFrom(' ', '  ', '\t', '   ');
const num = fc.integer({ min: 1, max: 64 }).map(String);
const expr = fc.oneof(num, fc.constant('w'), fc.tuple(num, fc.constantFrom('+', '*', '-'), num).map(([a, o, b]) => `(${a} ${o} ${b})`));
const comment = fc.option(fc.constantFrom('# note', '#x', '# a # b'), { nil: undefined });
const block = fc.oneof(
  fc.tuple(expr, fc.constantFrom('relu', 'tanh', '')).map(([u, a]) => `dense ${u} ${a}`),
  fc.constantFrom('highway dense', 'highway dense gate_bias=-2', 'residual dense relu', 'highway dense carry=free', 'dropout 0.5', 'relu'),
);
type Body = (string | Body)[];
const body: fc.Arbitrary<Body> = fc.letrec<{ body: Body }>((tie) => ({
  body: fc.array(fc.oneof({ depthSize: 'small', withCrossShrink: true }, block, fc.tuple(num, tie('body')).map(([n, b]) => [n, b] as unknown as Body)), { maxLength: 4 }) as fc.Arbitrary<Body>,
})).body;
function render(b: Body, ind: string, w: string, c: string | undefined): string {
  return b
    .map((s) => {
      if (typeof s === 'string') return `${ind}${s}${w}${c ?? ''}\n`;
      const [n, inner] = s as unknown as [string, Body];
      return `${ind}repeat${w}${n} {\n${render(inner, ind + '  ', w, c)}${ind}}\n`;
    })
    .join('');
}
const spec = fc.tuple(body, ws, comment, fc.boolean()).map(([b, w, c, blank]) => `let w = 8\n${blank ? '\n' : ''}network g {${w}${c ?? ''}\n  input 8\n${render(b, '  ', w, c)}  dense 3 softmax\n}\n`);

describe('formatter properties', () => {
  it('idempotent and meaning-preserving on generated specs', async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (text) => {
        const once = await formatHwy(text);
        expect(await formatHwy(once)).toBe(once);
        expect(meaning(once)).toEqual(meaning(text));
        expect((once.match(/#/g) ?? []).length).toBe((text.match(/#/g) ?? []).length);
      }),
      { numRuns: 150 },
    );
  });
  it('a syntax error is a located Prettier error, not a crash', async () => {
    const err = await formatHwy('network n {\n  dense 10 )\n}\n').catch((e) => e);
    expect(err).toBeInstanceOf(HwySyntaxError);
    expect(err.loc.start).toEqual({ line: 2, column: 12 });
  });
});
