import type { Tensor, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Gathers rows per batch element: `out[b, ...i, c] = x[b, idx[b, ...i], c]`.
 *
 * @param x `[B, N, C]` float32.
 * @param idx int32 `[B, ...S]` with values in `[0, N)` (not checked: internal use).
 * @returns `[B, ...S, C]`; differentiable in `x` (the gradient scatter-adds with `scatterND`,
 *   which every backend implements), never in `idx`.
 */
export function batchGather(x: Tensor3D, idx: Tensor): Tensor {
  const [b, n, c] = x.shape;
  const count = idx.size;
  const flat = tf.tidy(() => {
    const offsets = tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(n, 'int32'));
    return tf.reshape(tf.add(tf.reshape(idx, [b, -1]), tf.reshape(offsets, [b, 1])), [count]);
  });
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as Tensor;
    (args[1] as tf.GradSaveFunc)([flat]);
    return {
      value: tf.reshape(tf.gather(tf.reshape(input, [b * n, c]), flat), [...idx.shape, c]),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const rows = tf.reshape(saved[0] as Tensor, [count, 1]);
        return tf.reshape(tf.scatterND(rows, tf.reshape(dy, [count, c]), [b * n, c]), [b, n, c]);
      },
    };
  });
  const out = op(x);
  flat.dispose();
  return out;
}
