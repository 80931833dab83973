import type { GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient of 2×2 stride-2 "valid" max-pooling, `x` `[B, H, W, C]` with even H and W:
 * `dy` goes to the first maximum of each window in row-major order, as PyTorch's
 * `max_pool2d` (ties are common after ReLU and batch norm; spreading `dy` over every tie would
 * change the gradients of the layers below).
 */
export function maxPool2x2Grad(dy: Tensor, x: Tensor): Tensor {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const windows = tf.reshape(
      tf.transpose(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [0, 1, 3, 5, 2, 4]),
      [b, h / 2, w / 2, c, 4],
    );
    // int32 one-hot, then cast: tfjs-backend-wasm 4.22 writes a float32 oneHot as int bits.
    const mask = tf.cast(tf.oneHot(tf.argMax(windows, -1), 4), 'float32');
    const spread = tf.reshape(tf.mul(mask, tf.expandDims(dy, -1)), [b, h / 2, w / 2, c, 2, 2]);
    return tf.reshape(tf.transpose(spread, [0, 1, 4, 2, 5, 3]), [b, h, w, c]);
  });
}

function isPool2x2(attrs: NamedAttrMap, x: Tensor): boolean {
  const size = attrs.filterSize as number | number[];
  const strides = attrs.strides as number | number[];
  const pair = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v, v]);
  return (
    pair(size).every((s) => s === 2) &&
    pair(strides).every((s) => s === 2) &&
    attrs.pad === 'valid' &&
    (x.shape[1] as number) % 2 === 0 &&
    (x.shape[2] as number) % 2 === 0
  );
}

const MAX_POOL_GRADIENT: GradConfig = {
  kernelName: 'MaxPool',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y] = saved as [Tensor4D, Tensor4D];
    if (isPool2x2(attrs, x)) return { x: () => maxPool2x2Grad(dy as Tensor, x) };
    // Other pools: tfjs's own MaxPoolGrad kernel (cpu; not every backend has one).
    return {
      x: () =>
        tf
          .engine()
          .runKernel('MaxPoolGrad', { dy: dy as Tensor, input: x, output: y }, attrs) as Tensor,
    };
  },
};

/**
 * Registers the gradient of tfjs's `MaxPool` kernel unless one is registered already (the
 * engine registers only the gradients its models use, and tfjs-core's own are not loaded in
 * Node; an engine or `@tensorflow/tfjs` gradient registered first wins).
 */
export function registerMaxPoolGradient(): void {
  if (tf.getGradient('MaxPool') === undefined) tf.registerGradient(MAX_POOL_GRADIENT);
}
