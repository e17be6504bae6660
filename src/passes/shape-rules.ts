import type { Layer, Shape } from '../ir/types.js';

export const fmtShape = (s: Shape | null | undefined): string => (s ? s.join('x') : '?');

export type ShapeResult = { out: Shape | null; error?: { code: string; message: string; hint?: string }; project?: Shape };

/** Output size of a window sliding over `n` (convolution or pooling). */
export function windowOut(n: number, k: number, s: number, padding: 'valid' | 'same', round: 'floor' | 'ceil'): number {
  if (padding === 'same') return Math.ceil(n / s);
  if (round === 'floor') return Math.floor((n - k) / s) + 1;
  // Caffe's ceil mode (pad 0): round up, but the last window must start inside the input.
  let out = Math.ceil((n - k) / s) + 1;
  if ((out - 1) * s >= n) out--;
  return out;
}

const needVector = (l: Layer, inShape: Shape): ShapeResult => ({
  out: null,
  error: {
    code: 'HWY3002',
    message: `'${l.kind.replace('_', ' ')}' needs a vector but its input is ${fmtShape(inShape)} feature maps`,
    hint: "add 'flatten' before it (or 'globalavgpool' to average each map)",
  },
});
const needMaps = (l: Layer, inShape: Shape): ShapeResult => ({
  out: null,
  error: {
    code: 'HWY3002',
    message: `'${l.kind.replace('_', ' ')}' needs HxWxC feature maps but its input is a vector of ${inShape[0]}`,
    hint: 'convolutions and pooling come before flatten and dense layers; or declare the input as HxWxC',
  },
});

function windowed(l: Layer, inShape: Shape, channels: number): ShapeResult {
  const [h, w] = inShape;
  const [kh, kw] = l.kernel!;
  const [sh, sw] = l.stride!;
  const pad = l.padding!;
  if (pad === 'valid' && (kh > h || kw > w)) {
    return {
      out: null,
      error: {
        code: 'HWY3003',
        message: `the ${kh}x${kw} window is larger than its ${h}x${w} input`,
        hint: "use a smaller kernel, 'padding=same', or remove a pooling layer before it",
      },
    };
  }
  const round = l.round ?? 'floor';
  return { out: [windowOut(h, kh, sh, pad, round), windowOut(w, kw, sw, pad, round), channels] };
}

/** Fields a layer of each kind needs; a layer whose values were invalid lacks some (already reported). */
export function isComplete(l: Layer): boolean {
  switch (l.kind) {
    case 'input':
      return l.shape !== undefined;
    case 'dense':
      return l.units !== undefined;
    case 'conv':
      return l.filters !== undefined && l.kernel !== undefined && l.stride !== undefined;
    case 'highway_conv':
    case 'residual_conv':
      return l.kernel !== undefined && l.stride !== undefined;
    case 'maxpool':
    case 'avgpool':
      return l.kernel !== undefined && l.stride !== undefined;
    case 'dropout':
      return l.rate !== undefined;
    default:
      return true;
  }
}

/** The shape rule of each layer kind. Pure: the shapes pass applies and reports. */
export function shapeRule(l: Layer, inShape: Shape): ShapeResult {
  if (!isComplete(l)) return { out: null };
  switch (l.kind) {
    case 'input':
      return { out: l.shape! };
    case 'flatten':
      return { out: [inShape.reduce((a, b) => a * b, 1)] };
    case 'dense':
      return inShape.length === 1 ? { out: [l.units!] } : needVector(l, inShape);
    case 'highway_dense':
    case 'residual_dense': {
      if (inShape.length !== 1) return needVector(l, inShape);
      const n = l.units ?? inShape[0];
      return n === inShape[0] ? { out: [n] } : { out: [n], project: inShape };
    }
    case 'conv':
      return inShape.length === 3 ? windowed(l, inShape, l.filters!) : needMaps(l, inShape);
    case 'highway_conv':
    case 'residual_conv': {
      if (inShape.length !== 3) return needMaps(l, inShape);
      const [sh, sw] = l.stride!;
      if (sh !== 1 || sw !== 1 || l.padding !== 'same') {
        return {
          out: null,
          error: {
            code: 'HWY3005',
            message: `a ${l.kind.replace('_', ' ')} block keeps its input size, so it needs stride 1 and padding=same`,
            hint: 'change the size with a plain conv or a pooling layer before the block',
          },
        };
      }
      const c = l.filters ?? inShape[2];
      const out = [inShape[0], inShape[1], c];
      return c === inShape[2] ? { out } : { out, project: inShape };
    }
    case 'maxpool':
    case 'avgpool':
      return inShape.length === 3 ? windowed(l, inShape, inShape[2]) : needMaps(l, inShape);
    case 'globalavgpool':
      return inShape.length === 3 ? { out: [inShape[2]] } : needMaps(l, inShape);
    case 'dropout':
    case 'activation':
      return { out: inShape };
  }
}
