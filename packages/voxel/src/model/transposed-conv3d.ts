import { biasAdd, type ConvTranspose3d } from '@cellshape/engine';
import type { Tensor, Tensor5D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * `layer.forward(x)`, differentiable on every backend. tfjs 4.22 registers no gradient for
 * `Conv3DBackpropInputV2` (its `conv3dTranspose`), which the engine's layer calls outside wasm;
 * there the same computation runs with its gradient given ({@link transposedConv3dFull}). Where
 * a gradient is registered, or on wasm (where the engine computes the transposed convolution
 * as a plain one, whose gradients are registered), the engine's layer runs.
 */
export function convTranspose3d(layer: ConvTranspose3d, x: Tensor): Tensor {
  if (tf.getBackend() === 'wasm' || tf.getGradient('Conv3DBackpropInputV2') !== undefined)
    return layer.forward(x);
  const { kernelSize: k, stride: s, padding: p, outChannels } = layer.options;
  const sizes = x.shape.slice(1, 4) as number[];
  const out = layer.outputShape(x.shape).slice(1, 4) as number[];
  // PyTorch's output is the full result from `padding` on; it may end up to outputPadding − p
  // beyond the full (n − 1)·s + k, where no input reaches (zeros).
  const computed = sizes.map((n, i) =>
    Math.max((n - 1) * (s[i] as number) + (k[i] as number), (p[i] as number) + (out[i] as number)),
  );
  return tf.tidy(() => {
    const full = transposedConv3dFull(x, layer.weight.variable, computed, s);
    const batch = x.shape[0] as number;
    const cropped = computed.every((c, i) => c === out[i])
      ? full
      : tf.slice(full, [0, ...p, 0], [batch, ...out, outChannels]);
    return layer.bias ? biasAdd(cropped, layer.bias.variable) : cropped;
  });
}

/**
 * tfjs's `conv3dTranspose(x, filter)` ('valid', spatial output `sizes`) with its gradients: the
 * transposed convolution is the adjoint of the strided convolution by the same filter, so the
 * input gradient is that convolution of the output gradient and the filter gradient is the
 * convolution's filter gradient with the two roles swapped.
 */
export function transposedConv3dFull(
  x: Tensor,
  filter: Tensor,
  sizes: readonly number[],
  stride: readonly number[],
): Tensor {
  const strides = stride as [number, number, number];
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [input, weight, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
    const shape = [input.shape[0] as number, ...sizes, weight.shape[3] as number] as [
      number,
      number,
      number,
      number,
      number,
    ];
    save([input, weight]);
    return {
      value: tf.conv3dTranspose(input as Tensor5D, weight as Tensor5D, shape, strides, 'valid'),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, w] = saved as [Tensor5D, Tensor5D];
        const dx = tf.conv3d(dy as Tensor5D, w, strides, 'valid');
        const dw = tf
          .engine()
          .runKernel(
            'Conv3DBackpropFilterV2',
            { x: dy, dy: xs },
            { strides, pad: 'valid', filterShape: w.shape },
          ) as Tensor;
        return [dx, dw];
      },
    };
  });
  return op(x, filter);
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
 * axes, channels swapped. Needs `p ≤ k − 1`. Used for the input gradient of a strided
 * convolution on wasm, whose `conv3dTranspose` kernel gives wrong values.
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
