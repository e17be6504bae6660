import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatHwy, HwySyntaxError } from '../../src/format/index.js';
import { compile } from '../../src/core/compile.js';
import { compileExperiment } from '../../src/core/experiment.js';
import { hwyLexer } from '../../src/parser/lexer.js';
import { parse, type SweepValue } from '../../src/parser/index.js';
import { Diagnostics } from '../../src/diagnostics/types.js';
import { renderDiagnostic } from '../../src/diagnostics/render.js';
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

describe('formatter and sweeps', () => {
  it('keeps what a sweep means: the same plan from the formatted text, with any spacing between its values', async () => {
    const file = join(ROOT, 'specs/paper/figure1.hwy');
    const text = readFileSync(file, 'utf8');
    const plan = (t: string) => compileExperiment(t, file, { readFile: (p) => readFileSync(p, 'utf8') }).plan;
    const spaced = text
      .split('\n')
      .map((l) => (l.startsWith('#') ? l : l.replace(/^(  \w+) /, '$1   ').replace(/, /g, ' ,').replace(/\[/g, '[ ')))
      .join('\n');
    expect(spaced).not.toBe(text);
    const out = await formatHwy(spaced);
    expect(out).toBe(text);
    expect(plan(out)).toEqual(plan(text));
    expect(plan(text)).not.toBeNull();
  });
});

describe('sweep lines print as they parse', () => {
  it('any line of signed numbers, names, setting paths, strings, lists and attributes formats to a fixed point with the same values', async () => {
    const name = fc.constantFrom('depth', 'relu', 'train.lr', 'train.lr.gamma', 'data.normalize', 'gate_bias', 'w2');
    const num = fc.tuple(fc.constantFrom('', '-', '--'), fc.constantFrom('1', '0.5', '.5', '1e-3', '10', '2E+2')).map(([s, n]) => s + n);
    const str = fc.constantFrom('"a.hwy"', '"x y"', '""');
    const scalar = fc.oneof(name, num, str);
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }).map((xs) => `[${xs.join(' , ')}]`));
    const attr = fc.tuple(fc.constantFrom('seed', 'epochs', 'highway', 'plain'), value).map(([k, v]) => `${k}=${v}`);
    const line = fc.tuple(fc.constantFrom('grid', 'search', 'stop', 'networks'), fc.array(fc.oneof(value, attr), { maxLength: 5 })).map(([w, xs]) => `${w}   ${xs.join('   ')}`);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), async (lines) => {
        const text = `sweep s {\n${lines.map((l) => `    ${l}\n`).join('')}}\n`;
        const once = await formatHwy(text);
        expect(await formatHwy(once)).toBe(once);
        // the same lines with the same values (spacing, sign runs and the place of attributes may change)
        const norm = (v: SweepValue): unknown => (v.type === 'list' ? v.items.map(norm) : v.type === 'num' ? v.value : v.type === 'name' ? `name:${v.name}` : `string:${v.value}`);
        const meaningOf = (t: string) => {
          const d = new Diagnostics();
          const item = parse(t, 's.hwy', d).items[0];
          expect(d.items).toEqual([]);
          return item.type === 'sweep' ? item.body.map((x) => ({ word: x.word, args: x.args.map(norm), attrs: x.attrs.map((y) => [y.name, norm(y.value)]) })) : null;
        };
        expect(meaningOf(once)).toEqual(meaningOf(text));
      }),
      { numRuns: 150 },
    );
  });
});

