import type { Layer, LayerKind, LayerOf, NetworkIR, Padding, Pair, Shape } from '../../ir/types.js';
import type { GatedLayer } from '../../language/kinds.js';
import type { Activation } from '../../language/catalogue.js';
import { VERSION } from '../../version.js';

/**
 * The PyTorch lowering of a checked IR: a self-contained Python module (imports only
 * `torch` and `math`) defining `class Net(torch.nn.Module)`.
 *
 * Contract (the torch trainer and the weight map rely on it):
 * - `Net()` takes no arguments; one attribute per IR layer, named as the IR names it.
 * - `forward(x)`: float32 `[N, C, H, W]` for image inputs (NCHW, as torchvision), `[N, units]`
 *   for vectors; returns logits (for `torch.nn.CrossEntropyLoss`): the last layer's values
 *   before its softmax, or the log of the clipped probabilities when the softmax sits inside
 *   a block. Feature-map outputs are NCHW. The tfjs layout (NHWC) is converted at the
 *   boundaries only: the trainer's data, the weight map (`ir_input_shape` is the IR's shape).
 * - `log_probs(x)`: log-probabilities for the loss, as `lossFn` in tfjs/train.ts reads the
 *   output; `probs(x)`: what the tfjs model outputs (`output_kind` says which it is).
 * - State-dict keys: `<layer>.weight|bias` for plain layers, `<layer>.h|t|c.weight|bias`
 *   for highway blocks (`<layer>.gates.weight|bias`: H's rows, then T's, then C's) and `<layer>.h.weight|bias` for residual ones (see weights.ts).
 */

interface Lowered {
  /** A Python expression that builds the layer's module. */
  module: string;
  /** What the layer is, for the comment above it. */
  label: string;
}

interface LowerCtx {
  /** This layer's softmax is applied by `forward`/`log_probs` (the last layer's only). */
  softmaxDeferred: boolean;
}

