import { expect } from 'vitest';
import { checkedIr, compileText, net } from '../../helpers.js';
import type { NetworkIR } from '../../../src/ir/types.js';
import { findPython, type PythonInfo } from '../../../src/backends/torch/python.js';

/** One network per layer kind (and per variant that lowers differently), kept tiny. */
export const CASES: { name: string; input: string; body: string }[] = [
  { name: 'dense layers (tanh, sigmoid, softmax)', input: '6', body: 'dense 5 tanh\ndense 4 sigmoid init=lecun_normal bias_init=0.1\ndense 3 softmax' },
  { name: 'highway dense, coupled carry', input: '5', body: 'highway dense relu gate_bias=-1\nhighway dense tanh gate_bias=-2\ndense 3 softmax' },
  { name: 'highway dense, free carry', input: '5', body: 'highway dense relu carry=free gate_bias=-1.5\ndense 3 softmax' },
  { name: 'inserted dense projection, logits output', input: '6', body: 'highway dense 4 relu\ndense 3 linear' },
  { name: 'residual dense', input: '4', body: 'residual dense relu\nresidual dense tanh\ndense 3 softmax' },
  {
    name: 'conv: valid, strided, same (odd and even kernels), flatten after conv',
    input: '7x7x2',
    body: 'conv 3 3x3 relu\nconv 4 3x3 tanh stride=2 padding=same\nconv 3 2x2 relu padding=same\nconv 2 2x2 relu stride=2\nflatten\ndense 3 softmax',
  },
  { name: 'highway conv, coupled carry (3x3 and even 2x2)', input: '6x6x3', body: 'highway conv 3x3 relu gate_bias=-1\nhighway conv 2x2 tanh gate_bias=-1\nglobalavgpool\ndense 3 softmax' },
  { name: 'highway conv, free carry, inserted conv projection', input: '5x5x2', body: 'highway conv 3 3x3 relu carry=free gate_bias=-1\nflatten\ndense 3 softmax' },
  { name: 'residual conv', input: '5x5x3', body: 'residual conv 3x3 relu\nflatten\ndense 2 softmax' },
  { name: 'ceil pooling where ceil matters', input: '8x8x2', body: 'maxpool 3x3 stride=2 round=ceil\navgpool 3x3 stride=2 round=ceil\nflatten\ndense 3 softmax' },
  { name: 'ceil average pooling, partial window', input: '5x5x2', body: 'avgpool 2x2 stride=2 round=ceil\nmaxpool 2x2 stride=2 round=ceil\nflatten\ndense 3 softmax' },
  { name: 'floor pooling', input: '8x8x2', body: 'maxpool 3x3 stride=2\navgpool 2x2 stride=1 round=floor\nflatten\ndense 3 softmax' },
  { name: 'same-padded pooling (symmetric and asymmetric)', input: '7x7x2', body: 'maxpool 3x3 stride=2 padding=same\navgpool 2x2 stride=2 padding=same\navgpool 3x3 stride=1 padding=same\nflatten\ndense 3 softmax' },
  {
    name: 'dropout, activation layers, globalavgpool, softmax as a layer',
    input: '4x4x3',
    body: 'dropout 0.3\nconv 3 3x3 linear padding=same\nrelu\nglobalavgpool\ndense 4 linear\ntanh\ndropout 0.2\ndense 3 linear\nsoftmax',
  },
  { name: 'a highway block that ends in softmax (probabilities output)', input: '4', body: 'dense 3 relu\nhighway dense softmax gate_bias=-1' },
  { name: 'feature-map output (NHWC, softmax over channels)', input: '4x4x2', body: 'highway conv 3x3 relu\nconv 3 1x1 softmax' },
  // kernels of 2,000+ weights, so that the initialisers' distributions can be compared
  {
    name: 'initialisers and bias constants (dense)',
    input: '64',
    body: 'dense 48 relu init=he_uniform bias_init=0.25\nhighway dense relu init=lecun_uniform gate_init=he_normal gate_bias=-3 carry=free\nresidual dense tanh init=glorot_normal bias_init=-0.5\ndense 64 sigmoid init=lecun_normal\ndense 32 tanh init=glorot_uniform\ndense 10 softmax init=zeros',
  },
  {
    name: 'initialisers and bias constants (conv)',
    input: '6x6x16',
    body: 'conv 24 3x3 relu init=he_normal padding=same\nconv 8 5x5 tanh padding=same\nhighway conv 3x3 relu gate_init=lecun_normal gate_bias=-2\nresidual conv 3x3 relu init=he_uniform\nglobalavgpool\ndense 3 softmax',
  },
];

export function caseIR(c: { input: string; body: string }): NetworkIR {
  return checkedIr(compileText(net(c.body, c.input)));
}

/** The Python the torch engine would use, or why there is none (the tests then skip, saying so). */
export function pythonOrReason(): { python: PythonInfo | null; reason: string } {
  try {
    return { python: findPython(), reason: '' };
  } catch (e) {
    const reason = (e as Error).message;
    console.warn(`torch tests skipped: ${reason}`);
    return { python: null, reason };
  }
}

/** A test title that names the Python and torch the test ran with, or why it was skipped. */
export function torchTitle(python: PythonInfo | null, reason: string): (what: string) => string {
  return (what) => (python ? `${what} (${python.path}, torch ${python.torch})` : `${what}: SKIPPED, ${reason}`);
}

/** max |a - b| / max |b|: the relative error of a whole tensor (element-wise ratios blow up near 0). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