describe('formatter over specs/', () => {
  for (const f of specFiles('specs', 'all')) {
    it(`${f} is formatted, and formatting keeps its IR and comments`, async () => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      const out = await formatHwy(text);
      expect(out).toBe(text);
      const comments = (t: string) => (t.match(/#[^\n]*/g) ?? []).map((c) => c.trim());
      expect(comments(out)).toEqual(comments(text));
    });
  }
});

/**
 * Random specs from the grammar, built to find inputs on which formatting changes what the
 * compiler makes of them: lets with arithmetic (also names that are properties of
 * JavaScript objects), nested and one-line repeats, blocks with positional arguments and
 * attributes in either order, train sections, comments before, after and inside
 * everything, odd spacing, blank lines, and every line end the lexer knows: \n, CRLF, a lone
 * CR (CR-only files) and CRs inside comments, which end the comment's line. Repeat counts stay small so that
 * each example costs milliseconds: the property is about the text, not the layer count.
 */
const sp = fc.constantFrom(' ', '  ', '\t', ' \t ', '   ');
/** Between punctuation no space is needed: sometimes give none. */
const opt = fc.constantFrom('', ' ', '  ', '\t');
// a CR inside a comment ends its line: what follows is a comment of its own, a block, or a stray word
const comment = fc.constantFrom('# note', '#x', '# a # b', '#', '# } {', '#\ttab', '# a\r# b', '#\r', '# cr\r  dense 5', '# cr\r  relu', '# x\rw');
const maybeComment = fc.option(comment, { nil: undefined, freq: 3 });
const numText = fc.constantFrom('1', '2', '3', '4', '8', '10', '16', '0', '2.0', '1e1', '0.5', '.5', '5.');
const letName = fc.constantFrom('w', 'depth', 'constructor', 'toString', '__proto__', 'k1');
const op = fc.constantFrom('+', '-', '*', '/', '%');

type E = string;
const exprArb: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    numText,
    letName,
    fc.tuple(fc.constantFrom('-', '- -', '-'), tie('e'), opt).map(([m, e, o]) => `${m}${o}${e}`),
    fc.tuple(tie('e'), opt, op, opt, tie('e')).map(([a, o1, o, o2, b]) => `${a}${o1 || ' '}${o}${o2 || ' '}${b}`),
    fc.tuple(opt, tie('e'), opt).map(([a, e, b]) => `(${a}${e}${b})`),
  ),
})).e;
/** A small whole number for sizes and counts, sometimes written as arithmetic. */
const small = fc.oneof(fc.constantFrom('1', '2', '3', 'w', 'depth', '7 / 2', '9 % 4', '(1 + 1)', '- -2', '10/4', 'constructor'), exprArb);
const act = fc.constantFrom('relu', 'tanh', 'softmax', 'linear', 'sigmoid');

const blockArb = fc.oneof(
  // (an attribute before a positional argument is refused: see 'positional arguments after named ones' below)
  fc.tuple(small, fc.option(act, { nil: undefined }), fc.boolean()).map(([u, a, named]) =>
    named && a ? `dense ${u} activation${' '}=${' '}${a}` : `dense ${u}${a ? ' ' + a : ''}`,
  ),
  fc.tuple(fc.option(small, { nil: undefined }), fc.option(act, { nil: undefined }), fc.option(fc.constantFrom('gate_bias=-2', 'gate_bias = -w', 'carry=free', 'gate_bias=-1.5', 'init=he_normal'), { nil: undefined })).map(
    ([u, a, g]) => ['highway dense', u, a, g].filter((x) => x !== undefined).join(' '),
  ),
  fc.constantFrom('residual dense relu', 'dropout 0.5', 'dropout .25', 'relu', 'tanh', 'defaults gate_bias=-3', 'expect w', 'expect 8', 'defaults activation=tanh'),
);

type Node = { t: 'block'; text: string } | { t: 'repeat'; count: string; body: Node[]; oneLine: boolean };
const nodeArb: fc.Arbitrary<Node[]> = fc.letrec<{ body: Node[] }>((tie) => ({
  body: fc.array(
    fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      blockArb.map((text): Node => ({ t: 'block', text })),
      fc.tuple(fc.constantFrom('0', '1', '2', '3', 'depth', 'w - 6', '7 / 3'), tie('body'), fc.boolean()).map(([count, body, oneLine]): Node => ({ t: 'repeat', count, body, oneLine })),
    ),
    { maxLength: 4 },
  ),
})).body;

/** Decorations drawn per spec: spacing, comments, blank lines, line ends. */
interface Style {
  ws: string;
  c: (string | undefined)[];
  blank: boolean[];
  eol: string;
  /** Whether each `{` of network, train and repeat stands on a line of its own below its head. */
  braceBelow: boolean;
}
const styleArb = fc.record({
  ws: sp,
  c: fc.array(maybeComment, { minLength: 40, maxLength: 40 }),
  blank: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  braceBelow: fc.boolean(),
});