const py = {
  num(v: number): string {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a Python number`);
    return Number.isInteger(v) ? `${v}.0` : String(v);
  },
  str: (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  pair: (p: readonly number[]): string => `(${p[0]}, ${p[1]})`,
  tuple: (p: readonly number[]): string => (p.length === 1 ? `(${p[0]},)` : `(${p.join(', ')})`),
};

const fmt = (s: Shape | null | undefined): string => (s ? s.join('x') : '?');

/** Generated lines stay within this width (PEP 8's 79 is too tight for the layer constructors). */
const MAX_LINE = 100;

/** `prefix + call`, its arguments wrapped onto indented lines when the one line would be too long. */
function wrapCall(prefix: string, call: string): string {
  if (prefix.length + call.length <= MAX_LINE) return prefix + call;
  const open = call.indexOf('(');
  if (open < 0 || !call.endsWith(')')) return prefix + call;
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < call.length - 1; i++) {
    const c = call[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(call.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(call.slice(start, call.length - 1).trim());
  const indent = ' '.repeat(prefix.length - prefix.trimStart().length + 4);
  const lines: string[] = [];
  let line = '';
  for (const a of args) {
    const piece = `${a},`;
    if (indent.length + piece.length > MAX_LINE) {
      // an argument too long for a line of its own is a call itself: wrapped the same way
      if (line) lines.push(indent + line);
      lines.push(wrapCall(indent, a) + ',');
      line = '';
    } else if (line && indent.length + line.length + 1 + piece.length > MAX_LINE) {
      lines.push(indent + line);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(indent + line);
  return `${prefix}${call.slice(0, open + 1)}\n${lines.join('\n')}\n${' '.repeat(indent.length - 4)})`;
}

/** Text inside a docstring: backslashes (Windows paths) and quotes must not end or escape it. */
const docText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]+/g, ' ');

const channels = (s: Shape): number => s[s.length - 1];

/**
 * TensorFlow's 'same' padding of one spatial dimension: the total that makes ceil(n/s)
 * windows fit, the odd cell after (bottom/right). PyTorch's own padding is symmetric.
 */
function samePad(n: number, k: number, s: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** F.pad order for NCHW maps, (left, right, top, bottom); null when nothing is padded. */
function padding(l: { padding: Padding; inShape: Shape }, kernel: Pair, stride: Pair): [number, number, number, number] | null {
  if (l.padding !== 'same') return null;
  const [h, w] = l.inShape;
  const [top, bottom] = samePad(h, kernel[0], stride[0]);
  const [left, right] = samePad(w, kernel[1], stride[1]);
  return top + bottom + left + right === 0 ? null : [left, right, top, bottom];
}

const act = (l: { activation: Activation }, ctx: LowerCtx): string => (ctx.softmaxDeferred ? 'linear' : l.activation);
const actLabel = (l: { activation: Activation }, ctx: LowerCtx): string => (ctx.softmaxDeferred ? 'softmax (applied by probs and log_probs: forward returns logits)' : `${l.activation}`);

function denseModule(nIn: number, nOut: number, activation: string, init: string, bias: number): string {
  return `Dense(${nIn}, ${nOut}, act=${py.str(activation)}, init=${py.str(init)}, bias=${py.num(bias)})`;
}

function convModule(cIn: number, cOut: number, kernel: [number, number], stride: [number, number], pad: number[] | null, activation: string, init: string, bias: number): string {
  const p = pad ? `, pad=${py.tuple(pad)}` : '';
  const s = stride[0] !== 1 || stride[1] !== 1 ? `, stride=${py.pair(stride)}` : '';
  return `Conv(${cIn}, ${cOut}, ${py.pair(kernel)}${s}${p}, act=${py.str(activation)}, init=${py.str(init)}, bias=${py.num(bias)})`;
}

/**
 * H, T (and C) of a gated block as one layer with 2 (or 3) times the units, split after the
 * matmul or convolution: one kernel call instead of two or three, faster on every device
 * (measured: `npm run bench -- engines`). Each part keeps its own initialiser and bias: the
 * gates start with the IR's gate bias, the carry gate with its negation (open).
 */
function highway(l: GatedLayer, ctx: LowerCtx, n: number, gates: (units: number) => string): string {
  const { gateBias, gateInit } = l;
  const parts: [string, number][] = [
    [l.init, l.biasInit],
    [gateInit, gateBias],
  ];
  if (l.carry === 'free') parts.push([gateInit, -gateBias]);
  const list = parts.map(([init, bias]) => `(${py.str(init)}, ${py.num(bias)})`).join(', ');
  return `Highway(${gates(parts.length * n)}, ${n}, act=${py.str(act(l, ctx))}, parts=[${list}])`;
}

function gatedLabel(l: GatedLayer, ctx: LowerCtx, what: string): string {
  return `${what} ${actLabel(l, ctx)}, gate bias ${l.gateBias}${l.carry === 'free' ? ', free carry' : ''}`;
}

const convLabel = (l: { padding: Padding }, kernel: Pair, stride: Pair): string =>
  `${kernel.join('x')}${stride[0] !== 1 || stride[1] !== 1 ? ` stride ${stride.join('x')}` : ''}${l.padding === 'same' ? ' same' : ''}`;

/** One lowering per IR kind: adding a kind to `LayerKind` makes tsc name this table. */
const LOWER: { [K in LayerKind]: (l: LayerOf<K>, ctx: LowerCtx) => Lowered | null } = {
  input: () => null,
  flatten: () => ({ module: 'Flatten()', label: 'flatten (HWC order, as tfjs)' }),
  dense: (l, ctx) => ({
    module: denseModule(channels(l.inShape), channels(l.outShape), act(l, ctx), l.init, l.biasInit),
    label: `${l.inserted ? 'inserted projection: ' : ''}dense ${actLabel(l, ctx)}`,
  }),
  conv: (l, ctx) => {
    const { kernel, stride } = l;
    return {
      module: convModule(channels(l.inShape), channels(l.outShape), kernel, stride, padding(l, kernel, stride), act(l, ctx), l.init, l.biasInit),
      label: `${l.inserted ? 'inserted projection: ' : ''}conv ${convLabel(l, kernel, stride)} ${actLabel(l, ctx)}`,
    };
  },
  highway_dense: (l, ctx) => {
    const n = channels(l.inShape);
    return { module: highway(l, ctx, n, (units) => denseModule(n, units, 'linear', l.init, 0)), label: gatedLabel(l, ctx, 'highway dense') };
  },
  highway_conv: (l, ctx) => {
    const c = channels(l.inShape);
    const kernel = l.kernel;
    const pad = padding(l, kernel, [1, 1]);
    return {
      module: highway(l, ctx, c, (units) => convModule(c, units, kernel, [1, 1], pad, 'linear', l.init, 0)),
      label: gatedLabel(l, ctx, `highway conv ${kernel.join('x')}`),
    };
  },
  residual_dense: (l, ctx) => {
    const n = channels(l.inShape);
    return { module: `Residual(${denseModule(n, n, act(l, ctx), l.init, l.biasInit)})`, label: `residual dense ${actLabel(l, ctx)}` };
  },
  residual_conv: (l, ctx) => {
    const c = channels(l.inShape);
    const kernel = l.kernel;
    const conv = convModule(c, c, kernel, [1, 1], padding(l, kernel, [1, 1]), act(l, ctx), l.init, l.biasInit);
    return { module: `Residual(${conv})`, label: `residual conv ${kernel.join('x')} ${actLabel(l, ctx)}` };
  },
  maxpool: (l) => pool(l, 'max'),
  avgpool: (l) => pool(l, 'avg'),
  globalavgpool: () => ({ module: 'GlobalAvgPool()', label: 'global average pooling' }),
  dropout: (l) => ({ module: `torch.nn.Dropout(${py.num(l.rate)})`, label: `dropout ${l.rate}` }),
  activation: (l, ctx) => ({ module: `Activation(${py.str(act(l, ctx))})`, label: actLabel(l, ctx) }),
};

function pool(l: LayerOf<'maxpool' | 'avgpool'>, mode: 'max' | 'avg'): Lowered {
  const { kernel, stride } = l;
  const pad = padding(l, kernel, stride);
  const ceil = l.padding !== 'same' && l.round === 'ceil';
  const extra = `${ceil ? ', ceil=True' : ''}${pad ? `, pad=${py.tuple(pad)}` : ''}`;
  return {
    module: `Pool(${py.str(mode)}, ${py.pair(kernel)}, ${py.pair(stride)}${extra})`,
    label: `${mode}pool ${kernel.join('x')} stride ${stride.join('x')}${l.padding === 'same' ? ' same' : ceil ? ' ceil' : ''}`,
  };
}

/** How the network's output reads as a distribution; mirrors `outputsProbabilities` + `lossFn` of tfjs/train.ts. */
export type OutputKind =
  /** the last layer is a plain layer with softmax: `forward` applies it, `log_probs` uses log_softmax */
  | 'softmax'
  /** the last non-dropout layer's activation is softmax, but inside a block or before dropout: log of the clipped output */
  | 'probabilities'
  /** anything else is read as logits */
  | 'logits';

export function outputKind(ir: NetworkIR): OutputKind {
  const layers = ir.layers;
  const last = layers[layers.length - 1];
  if (last && (last.kind === 'dense' || last.kind === 'conv' || last.kind === 'activation') && last.activation === 'softmax') return 'softmax';
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (l.kind === 'dropout') continue;
    return 'activation' in l && l.activation === 'softmax' ? 'probabilities' : 'logits';
  }
  return 'logits';
}

const PY_RESERVED = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
/** Attributes of torch.nn.Module and of Net that a layer attribute must not shadow. */
const MODULE_ATTRS = new Set(['forward', 'body', 'log_probs', 'training', 'input_shape', 'output_shape', 'train', 'eval', 'parameters', 'modules', 'children', 'state_dict', 'to', 'cuda', 'cpu', 'apply', 'zero_grad', 'float', 'double', 'half', 'type', 'dump_patches']);

function attrName(l: Layer): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(l.name) || PY_RESERVED.has(l.name) || MODULE_ATTRS.has(l.name) || l.name.startsWith('_')) {
    throw new Error(`IR layer name '${l.name}' cannot be a PyTorch attribute name`);
  }
  return l.name;
}

/** The fixed part of every generated module: the layer classes. */
const PRELUDE = `import math

import torch
import torch.nn.functional as F


def identity(x):
    return x


def softmax(x):
    # dim 1: the units of a vector, the channels of NCHW maps (tfjs: the last axis of NHWC)
    return torch.softmax(x, dim=1)


ACTIVATIONS = {
    'relu': torch.relu, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid,
    'softmax': softmax, 'linear': identity,
}


def init_kernel(w, scheme, fan_in, fan_out):
    """Keras's variance scaling, as tfjs initialises: scale 1/fan_avg (glorot), 2/fan_in (he)
    or 1/fan_in (lecun); uniform in +-sqrt(3 scale), or normal with std sqrt(scale) cut at 2 std.
    A convolution's fans count its receptive field: kh * kw * channels."""
    if scheme == 'zeros':
        return torch.nn.init.zeros_(w)
    family, distribution = scheme.rsplit('_', 1)
    if family == 'glorot':
        scale = 1.0 / max(1.0, (fan_in + fan_out) / 2.0)
    elif family == 'he':
        scale = 2.0 / max(1.0, fan_in)
    elif family == 'lecun':
        scale = 1.0 / max(1.0, fan_in)
    else:
        raise ValueError('unknown initialiser: ' + scheme)
    if distribution == 'uniform':
        limit = math.sqrt(3.0 * scale)
        return torch.nn.init.uniform_(w, -limit, limit)
    std = math.sqrt(scale)
    return torch.nn.init.trunc_normal_(w, 0.0, std, -2.0 * std, 2.0 * std)


class Dense(torch.nn.Linear):
    """act(x W^T + b). weight is [out, in]; tfjs stores its transpose, [in, out]."""

    def __init__(self, n_in, n_out, act, init, bias):
        super().__init__(n_in, n_out)
        self.act = ACTIVATIONS[act]
        self.act_name = act
        init_kernel(self.weight, init, n_in, n_out)
        torch.nn.init.constant_(self.bias, bias)

    def forward(self, x):
        return self.act(F.linear(x, self.weight, self.bias))

    def extra_repr(self):
        return super().extra_repr() + ', act=' + self.act_name


class Conv(torch.nn.Conv2d):
    """act(conv(x, W) + b) over NCHW maps. weight is [out, in, kh, kw]; tfjs: [kh, kw, in, out].
    pad = (left, right, top, bottom) zero cells, placed as TensorFlow's 'same' places them
    (an odd cell goes to the bottom or right, which PyTorch's symmetric padding cannot say)."""

    def __init__(self, c_in, c_out, kernel, stride=(1, 1), pad=(0, 0, 0, 0), act='linear',
                 init='glorot_uniform', bias=0.0):
        symmetric = pad[0] == pad[1] and pad[2] == pad[3]
        padding = (pad[2], pad[0]) if symmetric else (0, 0)
        super().__init__(c_in, c_out, kernel, stride, padding=padding)
        self.pad = None if symmetric else tuple(pad)
        self.act = ACTIVATIONS[act]
        self.act_name = act
        field = kernel[0] * kernel[1]
        init_kernel(self.weight, init, c_in * field, c_out * field)
        torch.nn.init.constant_(self.bias, bias)

    def forward(self, x):
        if self.pad is not None:
            x = F.pad(x, self.pad)
        return self.act(F.conv2d(x, self.weight, self.bias, self.stride, self.padding))

    def extra_repr(self):
        return super().extra_repr() + ', act=' + self.act_name


class Highway(torch.nn.Module):
    """y = H(x) T(x) + x (1 - T(x)); with a free carry gate C, y = H(x) T(x) + x C(x).
    H, T (and C) have their own weights, as in the paper, kept as the rows of one layer gates
    (channels 0..n-1: H, n..2n-1: T, then C): one matmul or convolution instead of two or three.
    parts: (initialiser, bias) of H, T (and C), each initialised as a layer of its own."""

    def __init__(self, gates, n, act, parts):
        super().__init__()
        self.gates = gates
        self.n = n
        self.act = ACTIVATIONS[act]
        self.act_name = act
        if isinstance(gates, torch.nn.Conv2d):
            field = gates.kernel_size[0] * gates.kernel_size[1]
            fan_in = gates.in_channels * field
        else:
            field, fan_in = 1, gates.in_features
        with torch.no_grad():
            for k, (init, bias) in enumerate(parts):
                init_kernel(gates.weight[k * n:(k + 1) * n], init, fan_in, n * field)
                gates.bias[k * n:(k + 1) * n].fill_(bias)

    def forward(self, x):
        g = self.gates(x).split(self.n, dim=1)
        h = self.act(g[0])
        t = torch.sigmoid(g[1])
        if len(g) == 2:
            return torch.addcmul(x, t, h - x)
        return h * t + x * torch.sigmoid(g[2])

    def extra_repr(self):
        return 'n=%d, act=%s' % (self.n, self.act_name)


class Residual(torch.nn.Module):
    """y = H(x) + x."""

    def __init__(self, h):
        super().__init__()
        self.h = h

    def forward(self, x):
        return self.h(x) + x


class Pool(torch.nn.Module):
    """Max or average pooling over NCHW maps.
    ceil: Caffe's rounding, which keeps a last partial window if it starts inside the input;
    PyTorch's ceil_mode follows that rule, and the cells past the edge count in no average.
    pad = (left, right, top, bottom): TensorFlow's 'same' padding; padded cells never win a
    max and count in no average."""

    def __init__(self, mode, kernel, stride, ceil=False, pad=None):
        super().__init__()
        self.mode = mode
        self.kernel = kernel
        self.stride = stride
        self.ceil = ceil
        self.pad = pad

    def forward(self, x):
        if self.pad is None:
            pool = F.max_pool2d if self.mode == 'max' else F.avg_pool2d
            return pool(x, self.kernel, self.stride, ceil_mode=self.ceil)
        if self.mode == 'max':
            return F.max_pool2d(F.pad(x, self.pad, value=-math.inf), self.kernel, self.stride)
        # mean over the real cells = mean over all cells / the fraction of real cells
        ones = torch.ones_like(x[:1, :1])
        fraction = F.avg_pool2d(F.pad(ones, self.pad), self.kernel, self.stride)
        return F.avg_pool2d(F.pad(x, self.pad), self.kernel, self.stride) / fraction

    def extra_repr(self):
        return 'mode=%s, kernel=%s, stride=%s, ceil=%s, pad=%s' % (
            self.mode, self.kernel, self.stride, self.ceil, self.pad)


class GlobalAvgPool(torch.nn.Module):
    """The mean of each NCHW map: [N, C, H, W] -> [N, C]."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


class Flatten(torch.nn.Module):
    """Flattens NCHW maps in HWC order, as tfjs flattens NHWC, so dense weights carry over."""

    def forward(self, x):
        if x.dim() == 4:
            x = x.permute(0, 2, 3, 1)
        return x.flatten(1)


class Activation(torch.nn.Module):
    def __init__(self, act):
        super().__init__()
        self.act = ACTIVATIONS[act]
        self.act_name = act

    def forward(self, x):
        return self.act(x)

    def extra_repr(self):
        return self.act_name
`;

/** A readable, self-contained PyTorch module computing the same function as `lowerToModel(ir)`. */
export function emitModelPy(ir: NetworkIR): string {
  const layers = ir.layers;
  const input = layers[0];
  if (!input || input.kind !== 'input') throw new Error('the IR has no input layer');
  const inShp = input.outShape;
  const last = layers[layers.length - 1];
  const outShp = last.outShape;
  const kind = outputKind(ir);

  const init: string[] = [];
  const body: string[] = [`        # ${input.name}: ${fmt(inShp)}${inShp.length === 3 ? ` (NCHW here: [N, ${inShp[2]}, ${inShp[0]}, ${inShp[1]}])` : ''}`];
  const seen = new Set<string>();
  layers.forEach((l, i) => {
    const ctx: LowerCtx = { softmaxDeferred: kind === 'softmax' && i === layers.length - 1 };
    const lowered = (LOWER[l.kind] as (l: Layer, ctx: LowerCtx) => Lowered | null)(l, ctx);
    if (!lowered) return;
    const name = attrName(l);
    if (seen.has(name)) throw new Error(`IR layer name '${name}' appears twice`);
    seen.add(name);
    init.push(`        # ${name}: ${lowered.label} -> ${fmt(l.outShape)}`);
    init.push(wrapCall(`        self.${name} = `, lowered.module));
    body.push(`        x = self.${name}(x)`);
  });

  // dim 1: the classes of a vector output, the channels of NCHW maps
  const outputDoc =
    kind === 'softmax'
      ? `logits: the last layer's values before its softmax (probs() applies it)`
      : kind === 'probabilities'
        ? 'the log of the probabilities (the softmax sits inside the last block), clipped to [1e-7, 1 - 1e-7] as tfjs clips them: usable as logits'
        : 'logits (the network does not end in softmax)';
  let heads: string;
  if (kind === 'softmax') {
    heads = `    def forward(self, x):
        """Logits: what CrossEntropyLoss takes."""
        return self.body(x)

    def log_probs(self, x):
        return torch.log_softmax(self.body(x), dim=1)

    def probs(self, x):
        """The probabilities the tfjs model outputs."""
        return torch.softmax(self.body(x), dim=1)
`;
  } else if (kind === 'probabilities') {
    heads = `    def forward(self, x):
        """Log-probabilities, clipped as tfjs clips them: softmax() of them gives the probabilities back."""
        return torch.log(torch.clamp(self.body(x), 1e-7, 1.0 - 1e-7))

    def log_probs(self, x):
        return self.forward(x)

    def probs(self, x):
        """The probabilities the tfjs model outputs."""
        return self.body(x)
`;
  } else {
    heads = `    def forward(self, x):
        """Logits: the tfjs model outputs the same values."""
        return self.body(x)

    def log_probs(self, x):
        """Log-probabilities for the loss: the output is read as logits, as the tfjs engine reads it."""
        return torch.log_softmax(self.body(x), dim=1)

    def probs(self, x):
        return torch.softmax(self.body(x), dim=1)
`;
  }
  const nchw = (s: Shape) => (s.length === 3 ? [s[2], s[0], s[1]] : [...s]);

  const doc = `"""PyTorch lowering of network '${docText(ir.network.name)}' (${docText(ir.file)}).

Generated by hwy ${VERSION} from the checked IR: regenerate it rather than edit it.
Input: float32 [N, ${nchw(inShp).join(', ')}] (${inShp.length === 3 ? 'N, channels, height, width: NCHW, as torchvision' : 'N, units'}).
Output: [N, ${nchw(outShp).join(', ')}], ${outputDoc}.
Data in the IR's layout ([N, ${inShp.join(', ')}]${inShp.length === 3 ? ', NHWC' : ''}) goes in as Net.from_ir_layout(x).
Weights: one attribute per IR layer, named as in the IR; the tfjs weight of each state-dict
entry is given by hwy's weight map (kernels are transposed: [out, in] and [out, in, kh, kw]).
"""
`;

  return `${doc}${PRELUDE}

class Net(torch.nn.Module):
    """network ${docText(ir.network.name)}: ${layers.length} IR layers."""

    input_shape = ${py.tuple(nchw(inShp))}
    output_shape = ${py.tuple(nchw(outShp))}
    # the IR's (and tfjs's) shapes: NHWC for maps
    ir_input_shape = ${py.tuple(inShp)}
    ir_output_shape = ${py.tuple(outShp)}
    # what the tfjs model outputs: probs(x) when 'probabilities', forward(x) when 'logits'
    output_kind = ${py.str(kind === 'logits' ? 'logits' : 'probabilities')}

    @staticmethod
    def from_ir_layout(x):
        """A batch in the IR's layout (any shape holding [N, ${inShp.join(', ')}]) as forward() takes it."""
        x = x.reshape((-1,) + Net.ir_input_shape)
        return x.permute(0, 3, 1, 2).contiguous() if x.dim() == 4 else x

    def __init__(self):
        super().__init__()
${init.length ? init.join('\n') : '        pass'}

    def body(self, x):
        """Every layer in the IR's order${kind === 'softmax' ? ", but the last layer's softmax" : ''}."""
${body.join('\n')}
        return x

${heads}`;
}
