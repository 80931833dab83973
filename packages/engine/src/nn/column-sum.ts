import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { gradientsRecorded } from '../kernels/checks.js';
import { fusedColumnSum } from '../kernels/fused/channel-ops.js';
import { fusedAvailable } from '../kernels/fused/fused-wasm.js';

/**
 * Column sums of `[R, C]` → `[C]` in two levels (blocks of about √R rows, then the block sums),
 * so the float32 rounding error grows like √R rather than R: tfjs sums rows one after another,
 * while PyTorch's reductions stay within float32 rounding of the exact sum. Batch norm and the
 * bias gradients use it to match PyTorch. On the threaded wasm backend, outside a gradient tape
 * (the result is not differentiable there), a fused kernel sums in float64 on both threads.
 */
export function columnSum(t: Tensor): Tensor {
  const [rows, cols] = t.shape as [number, number];
  if (fusedAvailable(cols) && t.dtype === 'float32' && !gradientsRecorded())
    return fusedColumnSum(t);
  return tf.tidy(() => {
    const group = Math.max(1, Math.round(Math.sqrt(rows)));
    const whole = Math.floor(rows / group) * group;
    const blocks = tf.reshape(tf.slice(t, [0, 0], [whole, cols]), [whole / group, group, cols]);
    const sum = tf.sum(tf.sum(blocks, 1), 0);
    return whole === rows
      ? sum
      : tf.add(sum, tf.sum(tf.slice(t, [whole, 0], [rows - whole, cols]), 0));
  });
}
