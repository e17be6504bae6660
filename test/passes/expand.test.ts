import { describe, expect, it } from 'vitest';
import { checkedIr, compileText, codes, errors, layerAs, net, ROOT } from '../helpers.js';
import { compile } from '../../src/core/compile.js';
import { guidelineGateBias } from '../../src/passes/resolve.js';
import { CODES } from '../../src/diagnostics/codes.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('expand pass: constants and repeats', () => {
  it('repeats expand in order, nested repeats multiply, and layers know their repetition', () => {
    const r = compileText(net('repeat 2 {\n  repeat 3 {\n    highway dense gate_bias=-1\n  }\n  dense 10\n}', '10'));
    const l = r.ir!.layers;
    expect(l.map((x) => x.kind)).toEqual(['input', ...Array(2).fill(['highway_dense', 'highway_dense', 'highway_dense', 'dense']).flat()]);
    expect(l[3].repeat).toEqual([
      { index: 1, count: 2 },
      { index: 3, count: 3 },
    ]);
    expect(l.map((x) => x.name).slice(1, 5)).toEqual(['highway_dense_1', 'highway_dense_2', 'highway_dense_3', 'dense_1']);
  });
  it('a count of zero gives no layers; a negative or fractional count is an error', () => {
    expect(compileText(net('repeat 0 {\n  dense 3\n}', '4')).ir!.layers.length).toBe(1);
    expect(errors(compileText(net('repeat -1 {\n  dense 3\n}', '4')))).toEqual(['HWY4003']);
    expect(errors(compileText(net('repeat 3 / 2 {\n  dense 3\n}', '4')))).toEqual(['HWY4003']);
  });
  it('--set overrides a let, and later lets see the override', () => {
    const text = 'let depth = 10\nlet inner = depth - 1\n' + net('flatten\ndense 50\nrepeat inner {\n  highway dense gate_bias=-2\n}');
    expect(compileText(text).ir!.stats!.highwayLayers).toBe(9);
    expect(compileText(text, { depth: 100 }).ir!.stats!.highwayLayers).toBe(99);
    expect(compileText(text, { depth: 3 }).ir!.constants).toEqual({ depth: 3, inner: 2 });
  });
  it('refuses a repeat in the millions before allocating anything', () => {
    const r = compileText(net('repeat 1000000 {\n  repeat 1000000 {\n    highway dense\n  }\n}', '10'));
    expect(errors(r)).toEqual(['HWY4001']);
    expect(r.ir!.layers).toEqual([]);
    expect(r.diagnostics[0].message).toContain('limit is 200,000');
  });
  it('a repeated body that adds no layers is bounded too, and quickly', () => {
    for (const body of ['expect 10', 'defaults gate_bias=-2', '']) {
      const t0 = Date.now();
      const r = compileText(net(`repeat 1000000000 {\n  ${body}\n}`, '10'));
      expect(errors(r)).toEqual(['HWY4001']);
      expect(r.diagnostics[0].message).toMatch(/limit is 800,000/);
      expect(r.diagnostics[0].span.start.line).toBe(3);
      expect(r.ir!.expects).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });
  it('the layer limit is checked at every statement, not only after a repeat', () => {
    const r = compileText(net('relu\n'.repeat(12), '10'), undefined);
    expect(r.ok).toBe(true);
    const small = compile(net('relu\n'.repeat(12), '10'), 't.hwy', { limits: { maxLayers: 10 } });
    expect(small.diagnostics.map((d) => d.code)).toEqual(['HWY4001']);
    // the 11th layer (input + 10 relu) crosses the limit: line 2 is the input, so line 12
    expect(small.diagnostics[0].span.start.line).toBe(12);
    expect(small.ir!.layers).toEqual([]);
  });
  it('names that are properties of JavaScript objects are ordinary constants', () => {
    const text = 'let constructor = 3\nlet toString = 4\nlet __proto__ = 5\nlet hasOwnProperty = 2\n' + net('dense constructor\ndense toString\ndense __proto__ * hasOwnProperty', '10');
    const r = compileText(text);
    expect(errors(r)).toEqual([]);
    expect(r.ir!.layers.slice(1).map((l) => layerAs(l, 'dense').units)).toEqual([3, 4, 10]);
    expect(Object.entries(r.ir!.constants)).toEqual([['constructor', 3], ['toString', 4], ['__proto__', 5], ['hasOwnProperty', 2]]);
    // an override of such a name is used; a name that is not a constant is not taken from Object.prototype
    expect(layerAs(compileText(text, { toString: 7 }).ir!.layers[2], 'dense').units).toBe(7);
    expect(errors(compileText(net('dense constructor', '10')))).toEqual(['HWY2004']);
  });
  it('refuses tensors and parameter counts that cannot be allocated', () => {
    expect(errors(compileText(net('dense 1000000000', '10')))).toEqual(['HWY4002']);
    expect(errors(compileText(net('dense 100000', '1000000')))).toEqual(['HWY4002']);
  });
  it('undefined names, division by zero and fractions get their own codes', () => {
    expect(errors(compileText(net('dense widht', '4')))).toEqual(['HWY2004']);
    expect(errors(compileText(net('dense 4 / 0', '4')))).toEqual(['HWY2013']);
    expect(errors(compileText(net('dense 5 / 2', '4')))).toEqual(['HWY2013']);
    expect(errors(compileText(net('dense 0', '4')))).toEqual(['HWY3001']);
    expect(errors(compileText(net('dense -3', '4')))).toEqual(['HWY3001']);
  });
  it('did you mean, for kinds, attributes and values', () => {
    const r = compileText(net('flatten\ndense 10 actvation=relu\nconv2 3\nmaxpool 2 padding=smae', '8x8x1'));
    const hints = r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.hint);
    expect(hints).toContain("did you mean 'activation'?");
    expect(hints).toContain("did you mean 'conv'?");
    expect(hints).toContain("did you mean 'same'?");
  });
  it('gate attributes on ungated blocks are refused', () => {
    expect(errors(compileText(net('dense 10 gate_bias=-2', '4')))).toEqual(['HWY2002']);
    expect(errors(compileText(net('highway maxpool 2', '4x4x1')))).toEqual(['HWY2001']);
  });
  it('two blocks on one line are caught', () => {
    expect(codes(compileText(net('flatten dense 10', '4x4x1')))).toContain('HWY2007');
  });
  it('defaults apply to later blocks only, and the block\'s own value wins', () => {
    const r = compileText(net('highway dense\ndefaults gate_bias=-3 carry=free\nhighway dense\nhighway dense gate_bias=-1', '10'));
    const hw = r.ir!.layers.filter((l) => l.kind === 'highway_dense');
    expect(hw.map((l) => [l.gateBias, l.carry])).toEqual([
      [-1, 'coupled'],
      [-3, 'free'],
      [-1, 'free'],
    ]);
    expect(hw[1].params).toBe(3 * (10 * 10 + 10));
  });
  it('a train section resolves with defaults and validates values', () => {
    const r = compileText(net('flatten', '4') + 'train {\n  lr 0.1 schedule=multistep steps=[5, 8]\n  optimizer sgd nesterov=true\n  batch 32\n}\n');
    expect(r.ir!.train).toMatchObject({ lr: { value: 0.1, schedule: 'multistep', gamma: 0.1, steps: [5, 8] }, optimizer: { momentum: 0.9, nesterov: true }, batch: 32, epochs: 10 });
    expect(errors(compileText(net('flatten', '4') + 'train {\n  batch 0\n}\n'))).toEqual(['HWY3001']);
    expect(errors(compileText(net('flatten', '4') + 'train {\n  epoch 3\n}\n'))).toEqual(['HWY2011']);
    expect(compileText(net('flatten', '4') + 'train {\n  epoch 3\n}\n').diagnostics[0].hint).toBe("did you mean 'epochs'?");
  });

  it('every name in a train section is checked: an unknown optimizer is an error, not SGD; a setting written apart from its owner says where it goes', () => {
    const train = (body: string) => compileText(net('flatten', '4') + `train {\n${body}\n}\n`);
    for (const [body, message, hint] of [
      ['  optimizer adagrad', "unknown optimizer 'adagrad'", "hwy has sgd, adam, adamw, rmsprop: write 'optimizer adam' or 'optimizer sgd momentum=0.9'"],
      ['  optimizer adamm', "unknown optimizer 'adamm'", "did you mean 'adam'?"],
      ['  optimizer sgd beta1=0.8', "'beta1' is not a setting of sgd", "'beta1' is a setting of adam and adamw; sgd takes momentum, nesterov"],
      ['  optimizer adam momentum=0.9', "'momentum' is not a setting of adam", "'momentum' is a setting of sgd and rmsprop; adam takes beta1, beta2, epsilon"],
      ['  optimizer rmsprop weight_decay=0.1', "'weight_decay' is not a setting of rmsprop", "'weight_decay' is a setting of adamw; rmsprop takes rho, momentum, epsilon"],
      ['  optimizer adamw epsilon=0', "'epsilon' must be greater than 0, not 0", undefined as unknown as string],
      ['  lr 0.1 min_lr=0.01', "'min_lr' is the floor of schedule=cosine; this schedule is constant", "add schedule=cosine, or leave 'min_lr' out"],
      ['  lr 0.1 schedule=cosine min_lr=0.2', "'min_lr' must be below the learning rate (0.1), not 0.2", 'the cosine schedule decays from the rate down to min_lr'],
      ['  lr 0.1 warmup=2 warmup_steps=100', "give 'warmup' (epochs) or 'warmup_steps' (steps), not both", 'keep one of them'],
      ['  lr 0.1 warmup=1.5', "'warmup' must be a whole number, not 1.5", 'sizes, counts and steps are whole numbers'],
      ['  optimizer sgdd momentum=0.5', "unknown optimizer 'sgdd'", "did you mean 'sgd'?"],
      ['  momentum 0.9', "'momentum' is not a setting of its own: it is an attribute of 'optimizer'", "write it on the 'optimizer' line: optimizer sgd momentum=0.9"],
      ['  nesterov true', "'nesterov' is not a setting of its own: it is an attribute of 'optimizer'", "write it on the 'optimizer' line: optimizer sgd nesterov=true"],
      ['  validation 0.2', "'validation' is not a setting of its own: it is an attribute of 'data'", "write it on the 'data' line: data mnist validation=0.2"],
    ]) {
      const r = train(body);
      expect(r.ok, body).toBe(false);
      const d = r.diagnostics.filter((x) => x.severity === 'error');
      expect(d.map((x) => x.message), body).toEqual([message]);
      expect(d[0].hint).toBe(hint);
      expect(d[0].span.start.line).toBe(6);
    }
    expect(train('  optimizer sgd momentum=0.5').ir!.train!.optimizer).toEqual({ name: 'sgd', momentum: 0.5, nesterov: false });
  });

  it('each optimizer starts from its own defaults and takes its own attributes; cosine and warm-up land in the IR', () => {
    const train = (body: string) => checkedIr(compileText(net('flatten', '4') + `train {\n${body}\n}\n`)).train!;
    expect(train('  optimizer adam').optimizer).toEqual({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    expect(train('  optimizer adamw beta2=0.98 weight_decay=0.05').optimizer).toEqual({ name: 'adamw', beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: 0.05 });
    expect(train('  optimizer rmsprop momentum=0.5').optimizer).toEqual({ name: 'rmsprop', rho: 0.9, momentum: 0.5, epsilon: 1e-7 });
    // no name: sgd, as before
    expect(train('  optimizer nesterov=true').optimizer).toEqual({ name: 'sgd', momentum: 0.9, nesterov: true });
    expect(train('  lr 0.1 schedule=cosine min_lr=0.001 warmup_steps=500').lr).toEqual({ value: 0.1, schedule: 'cosine', gamma: 1, steps: [], minLr: 0.001, warmup: 0, warmupSteps: 500 });
    expect(train('  lr 0.1 schedule=exponential warmup=3').lr).toMatchObject({ gamma: 0.95, warmup: 3, warmupSteps: 0 });
  });
});

