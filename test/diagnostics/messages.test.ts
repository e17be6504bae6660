import { describe, expect, it } from 'vitest';
import { compile } from '../../src/core/compile.js';
import { renderDiagnostic } from '../../src/diagnostics/render.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { golden, layerAs, ROOT, specFiles } from '../helpers.js';

/**
 * A newcomer's mistakes: each gives one error, at the place that is wrong, naming the
 * mistake in the writer's words, with the fix. The rendered output is kept as a golden file.
 */
const CASES: { name: string; text: string; message: string; hint: string; at: [number, number] }[] = [
  {
    name: 'activation-typo',
    text: 'network n {\n  input 784\n  dense 50 rleu\n  dense 10 softmax\n}\n',
    message: "unknown activation 'rleu'",
    hint: "did you mean 'relu'?",
    at: [3, 12],
  },
  {
    name: 'activation-typo-highway',
    text: 'network n {\n  input 784\n  dense 50 relu\n  highway dense rleu gate_bias=-1\n  dense 10 softmax\n}\n',
    message: "unknown activation 'rleu'",
    hint: "did you mean 'relu'?",
    at: [4, 17],
  },
  {
    name: 'highway-typo',
    text: 'network n {\n  input 784\n  dense 50 relu\n  higway dense\n  dense 10 softmax\n}\n',
    message: "unknown block kind 'higway'",
    hint: "did you mean 'highway dense'?",
    at: [4, 3],
  },
  {
    name: 'unclosed-brace',
    text: 'network n {\n  input 784\n  dense 50 relu\n  repeat 3 {\n    highway dense gate_bias=-1\n  dense 10 softmax\n}\n',
    message: "this '{' is never closed",
    hint: "add a '}' on a line of its own, lined up with 'repeat'",
    at: [4, 12],
  },
  {
    name: 'extra-brace',
    text: 'network n {\n  input 784\n  dense 10 softmax\n}\n}\n',
    message: "this '}' closes nothing",
    hint: "remove it, or add the '{' it was meant to close",
    at: [5, 1],
  },
  {
    name: 'slash-comment',
    text: '// a small network\nnetwork n {\n  input 784\n  dense 10 softmax\n}\n',
    message: "comments start with '#', not '//'",
    hint: "write '# a small network'",
    at: [1, 1],
  },
  {
    name: 'capital-keyword',
    text: 'Network n {\n  input 784\n  dense 10 softmax\n}\n',
    message: "keywords are lower-case: 'network', not 'Network'",
    hint: "write 'network'",
    at: [1, 1],
  },
  {
    name: 'let-inside-network',
    text: 'network n {\n  input 784\n  let width = 50\n  dense width relu\n  dense 10 softmax\n}\n',
    message: "'let' cannot be used inside a block: constants are defined at the top of the file",
    hint: "move 'let width = 50' above 'network n {'",
    at: [3, 3],
  },
  {
    name: 'setting-value-name',
    text: 'network n {\n  input 784\n  dense 10 softmax\n}\ntrain {\n  batch 0\n}\n',
    message: 'batch must be at least 1, not 0',
    hint: 'sizes are positive',
    at: [6, 9],
  },
  {
    name: 'momentum-setting',
    text: 'network n {\n  input 784\n  dense 10 softmax\n}\ntrain {\n  momentum 0.9\n}\n',
    message: "'momentum' is not a setting of its own: it is an attribute of 'optimizer'",
    hint: "write it on the 'optimizer' line: optimizer sgd momentum=0.9",
    at: [6, 3],
  },
  {
    name: 'optimizer-attribute-of-another',
    text: 'network n {\n  input 784\n  dense 10 softmax\n}\ntrain {\n  optimizer sgd beta1=0.8\n}\n',
    message: "'beta1' is not a setting of sgd",
    hint: "'beta1' is a setting of adam and adamw; sgd takes momentum, nesterov",
    at: [6, 17],
  },
  {
    name: 'optimizer-unknown',
    text: 'network n {\n  input 784\n  dense 10 softmax\n}\ntrain {\n  optimizer adagrad\n}\n',
    message: "unknown optimizer 'adagrad'",
    hint: "hwy has sgd, adam, adamw, rmsprop: write 'optimizer adam' or 'optimizer sgd momentum=0.9'",
    at: [6, 13],
  },
  {
    name: 'optimizer-value-out-of-range',
    text: 'network n {\n  input 784\n  dense 10 softmax\n}\ntrain {\n  optimizer adam beta2=1\n}\n',
    message: "'beta2' must be below 1, not 1",
    hint: undefined as unknown as string,
    at: [6, 24],
  },
  {
    name: 'schedule-floor-without-cosine',
    text: 'network n {\n  input 784\n  dense 10 softmax\n}\ntrain {\n  lr 0.1 schedule=exponential min_lr=0.01\n}\n',
    message: "'min_lr' is the floor of schedule=cosine; this schedule is exponential",
    hint: "add schedule=cosine, or leave 'min_lr' out",
    at: [6, 31],
  },
  {
    name: 'positional-after-named',
    text: 'network n {\n  input 784\n  dense 50 relu\n  highway dense relu gate_bias=-7 50\n  dense 10 softmax\n}\n',
    message: "positional argument '50' after the named 'gate_bias=-7': positional arguments come first",
    hint: "move it before the named ones: 'highway dense relu 50 gate_bias=-7'",
    at: [4, 35],
  },
  {
    name: 'malformed-number',
    text: 'network n {\n  input 784\n  dense 50 relu\n  highway dense relu gate_bias=-3..5\n  dense 10 softmax\n}\n',
    message: "'3..5' is not a number: it has 2 decimal points",
    hint: 'a number has at most one: 3.5, 0.5, -3',
    at: [4, 33],
  },
];