function renderSpec(lets: [string, string][], body: Node[], train: string[], letsAfter: boolean, st: Style): string {
  let i = 0;
  const next = () => i++ % 40;
  const trail = () => {
    const c = st.c[next()];
    return c ? `${st.ws}${c}` : '';
  };
  const lines: string[] = [];
  const line = (s: string) => {
    if (st.blank[next()]) lines.push('');
    const own = st.c[next()];
    if (own && st.blank[next()]) lines.push(s.match(/^\s*/)![0] + own);
    lines.push(s + trail());
  };
  /** A head and its `{`: on one line, or (braceBelow) the `{` on the next line, lined up with the head. */
  const open = (head: string, ind: string) => {
    if (!st.braceBelow) return line(`${ind}${head}${st.ws}{`);
    line(`${ind}${head}`);
    line(`${ind}{`);
  };
  const nodes = (ns: Node[], ind: string) => {
    for (const n of ns) {
      if (n.t === 'block') line(`${ind}${n.text.replace(/ /g, st.ws)}`);
      else if (n.oneLine && n.body.length === 1 && n.body[0].t === 'block') line(`${ind}repeat ${n.count} {${st.ws}${n.body[0].text} }`);
      else {
        open(`repeat${st.ws}${n.count}`, ind);
        nodes(n.body, ind + '  ');
        line(`${ind}}`);
      }
    }
  };
  const letLines = () => lets.forEach(([n, e]) => line(`let ${n}${st.ws}=${st.ws}${e}`));
  if (!letsAfter) letLines();
  open('network g', '');
  line('  input 8');
  nodes(body, '  ');
  line('  dense 3 softmax');
  line('}');
  if (train.length) {
    open('train', '');
    for (const t of train) line('  ' + t);
    line('}');
  }
  if (letsAfter) letLines();
  const text = lines.join('\n') + '\n';
  return text.replace(/\n/g, st.eol);
}

const lets = fc.uniqueArray(fc.tuple(letName, exprArb), { selector: ([n]) => n, maxLength: 4 }).map((ls) => [['w', '8'] as [string, string], ['depth', '2'] as [string, string], ...ls.filter(([n]) => n !== 'w' && n !== 'depth')]);
const trainArb = fc.tuple(
  fc.subarray(['batch 16', 'epochs 2', 'seed 3', 'optimizer sgd momentum=0.5', 'weight_decay 1 / 1000']),
  fc.constantFrom([], ['lr 0.1 / 4'], ['lr 1 / 100'], ['lr 0.01 schedule=multistep steps=[1,2]'], ['lr 0.1 schedule = exponential']),
  fc.constantFrom([], ['data mnist validation=0.2'], ['data mnist augment=[ translate , mirror ]'], ['data mnist dir="a \\"b\\" # c"'], ['data "mnist"']),
).map(([a, b, c]) => [...a, ...b, ...c]);
const spec = fc.tuple(lets, nodeArb, trainArb, fc.boolean(), styleArb).map(([l, b, t, after, st]) => renderSpec(l, b, t, after, st));

