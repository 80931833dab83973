import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Column sums of `[R, C]` in two levels (blocks of about √R rows, then the block sums), so the
 * float32 rounding error grows like √R rather than R: tfjs sums rows one after another.
 */
export function columnSum(t: Tensor): Tensor {
  return tf.tidy(() => {
    const [rows, cols] = t.shape as [number, number];
    const group = Math.max(1, Math.round(Math.sqrt(rows)));
    const whole = Math.floor(rows / group) * group;
    const blocks = tf.reshape(tf.slice(t, [0, 0], [whole, cols]), [whole / group, group, cols]);
    const sum = tf.sum(tf.sum(blocks, 1), 0);
    return whole === rows
      ? sum
      : tf.add(sum, tf.sum(tf.slice(t, [whole, 0], [rows - whole, cols]), 0));
  });
}

/**
 * `x + bias` over the last axis, whose bias gradient (a sum over every row of `x`, thousands of
 * terms in the FoldingNet decoder) is accumulated with {@link columnSum} to stay within float32
 * rounding of PyTorch's.
 *
 * @param x `[..., C]`. @param bias `[C]`.
 */
export function biasAdd(x: Tensor, bias: Tensor): Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [input, b] = args as [Tensor, Tensor];
    const channels = b.shape[0] as number;
    return {
      value: tf.add(input, b),
      gradFunc: (dy: Tensor) => [tf.clone(dy), columnSum(tf.reshape(dy, [-1, channels]))],
    };
  });
  return op(x, bias);
}