describe("a newcomer's mistakes: one error each, in their words, with the fix", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = compile(c.text, `${c.name}.hwy`);
      const errs = r.diagnostics.filter((d) => d.severity === 'error');
      expect(errs.map((d) => d.message)).toEqual([c.message]);
      expect(errs[0].hint).toBe(c.hint);
      expect([errs[0].span.start.line, errs[0].span.start.col]).toEqual(c.at);
      golden(`messages/${c.name}.txt`, r.diagnostics.map((d) => renderDiagnostic(d, c.text)).join('\n\n') + '\n');
    });
  }

  it('after a mended mistake the rest of the file is still checked', () => {
    // the let is read as if it were above the network: its use is not an undefined name, and a later mistake is still found
    const r = compile('network n {\n  input 784\n  let w = 3\n  dense w relu\n  dense 0\n}\n', 'm.hwy');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['HWY1002', 'HWY3001']);
    // a capitalised keyword still gives the network its layers
    const k = compile('Network n {\n  input 784\n  Highway dense gate_bias=-1\n}\n', 'k.hwy');
    expect(k.ir!.layers.map((l) => l.kind)).toEqual(['input', 'highway_dense']);
  });

  it('commas between dimensions and colons after a block name get hints that say how to write them', () => {
    const comma = compile('network n {\n  input 28, 28, 1\n}\n', 'c.hwy').diagnostics.filter((d) => d.severity === 'error');
    expect(comma[0].hint).toBe('dimensions are written 28x28x1, not with commas; lists take brackets: [10, 20]');
    const colon = compile('network n {\n  input: 784\n}\n', 'k.hwy').diagnostics.filter((d) => d.severity === 'error');
    expect(colon.map((d) => d.hint)).toEqual(["no ':' in hwy: a block's arguments follow its name (input 784), attributes are written name=value"]);
  });

  it("a name such as x1, which reads as a dimension, says so", () => {
    const r = compile('let x1 = 3\nnetwork n {\n  input 784\n}\n', 'x.hwy').diagnostics.filter((d) => d.severity === 'error');
    expect(r[0].hint).toBe("a name cannot start with 'x' and a digit: 'x1' reads as 'x 1', as in 3x1; choose another name");
  });

  it('a misspelt constant is still an undefined name, with the constant suggested', () => {
    const r = compile('let width = 50\nnetwork n {\n  input 784\n  dense widht relu\n}\n', 'c.hwy');
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errs.map((d) => [d.code, d.message, d.hint])).toEqual([['HWY2004', "'widht' is not defined", "did you mean 'width'?"]]);
  });

  it('a name that is neither an activation nor a constant says both', () => {
    const r = compile('network n {\n  input 784\n  highway dense foo\n}\n', 'f.hwy');
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errs.map((d) => d.message)).toEqual(["'foo' is neither an activation nor a constant"]);
  });
});

