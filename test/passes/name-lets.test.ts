import { describe, expect, it } from 'vitest';
import { compile } from '../../src/core/compile.js';
import { checkedIr, codes, errors, layerAs } from '../helpers.js';

/** Constants that hold names: `let act = relu` reaches an activation, `carry=c` a carry, `gate_bias=gb` (auto) the guideline. */
const SPEC = `let act = relu
let gb = auto
let c = coupled
network n {
  input 784
  dense 20 act
  highway dense act gate_bias=gb carry=c
  dense 10 softmax
}
`;
const run = (text: string, overrides: Record<string, number | string> = {}) => compile(text, 'n.hwy', { overrides });

describe('constants that hold names', () => {
  it('a constant holding an activation, carry or auto reaches the block as if the word were written', () => {
    const ir = checkedIr(run(SPEC));
    expect(layerAs(ir.layers[1], 'dense').activation).toBe('relu');
    const h = layerAs(ir.layers[2], 'highway_dense');
    expect([h.activation, h.carry, h.gateBias]).toEqual(['relu', 'coupled', -1]);
    expect(ir.constants).toEqual({ act: 'relu', gb: 'auto', c: 'coupled' });
    // auto: as if not written, so the guideline's note is given
    expect(codes(run(SPEC))).toContain('HWY5004');
  });
  it('--set replaces a name: act=tanh, c=free, gb=-4 (a number where auto was)', () => {
    const ir = checkedIr(run(SPEC, { act: 'tanh', c: 'free', gb: -4 }));
    expect(layerAs(ir.layers[1], 'dense').activation).toBe('tanh');
    const h = layerAs(ir.layers[2], 'highway_dense');
    expect([h.activation, h.carry, h.gateBias]).toEqual(['tanh', 'free', -4]);
  });
  it('gate_bias=auto keeps an earlier network default rather than the guideline', () => {
    const ir = checkedIr(run('network n {\n  input 10\n  defaults gate_bias=-3\n  highway dense gate_bias=auto\n  dense 10 softmax\n}\n'));
    expect(layerAs(ir.layers[1], 'highway_dense').gateBias).toBe(-3);
  });
  it('a name where a number is used, or a number where a name is, is one error at the use', () => {
    const arith = run('let act = relu\nlet w = act + 1\nnetwork n {\n  input 784\n  dense w act\n}\n');
    expect(errors(arith)).toEqual(['HWY2003']);
    expect(arith.diagnostics.find((d) => d.code === 'HWY2003')!.message).toBe("'act' holds the name 'relu', not a number");
    const num = run(SPEC, { act: 3 });
    expect(num.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([
      "'activation' must be one of relu, tanh, sigmoid, softmax, linear, not 3 ('act')",
      "'activation' must be one of relu, tanh, sigmoid, softmax, linear, not 3 ('act')",
    ]);
    const gb = run(SPEC, { gb: 'relu' });
    expect(gb.diagnostics.find((d) => d.severity === 'error')!.message).toBe("'gate_bias' must be a number or auto, not the name 'relu' ('gb')");
  });
  it('a misspelt name is reported where the constant is defined, once', () => {
    const r = run('let act = rleu\nnetwork n {\n  input 784\n  dense 10 act\n}\n');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message, d.hint, d.span.start.line])).toEqual([['HWY2004', "'rleu' is not defined", "did you mean 'relu'?", 1]]);
  });
  it('a constant misspelt in another constant is still an undefined name, and its uses are not reported again', () => {
    const r = run('let width = 10\nlet w = widht\nnetwork n {\n  input 784\n  dense w\n}\n');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.message, d.hint])).toEqual([["'widht' is not defined", "did you mean 'width'?"]]);
  });
  it('a name given with --set to a constant that holds a number is refused, naming the flag', () => {
    const r = compile('let depth = 3\nnetwork n {\n  input 10\n  repeat depth {\n    highway dense\n  }\n}\n', 'n.hwy', { overrides: { depth: 'abc' } });
    const d = r.diagnostics.find((x) => x.span.file.startsWith('--set'))!;
    expect([d.span.file, d.message]).toEqual(['--set depth=abc', "'depth' holds a number, and 'abc' is not one"]);
    // auto is a word the language takes in place of a number
    expect(compile('let gb = -2\nnetwork n {\n  input 10\n  highway dense gate_bias=gb\n}\n', 'n.hwy', { overrides: { gb: 'auto' } }).ok).toBe(true);
  });
});
