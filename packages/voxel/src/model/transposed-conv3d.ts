import { biasAdd, type ConvTranspose3d } from '@cellshape/engine';
import type { Tensor, Tensor5D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * `layer.forward(x)`, differentiable on every backend. tfjs 4.22 registers no gradient for
 * `Conv3DBackpropInputV2` (its `conv3dTranspose`), which the engine's layer calls outside wasm;
 * there the same result is computed as the plain convolution it equals
 * ({@link transposedAsConv3d}). Where a gradient is registered, or on wasm (where the engine
 * already uses that formulation), the engine's layer runs.
 */
export function convTranspose3d(layer: ConvTranspose3d, x: Tensor): Tensor {
  if (tf.getBackend() === 'wasm' || tf.getGradient('Conv3DBackpropInputV2') !== undefined)
    return layer.forward(x);
  const { kernelSize, stride, padding, outputPadding } = layer.options;
  return tf.tidy(() => {
    const y = transposedAsConv3d(
      x,
      layer.weight.variable,
      kernelSize,
      stride,
      padding,
      outputPadding,
    );
    return layer.bias ? biasAdd(y, layer.bias.variable) : y;
  });
}

/** `x` with `stride − 1` zeros between neighbouring values along spatial axis `axis` (1..3). */
function spread(x: Tensor, axis: number, stride: number): Tensor {
  if (stride === 1) return x;
  const shape = x.shape;
  const n = shape[axis] as number;
  const split = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)];
  const pads = split.map((_, i): [number, number] => [0, i === axis + 1 ? stride - 1 : 0]);
  const merged = [...shape.slice(0, axis), n * stride, ...shape.slice(axis + 1)];
  const kept = [...shape.slice(0, axis), (n - 1) * stride + 1, ...shape.slice(axis + 1)];
  return tf.slice(tf.reshape(tf.pad(tf.reshape(x, split), pads), merged), [0, 0, 0, 0, 0], kept);
}

/**
 * PyTorch's transposed convolution (channels last, `filter` in tfjs's transposed layout
 * `[kd, kh, kw, out, in]`) as a stride-1 convolution: the input spread by the stride, padded by
 * `k − 1 − p` before and `k − 1 − p + outputPadding` after (PyTorch's output size
 * `(n − 1)·s − 2p + k + outputPadding`), convolved with the filter flipped along its spatial
 * axes, channels swapped. Needs `p ≤ k − 1`. Also the input gradient of a strided convolution.
 */
export function transposedAsConv3d(
  x: Tensor,
  filter: Tensor,
  kernelSize: readonly number[],
  stride: readonly number[],
  padding: readonly number[],
  outputPadding: readonly number[],
): Tensor {
  return tf.tidy(() => {
    let h = x;
    for (let i = 0; i < 3; i++) h = spread(h, i + 1, stride[i] as number);
    const borders = kernelSize.map((k, i): [number, number] => {
      const before = k - 1 - (padding[i] as number);
      return [before, before + (outputPadding[i] as number)];
    });
    const padded = tf.pad(h, [[0, 0], ...borders, [0, 0]]);
    const flipped = tf.reverse(tf.transpose(filter, [0, 1, 2, 4, 3]), [0, 1, 2]);
    return tf.conv3d(padded as Tensor5D, flipped as Tensor5D, [1, 1, 1], 'valid');
  });
}