describe('division, as the language reference says', () => {
  const reference = readFileSync(join(ROOT, 'grammar/README.md'), 'utf8');
  it('the reference says `/` divides exactly and a fractional size is refused, not rounded', () => {
    expect(reference).not.toMatch(/integer arithmetic/);
    expect(reference).toContain('`/` divides without rounding (`lr 1 / 4` is 0.25)');
    expect(reference).toContain('`dense 10 / 4` is refused, `dense 12 / 4` is 3');
  });
  it('and the compiler does what it says', () => {
    const lr = compile('network n {\n  input 4\n  dense 12 / 4\n}\ntrain {\n  lr 1 / 4\n}\n', 'd.hwy');
    expect(lr.ok).toBe(true);
    expect(lr.ir!.train!.lr.value).toBe(0.25);
    expect(layerAs(lr.ir!.layers[1], 'dense').units).toBe(3);
    const frac = compile('network n {\n  input 4\n  dense 10 / 4\n}\n', 'f.hwy');
    expect(frac.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([['HWY2013', "'units' must be a whole number, not 2.5"]]);
  });
});

describe('a missing brace in any spec of specs/ is one error, at the right place', () => {
  /** Each `{` of a text with the offset of its `}` (comments skipped; specs hold no braces in strings). */
  function pairs(text: string): [number, number][] {
    const open: number[] = [];
    const out: [number, number][] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
      else if (text[i] === '{') open.push(i);
      else if (text[i] === '}') out.push([open.pop()!, i]);
    }
    return out;
  }
  const specs = specFiles().map((f) => [f, readFileSync(join(ROOT, f), 'utf8')] as const);

  it("each '}' removed in turn: 'never closed' at its own '{'", () => {
    let n = 0;
    for (const [f, text] of specs) {
      for (const [o, c] of pairs(text)) {
        const errs = compile(text.slice(0, c) + text.slice(c + 1), f).diagnostics.filter((d) => d.severity === 'error');
        expect(errs.map((d) => [d.message, d.span.start.offset]), `${f} without the '}' at ${c}`).toEqual([["this '{' is never closed", o]]);
        n++;
      }
    }
    expect(n).toBeGreaterThan(30);
  });

  it("each '{' moved onto a line of its own: the same IR and diagnostics", () => {
    const meaning = (text: string, f: string) => {
      const r = compile(text, f);
      return JSON.stringify({ ir: r.ir, d: r.diagnostics.map((d) => [d.code, d.message]) }, (k, v) => (k === 'span' || k.endsWith('Span') || k === 'related' ? undefined : v));
    };
    let n = 0;
    for (const [f, text] of specs) {
      const want = meaning(text, f);
      for (const [o] of pairs(text)) {
        const lineStart = text.lastIndexOf('\n', o) + 1;
        const indent = /^\s*/.exec(text.slice(lineStart))![0];
        const moved = text.slice(0, o).trimEnd() + '\n' + indent + text.slice(o);
        expect(meaning(moved, f), `${f} with the '{' at ${o} on a line of its own`).toBe(want);
        n++;
      }
    }
    expect(n).toBeGreaterThan(30);
  });

  it("each '{' removed in turn: one error at the end of its line, naming the line to write", () => {
    for (const [f, text] of specs) {
      for (const [o] of pairs(text)) {
        const broken = text.slice(0, o) + text.slice(o + 1);
        const errs = compile(broken, f).diagnostics.filter((d) => d.severity === 'error');
        const lineStart = text.lastIndexOf('\n', o) + 1;
        const head = text.slice(lineStart, o).trim();
        expect(errs.map((d) => [d.message, d.hint]), `${f} without the '{' at ${o}`).toEqual([[`'${head.split(' ')[0]}' needs a '{' at the end of this line`, `write '${head} {'`]]);
      }
    }
  });
});
