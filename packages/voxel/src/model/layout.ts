import type { BatchNorm } from '@cellshape/engine';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The activation of the simple encoder and the decoder: LeakyReLU with slope `negSlope` when
 * `leaky`, else ReLU.
 */
export function activate(x: Tensor, leaky: boolean, negSlope: number): Tensor {
  return leaky ? tf.leakyRelu(x, negSlope) : tf.relu(x);
}

/**
 * The activation, then batch norm when there is one: the pair the simple encoder and the
 * decoder apply after each convolution, fused into the norm's kernel passes where it can.
 */
export function activateNorm(
  x: Tensor,
  norm: BatchNorm | undefined,
  training: boolean,
  leaky: boolean,
  negSlope: number,
): Tensor {
  if (norm === undefined) return activate(x, leaky, negSlope);
  return norm.apply(x, training, { before: leaky ? negSlope : 0 });
}

/**
 * `[B, D, H, W, C]` → `[B, C·D·H·W]` in PyTorch's channels-first order (`x.view(B, -1)` of an
 * NCDHW tensor), so that a Linear layer after it has PyTorch's weights.
 */
export function flattenChannelsFirst(x: Tensor): Tensor2D {
  const batch = x.shape[0] as number;
  return tf.reshape(tf.transpose(x, [0, 4, 1, 2, 3]), [batch, -1]);
}

/** `[B, C·s³]` in PyTorch's channels-first order (`x.view(B, C, s, s, s)`) → channels-last `[B, s, s, s, C]`. */
export function unflattenChannelsFirst(x: Tensor, channels: number, size: number): Tensor {
  const batch = x.shape[0] as number;
  return tf.transpose(tf.reshape(x, [batch, channels, size, size, size]), [0, 2, 3, 4, 1]);
}
