import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { matMulParallel } from '../kernels/mat-mul.js';

/**
 * `x · w` (`[R, I] × [I, O]` → `[R, O]`), the same values as `tf.matMul` and its gradient, with
 * the gradients computed as untransposed products of materialised transposes,
 * `dx = dy · wᵀ` and `dw = xᵀ · dy`: the wasm backend serves only the untransposed matMul from
 * XNNPACK (its transposed variants, which tfjs's stock matMul gradient uses, are far slower).
 * Large products use both cores ({@link matMulParallel}).
 */
export function dense(x: Tensor2D, w: Tensor2D): Tensor2D {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [input, weight, save] = args as [Tensor2D, Tensor2D, tf.GradSaveFunc];
    save([input, weight]);
    return {
      value: matMulParallel(input, weight),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, ws] = saved as [Tensor2D, Tensor2D];
        return [
          matMulParallel(dy as Tensor2D, tf.transpose(ws)),
          matMulParallel(tf.transpose(xs), dy as Tensor2D),
        ];
      },
    };
  });
  return op(x, w) as Tensor2D;
}
