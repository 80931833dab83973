import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { batchGather } from './batch-gather.js';

/** LeakyReLU slope of the DGCNN blocks. */
export const DGCNN_NEGATIVE_SLOPE = 0.2;

/**
 * One EdgeConv block of DGCNN (the plain tfjs formulation; the reference for fused kernels):
 * for point i and each neighbour j, the edge feature `concat(x_j − x_i, x_i)` goes through a
 * 1×1 convolution without bias (`weight`), then `normalise` (batch norm), LeakyReLU(0.2), and
 * the maximum over the k neighbours.
 *
 * The convolution is evaluated as `x_j·W₁ + x_i·(W₂ − W₁)` (W₁, W₂ the rows of `weight` for the
 * two halves of the edge feature): two `[N, C] × [C, C']` products and a gather instead of a
 * `[N·k, 2C] × [2C, C']` product, the same value up to float32 rounding.
 *
 * @param x `[B, N, C]` point features.
 * @param idx int32 `[B, N, k]` neighbour indices ({@link knnIndicesReference}).
 * @param weight `[2C, C']`, rows 0..C−1 for `x_j − x_i`, rows C..2C−1 for `x_i`.
 * @param normalise applied to the `[B, N, k, C']` convolution output; must return a new tensor.
 * @returns `[B, N, C']`.
 */
export function edgeConvReference(
  x: Tensor3D,
  idx: Tensor3D,
  weight: Tensor2D,
  normalise: (z: Tensor) => Tensor,
): Tensor3D {
  return tf.tidy(() => {
    const [b, n, c] = x.shape;
    const out = weight.shape[1];
    const w1 = tf.slice(weight, [0, 0], [c, out]);
    const w2 = tf.slice(weight, [c, 0], [c, out]);
    const rows = tf.reshape(x, [b * n, c]);
    const neighbourPart = tf.reshape(tf.matMul(rows, w1), [b, n, out]) as Tensor3D;
    const centrePart = tf.reshape(tf.matMul(rows, tf.sub(w2, w1)), [b, n, 1, out]);
    // The [B, N, k, C'] intermediates are large: free each as soon as it is used (safe under
    // a gradient tape, which keeps its own references to what the backward pass needs).
    const gathered = batchGather(neighbourPart, idx);
    const z = tf.add(gathered, centrePart);
    gathered.dispose();
    const normalised = normalise(z);
    z.dispose();
    const activated = tf.leakyRelu(normalised, DGCNN_NEGATIVE_SLOPE);
    normalised.dispose();
    return tf.max(activated, 2) as Tensor3D;
  });
}
