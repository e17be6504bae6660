import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo, backend_util as BU } from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients; tfjs-layers' registers them all (what the
// umbrella @tensorflow/tfjs did), and training needs them before any kernel here runs.
import '@tensorflow/tfjs-layers';

type Backend = { disposeData(id: unknown): void };
type KernelFn = (args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs: Record<string, unknown> }) => TensorInfo;

function kernel(name: string): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  return k.kernelFunc as unknown as KernelFn;
}

/**
 * The filter gradient of a 2-D convolution, which the wasm backend lacks (so no conv net
 * trains on it out of the box). Computed as one forward convolution over transposed
 * tensors: dW[kh,kw,ci,co] = Σ_{n,i,j} xpad[n, i·s+kh, j·s+kw, ci] · dy[n,i,j,co], i.e. conv2d of
 * x^T ([Ci,H,W,N]) with dy^T ([Ho,Wo,N,Co]) at stride 1 and dilation = the forward stride.
 */
const conv2DBackpropFilter: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend, attrs }: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: Backend; attrs: Record<string, unknown> }) => {
    const { x, dy } = inputs;
    const { strides, pad, dimRoundingMode, filterShape } = attrs as { strides: [number, number] | number; pad: BU.PadInfo | 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
    const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
    if (dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad as 'same', dimRoundingMode);
    const [fh, fw, ci, co] = filterShape;
    const transpose = kernel('Transpose');
    const conv = kernel('Conv2D');
    const slice = kernel('Slice');
    const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
    const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
    const { top, bottom, left, right } = info.padInfo;
    const full = conv({
      inputs: { x: xT, filter: dyT },
      backend,
      attrs: { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined },
    });
    const cut = slice({ inputs: { x: full }, backend, attrs: { begin: [0, 0, 0, 0], size: [ci, fh, fw, co] } });
    const out = transpose({ inputs: { x: cut }, backend, attrs: { perm: [1, 2, 0, 3] } });
    for (const t of [xT, dyT, full, cut]) backend.disposeData(t.dataId);
    return out;
  }) as unknown as KernelConfig['kernelFunc'],
};

/**
 * The input gradient of a stride-1 convolution as one forward convolution of dy with the
 * spatially flipped, transposed filter: the wasm backend's own Conv2DBackpropInput is ~10x
 * slower than its Conv2D (measured on the paper's MNIST net). Strided convolutions keep it.
 */
function makeConv2DBackpropInput(original: KernelFn): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: Backend; attrs: Record<string, unknown> }) => {
      const { strides, pad, dimRoundingMode, inputShape } = attrs as { strides: [number, number] | number; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] };
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
      if (sh !== 1 || sw !== 1 || dataFormat !== 'NHWC') return original({ inputs, backend, attrs });
      const { dy, filter } = inputs;
      const [kh, kw] = filter.shape as number[];
      const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], 1, 1, pad, dimRoundingMode);
      const [, h, w] = inputShape;
      const [, ho, wo] = dy.shape as number[];
      const top = kh - 1 - info.padInfo.top;
      const left = kw - 1 - info.padInfo.left;
      const bottom = h - ho + kh - 1 - top;
      const right = w - wo + kw - 1 - left;
      if (top < 0 || left < 0 || bottom < 0 || right < 0) return original({ inputs, backend, attrs });
      const flipped = kernel('Reverse')({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
      const swapped = kernel('Transpose')({ inputs: { x: flipped }, backend, attrs: { perm: [0, 1, 3, 2] } });
      const out = kernel('Conv2D')({
        inputs: { x: dy, filter: swapped },
        backend,
        attrs: { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
      });
      for (const t of [flipped, swapped]) backend.disposeData(t.dataId);
      return out;
    }) as unknown as KernelConfig['kernelFunc'],
  };
}

let registered = false;
/** Registers the training kernels the wasm backend is missing. Idempotent. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.registerKernel(conv2DBackpropFilter);
  const stock = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stock) {
    // keep the stock kernel's set-up (it binds the wasm function the strided fallback calls)
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...stock, ...makeConv2DBackpropInput(stock.kernelFunc as unknown as KernelFn) });
  }
}