/** What `hwy check` makes of a text, minus positions: the IR and every diagnostic. */
function checked(text: string) {
  const r = compile(text, 'm.hwy');
  const strip = (_k: string, v: unknown) => (_k === 'span' || _k === 'related' || _k === 'kindSpan' || _k === 'nameSpan' || _k === 'headSpan' ? undefined : v);
  return JSON.parse(JSON.stringify({ ir: r.ir, diagnostics: r.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message} | ${d.hint ?? ''}`) }, strip));
}

describe('formatter properties', () => {
  // Sized by example count, with examples that cost milliseconds: well under the test time limit on a busy machine.
  it('never changes what the compiler makes of a spec, keeps every comment, and is idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (text) => {
        let once: string;
        try {
          once = await formatHwy(text);
        } catch (e) {
          // Only a spec with a syntax error may be refused, and then the compiler must refuse it too.
          expect(e).toBeInstanceOf(HwySyntaxError);
          expect(compile(text, 'm.hwy').diagnostics.some((d) => d.code.startsWith('HWY1'))).toBe(true);
          return;
        }
        expect(checked(once)).toEqual(checked(text));
        expect(await formatHwy(once)).toBe(once);
        const comments = (t: string) => compile(t, 'm.hwy').ast.comments.map((c) => c.text.trimEnd());
        expect(comments(once)).toEqual(comments(text));
      }),
      { numRuns: 300 },
    );
  });
  it('real specs with spaces and tabs between any tokens, comments at line ends, CRLF or CR-only line ends: same IR before and after formatting', async () => {
    const specs = specFiles().map((f) => readFileSync(join(ROOT, f), 'utf8'));
    const perturbed = fc
      .tuple(fc.constantFrom(...specs), fc.array(fc.constantFrom('', '', ' ', '\t', '  \t'), { minLength: 64, maxLength: 64 }), fc.array(fc.option(fc.constantFrom('# c', '#', '# {', '# c\r# d'), { freq: 4 }), { minLength: 16, maxLength: 16 }), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([text, gaps, notes, eol]) => {
        // Whitespace between two tokens never changes their meaning (28x28 and 28 x 28 are one shape); a comment may end any line.
        const toks = hwyLexer.tokenize(text).tokens;
        let out = '';
        let prev = 0;
        toks.forEach((t, i) => {
          const between = text.slice(prev, t.startOffset);
          if (t.image === '\n') out += between + (notes[i % 16] ? ` ${notes[i % 16]}` : '') + eol;
          else out += between + (between.includes('#') ? '' : gaps[i % 64]) + t.image;
          prev = t.startOffset + t.image.length;
        });
        return out + text.slice(prev);
      });
    await fc.assert(
      fc.asyncProperty(perturbed, async (text) => {
        const formatted = await formatHwy(text);
        expect(checked(formatted)).toEqual(checked(text));
        expect(await formatHwy(formatted)).toBe(formatted);
      }),
      { numRuns: 60 },
    );
  });
  it("a '{' on the line below its head is moved up to it, its comments kept", async () => {
    const text = 'network n  # head\n# between\n{  # brace\n  input 784\n  repeat 2\n\n  {\n    dense 3\n  }\n}\ntrain\n{  # t\n  epochs 1\n}\n';
    const out = await formatHwy(text);
    expect(out).toBe('network n {  # head\n  # between\n  # brace\n  input 784\n  repeat 2 {\n    dense 3\n  }\n}\ntrain {  # t\n  epochs 1\n}\n');
    expect(checked(out)).toEqual(checked(text));
  });
  it('positional arguments after named ones, and malformed numbers, are refused, not moved', async () => {
    for (const [text, line, column] of [
      ['network n {\n  input 784\n  highway dense relu gate_bias=-7 50\n}\n', 3, 35],
      ['network n {\n  input 784\n  highway dense relu gate_bias=-3..5\n}\n', 3, 33],
    ] as const) {
      const err = await formatHwy(text).catch((e) => e);
      expect(err).toBeInstanceOf(HwySyntaxError);
      expect(err.loc.start).toEqual({ line, column });
    }
  });
  it('a syntax error is a located Prettier error, not a crash', async () => {
    const err = await formatHwy('network n {\n  dense 10 )\n}\n').catch((e) => e);
    expect(err).toBeInstanceOf(HwySyntaxError);
    expect(err.loc.start).toEqual({ line: 2, column: 12 });
  });
});

describe('line ends: the compiler and the formatter read them alike', () => {
  const LF = 'network n {\n  input 28x28x1\n  flatten\n  dense 10 relu  # out\n  dense 1000 relu\n  dense 10 softmax\n}\n';
  const params = (t: string) => checkedParams(compile(t, 'm.hwy'));
  function checkedParams(r: ReturnType<typeof compile>): number {
    if (!r.ok || !r.ir) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('; '));
    return r.ir.stats.totalParams;
  }

  it('a CR inside a comment ends its line; CR-only and CRLF files are read line by line: the same network before and after fmt', async () => {
    const full = params(LF);
    expect(full).toBe(7850 + 11000 + 10010);
    for (const [what, text] of [
      ['a CR inside a comment', LF.replace('# out\n', '# out\r')],
      ['CR-only line ends', LF.replace(/\n/g, '\r')],
      ['CRLF line ends', LF.replace(/\n/g, '\r\n')],
      ['mixed line ends', LF.replace('input 28x28x1\n', 'input 28x28x1\r').replace('flatten\n', 'flatten\r\n')],
    ]) {
      expect(params(text), what).toBe(full);
      const formatted = await formatHwy(text);
      expect(params(formatted), what).toBe(full);
      expect(formatted, what).toBe(LF);
    }
    // the text after a CR in a comment is read, not commented out
    expect(params(LF.replace('# out\n  dense 1000 relu\n', '# out\r  dense 5 relu\n'))).toBe(7850 + 55 + 60);
  });

  it('diagnostics of a CR-only file point at the line the lexer read, and the code frame shows it', () => {
    const text = 'network n {\r  input 784\r  dense 10 softmax\r  dense 0\r}\r';
    const r = compile(text, 'cr.hwy');
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.span.start).toMatchObject({ line: 4, col: 9 });
    expect(text.slice(d.span.start.offset - 6, d.span.start.offset + 1)).toBe('dense 0');
    const frame = renderDiagnostic(d, text);
    expect(frame).toContain('4 |   dense 0');
    expect(frame).not.toContain('\u2426');
  });
});
