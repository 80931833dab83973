import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `compute(input)` without recording its operations on an active gradient tape: the
 * result (e.g. neighbour indices) is treated as a constant by `tf.grad` / `tf.variableGrads`.
 * This keeps large intermediate tensors (score matrices of a kNN search) from being held until
 * the backward pass. Works by running the computation as the forward of a `tf.customGrad`
 * (tfjs does not record operations nested inside another operation) whose gradient is zero.
 */
export function untaped<T extends Tensor>(input: Tensor, compute: (x: Tensor) => T): T {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as Tensor;
    return { value: compute(x), gradFunc: () => tf.zerosLike(x) };
  });
  return op(input) as T;
}
