import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { fusedBiasAdd } from '../kernels/fused/channel-ops.js';
import { fusedAvailable } from '../kernels/fused/fused-wasm.js';
import { columnSum } from './column-sum.js';

/**
 * `x + bias` over the last axis, whose bias gradient (a sum over every other position of `x`,
 * often thousands of terms) is accumulated with {@link columnSum} to stay within float32
 * rounding of PyTorch's. On the threaded wasm backend the sum runs as one SIMD kernel on both
 * threads (the gradient of `x` is `dy` itself, not a copy).
 *
 * @param x `[..., C]`. @param bias `[C]`. @returns `[..., C]`.
 */
export function biasAdd(x: Tensor, bias: Tensor): Tensor {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [input, b] = args as [Tensor, Tensor];
    const channels = b.shape[0] as number;
    return {
      value:
        fusedAvailable(channels) && input.dtype === 'float32' && input.shape.at(-1) === channels
          ? fusedBiasAdd(input, b)
          : tf.add(input, b),
      // dy passed on as a reshape (a new tensor on the same data): tf.clone copies on wasm.
      gradFunc: (dy: Tensor) => [
        tf.reshape(dy, dy.shape),
        columnSum(tf.reshape(dy, [-1, channels])),
      ],
    };
  });
  return op(x, bias);
}
