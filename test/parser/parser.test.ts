import { describe, expect, it } from 'vitest';
import { parse } from '../../src/parser/index.js';
import { Diagnostics } from '../../src/diagnostics/types.js';
import { codes, compileText, errors, marked, net } from '../helpers.js';

function p(text: string) {
  const d = new Diagnostics();
  const ast = parse(text, 't.hwy', d);
  return { ast, d: d.items };
}

describe('parser', () => {
  it('parses lets, a network with repeats and attributes, and a train section', () => {
    const { ast, d } = p('let depth = 2 * (3 + 1)\nnetwork n {\n  input 28x28x1\n  repeat depth { highway dense relu gate_bias=-2 }\n}\ntrain {\n  lr 0.1 steps=[1, 2]\n}\n');
    expect(d).toEqual([]);
    expect(ast.items.map((i) => i.type)).toEqual(['let', 'network', 'train']);
    const n = ast.items[1];
    if (n.type !== 'network') throw new Error();
    expect(n.body.map((s) => s.type)).toEqual(['block', 'repeat']);
    const rep = n.body[1];
    if (rep.type !== 'repeat') throw new Error();
    const b = rep.body[0];
    if (b.type !== 'block') throw new Error();
    expect([b.modifier, b.kind, b.args.length, b.attrs.map((a) => a.name)]).toEqual(['highway', 'dense', 1, ['gate_bias']]);
  });

  it('lexes 28x28x1 as three dimensions and keeps names that start with x', () => {
    const r = compileText('let xw = 5\n' + net('expect 28x28 x 1\nconv xw 3x3 relu'));
    expect(r.ok).toBe(true);
    expect(r.ir!.layers[1].outShape).toEqual([26, 26, 5]);
  });

  it('evaluates arithmetic with precedence and left associativity', () => {
    const r = compileText('let a = 2 + 3 * 4 - 10 / 5 - 1\nlet b = -(-a) % 5\n' + net('flatten\ndense a\ndense b'));
    expect(r.ir!.constants).toEqual({ a: 11, b: 1 });
  });

  it('reports every syntax error of a file in one run (error recovery)', () => {
    const text = 'network n {\n  input 784\n  dense 10 relu =\n  dense ( 3\n  dense 4\n}\nlet = 3\n';
    const { d } = p(text);
    const lines = d.filter((x) => x.code === 'HWY1002').map((x) => x.span.start.line);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines).toContain(3);
    expect(lines).toContain(4);
    expect(lines).toContain(7);
  });

  it('gives exact spans (marker test)', () => {
    const m = marked(net('flatten\n‹dnese› 10 relu'));
    const r = compileText(m.text);
    const d = r.diagnostics.find((x) => x.code === 'HWY2001')!;
    expect(d.span.start).toMatchObject(m.start);
    expect({ line: d.span.end.line, col: d.span.end.col - 1 }).toEqual(m.end);
  });

  it('says what was expected and what was found', () => {
    const { d } = p('network n {\n  dense 10 relu flatten )\n}\n');
    expect(d[0].message).toBe("expected a new line or '}' after this statement but found ')'");
    const v = p('network n {\n  dense 10 relu flatten=\n}\n').d;
    expect(v[0].message).toBe("expected a number, a name, a string or '[' but found the end of the line");
    expect(d[0].hint).toContain('one block per line');
  });

  it('reports a missing closing brace at the brace, once', () => {
    const text = 'network n {\n  input 784\n';
    const { d } = p(text);
    expect(d.map((x) => [x.code, x.message, x.span.start.line, x.span.start.col])).toEqual([['HWY1002', "this '{' is never closed", 1, 11]]);
  });

  it('keeps comments (for the formatter) and ignores them in meaning', () => {
    const { ast } = p('# a\nnetwork n { # b\n  input 3 # c\n}\n');
    expect(ast.comments.map((c) => c.text)).toEqual(['# a', '# b', '# c']);
  });

  it("takes a '{' on the line below 'network', 'train' and 'repeat', as brace languages do", () => {
    const same = 'network n {\n  input 784\n  repeat 3 {\n    highway dense relu gate_bias=-1\n  }\n  dense 10 softmax\n}\ntrain {\n  epochs 1\n}\n';
    const below = 'network n\n{\n  input 784\n  repeat 3\n  {\n    highway dense relu gate_bias=-1\n  }\n  dense 10 softmax\n}\n\ntrain  # settings\n\n# below a blank line and a comment\n{\n  epochs 1\n}\n';
    const a = compileText(same);
    const b = compileText(below);
    expect(b.diagnostics).toEqual([]);
    const strip = (r: typeof a) => JSON.stringify({ ir: r.ir, train: r.ir?.train }, (k, v) => (k === 'span' || k.endsWith('Span') || k === 'related' ? undefined : v));
    expect(strip(b)).toBe(strip(a));
    const { ast } = p(below);
    expect(ast.items.map((i) => (i.type === 'network' || i.type === 'train' ? [i.type, i.span.start.line, i.openLine] : i.type))).toEqual([
      ['network', 1, 2],
      ['train', 11, 14],
    ]);
  });

  it("a missing '{' is still one error at the end of its line when the next line does not start with one", () => {
    const { d } = p('network n\n{\n  input 784\n  repeat 2\n    dense 3\n  }\n}\n');
    expect(d.map((x) => [x.message, x.span.start.line, x.span.start.col])).toEqual([["'repeat' needs a '{' at the end of this line", 4, 11]]);
  });

  it('refuses a positional argument after a named one, once, at the argument', () => {
    const r = compileText(net('flatten\ndense 50 relu\nhighway dense relu gate_bias=-7 50\ndense 10 softmax'));
    expect(r.diagnostics.filter((x) => x.severity !== 'info').map((x) => [x.code, x.message, x.hint, x.span.start.line, x.span.start.col])).toEqual([
      ['HWY1002', "positional argument '50' after the named 'gate_bias=-7': positional arguments come first", "move it before the named ones: 'highway dense relu 50 gate_bias=-7'", 5, 35],
    ]);
    // in a train section too; positional first is fine however many attributes follow
    expect(errors(compileText(net('flatten\ndense 10 softmax') + 'train {\n  lr schedule=cosine 0.1\n}\n'))).toEqual(['HWY1002']);
    expect(errors(compileText(net('flatten\ndense 10 softmax init=he_normal') + 'train {\n  lr 0.1 schedule=cosine min_lr=0\n}\n'))).toEqual([]);
  });

  it("a number with two decimal points is one error at the number, and its block gets no 'no gate bias given' note", () => {
    const r = compileText(net('flatten\ndense 50 relu\nhighway dense relu gate_bias=-3..5\ndense 10 softmax'));
    expect(r.diagnostics.map((x) => [x.code, x.message, x.span.start.line, x.span.start.col, x.span.end.col])).toEqual([
      ['HWY1001', "'3..5' is not a number: it has 2 decimal points", 5, 33, 37],
    ]);
    // as a size: no second error about the size it did not give
    expect(compileText(net('flatten\ndense 1.2.3 relu\ndense 10 softmax')).diagnostics.map((x) => x.message)).toEqual(["'1.2.3' is not a number: it has 2 decimal points"]);
    // numbers with one point, or none, are untouched
    expect(compileText(net('flatten\ndropout .5\ndropout 0.\ndense 10 softmax')).ok).toBe(true);
  });

  it("a block with an error of its own gets no 'no gate bias given' note; a sound one still does", () => {
    const r = compileText(net('flatten\ndense 50 relu\nhighway dense rleu\nhighway dense relu\ndense 10 softmax'));
    expect(r.diagnostics.map((x) => [x.code, x.span.start.line])).toEqual([
      ['HWY2003', 5],
      ['HWY5004', 6],
    ]);
    expect(codes(compileText(net('flatten\ndense 50 relu\nhighway dense rleu\ndense 10 softmax')))).toEqual(['HWY2003']);
  });

  it('blocks outside a network are an error, not a crash', () => {
    expect(errors(compileText('dense 10\n'))).toEqual(['HWY2008']);
  });
});
