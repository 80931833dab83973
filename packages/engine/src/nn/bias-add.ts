import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { columnSum } from './column-sum.js';

/**
 * `x + bias` over the last axis, whose bias gradient (a sum over every other position of `x`,
 * often thousands of terms) is accumulated with {@link columnSum} to stay within float32
 * rounding of PyTorch's.
 *
 * @param x `[..., C]`. @param bias `[C]`. @returns `[..., C]`.
 */
export function biasAdd(x: Tensor, bias: Tensor): Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [input, b] = args as [Tensor, Tensor];
    const channels = b.shape[0] as number;
    return {
      value: tf.add(input, b),
      // dy passed on as a reshape (a new tensor on the same data): tf.clone copies on wasm.
      gradFunc: (dy: Tensor) => [
        tf.reshape(dy, dy.shape),
        columnSum(tf.reshape(dy, [-1, channels])),
      ],
    };
  });
  return op(x, bias);
}
