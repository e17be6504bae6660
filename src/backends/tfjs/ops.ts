import * as tf from '@tensorflow/tfjs-core';

export type Act = 'relu' | 'tanh' | 'sigmoid' | 'softmax' | 'linear';

/** Activations tfjs can fuse into a matmul or convolution. */
function fusable(act: Act): 'relu' | 'sigmoid' | 'linear' | undefined {
  return act === 'relu' || act === 'sigmoid' || act === 'linear' ? act : undefined;
}

/** dL/dz from dL/dy for y = act(z), written in terms of y (saved from the forward pass). */
function activationGrad(dy: tf.Tensor, y: tf.Tensor, act: Act): tf.Tensor {
  switch (act) {
    case 'relu':
      return tf.mul(dy, tf.step(y));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    default:
      return dy;
  }
}

const denseOps = new Map<Act, (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

/**
 * act(x·W + b). On the wasm backend with a hand-written gradient: the forward pass is one
 * fused kernel; the backward pass transposes explicitly, since there a matmul with a
 * transpose flag is ~6x slower than a transpose followed by a plain matmul (npm run bench).
 */
export function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, act: Act): tf.Tensor {
  if (act === 'softmax') return tf.softmax(dense(x, w, b, 'linear'));
  if (tf.getBackend() !== 'wasm') {
    // Elsewhere the stock gradient (matmuls with transpose flags) is as fast or faster.
    const fused = fusable(act);
    const z = tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: fused ?? 'linear' });
    return fused ? z : tf.tanh(z);
  }
  let op = denseOps.get(act);
  if (!op) {
    const fused = fusable(act);
    op = tf.customGrad(((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor, save: tf.GradSaveFunc) => {
      const z = tf.fused.matMul({ a: xs as tf.Tensor2D, b: ws as tf.Tensor2D, bias: bs, activation: fused ?? 'linear' });
      const y = fused ? z : act === 'tanh' ? tf.tanh(z) : z;
      save([xs, ws, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sw, sy] = saved;
          const dz = activationGrad(dy, sy, act);
          return [tf.matMul(dz, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dz), tf.sum(dz, 0)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    denseOps.set(act, op);
  }
  return op(x, w, b);
}

/** act(conv(x, W) + b), "same" padding, stride 1; relu fused into the convolution. */
export function convSame(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor, act: Act): tf.Tensor {
  // a fused sigmoid leaves the wasm backend's fast convolution path (npm run bench)
  const fused = act === 'relu' || act === 'linear' ? act : undefined;
  const z = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: fused ?? 'linear' });
  if (fused) return z;
  return act === 'tanh' ? tf.tanh(z) : act === 'sigmoid' ? tf.sigmoid(z) : act === 'softmax' ? tf.softmax(z) : z;
}

/**
 * The coupled highway combination y = H·T + x·(1 − T), as x + T·(H − x), with its
 * gradient from the paper: dH = T·dy, dT = (H − x)·dy, dx = (1 − T)·dy.
 */
export const highwayCombine = tf.customGrad(((x: tf.Tensor, h: tf.Tensor, t: tf.Tensor, save: tf.GradSaveFunc) => {
  const d = tf.sub(h, x);
  save([t, d]);
  return {
    value: tf.add(x, tf.mul(t, d)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [st, sd] = saved;
      const dh = tf.mul(dy, st);
      return [tf.sub(dy, dh), dh, tf.mul(dy, sd)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, h: tf.Tensor, t: tf.Tensor) => tf.Tensor;