describe('resolve pass', () => {
  it('follows the depth guideline of the reference when no gate bias is given', () => {
    expect([5, 10, 20, 30, 100, 1000].map(guidelineGateBias)).toEqual([-1, -1, -2, -3, -10, -10]);
    const r = compileText(net('repeat 20 {\n  highway dense\n}', '8'));
    expect(layerAs(r.ir!.layers[1], 'highway_dense').gateBias).toBe(-2);
    expect(codes(r)).toContain('HWY5004');
  });
  it('the reference states the guideline the compiler applies, and the other texts point to it', () => {
    const reference = readFileSync(join(ROOT, 'grammar/README.md'), 'utf8');
    expect(reference).toContain('gate_bias = −round(h / 10), clamped to [−10, −1]');
    // the examples the reference gives, against the compiler
    const m = /h = 9 gives −(\d+), 19 gives −(\d+), 29 gives −(\d+), 49 gives −(\d+) and 99 or more gives −(\d+)/.exec(reference.replace(/\s+/g, ' '));
    expect(m).not.toBeNull();
    expect([9, 19, 29, 49, 99, 150].map(guidelineGateBias)).toEqual([...m!.slice(1).map((x) => -Number(x)), -10]);
    // and where a network is compiled: 49 highway layers without a gate bias start at -5
    const r = compileText(net('repeat 49 {\n  highway dense\n}', '8'));
    expect(layerAs(r.ir!.layers[1], 'highway_dense').gateBias).toBe(-5);
    // the paper spec and the explanation of HWY5004 point to the reference instead of listing numbers of their own
    const spec = readFileSync(join(ROOT, 'specs/paper/mlp-highway.hwy'), 'utf8');
    expect(spec).toContain('grammar/README.md, "Gate biases"');
    expect(spec).not.toMatch(/-1, -2/);
    expect(CODES.find((c) => c.code === 'HWY5004')!.explanation).toContain('grammar/README.md, "Gate biases"');
  });
  it('fills initialisers, activations and pooling defaults', () => {
    const r = compileText(net('conv 4 3x3\nhighway conv\nmaxpool 2', '8x8x1'));
    const [, c, h, p] = checkedIr(r).layers;
    const [conv, hw, pool] = [layerAs(c, 'conv'), layerAs(h, 'highway_conv'), layerAs(p, 'maxpool')];
    expect([conv.activation, conv.init, conv.padding, conv.stride]).toEqual(['linear', 'glorot_uniform', 'valid', [1, 1]]);
    expect([hw.activation, hw.kernel, hw.padding, hw.carry, hw.gateInit]).toEqual(['relu', [3, 3], 'same', 'coupled', 'glorot_uniform']);
    expect([pool.stride, pool.round]).toEqual([[2, 2], 'floor']);
  });
});

describe('lint pass', () => {
  it('warns on positive and very negative gate biases, deep plain stacks, softmax before the end, unused constants', () => {
    expect(codes(compileText(net('highway dense gate_bias=2', '4')))).toContain('HWY5001');
    expect(codes(compileText(net('highway dense gate_bias=-12', '4')))).toContain('HWY5006');
    expect(codes(compileText(net('repeat 21 {\n  dense 4\n}', '4')))).toContain('HWY5002');
    expect(codes(compileText(net('repeat 20 {\n  dense 4\n}', '4')))).not.toContain('HWY5002');
    expect(codes(compileText(net('dense 4 softmax\ndense 3', '4')))).toContain('HWY5007');
    expect(codes(compileText('let a = 1\n' + net('dense 3', '4')))).toContain('HWY5005');
  });
  it('warns when pooling rounding matters and was not chosen, not otherwise', () => {
    expect(codes(compileText(net('maxpool 3x3 stride=2', '24x24x1')))).toContain('HWY5003');
    expect(codes(compileText(net('maxpool 3x3 stride=2 round=ceil', '24x24x1')))).not.toContain('HWY5003');
    expect(codes(compileText(net('maxpool 2x2', '24x24x1')))).not.toContain('HWY5003');
  });
});
