import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { wasmColumnSums, wasmColumnSumsApply } from '../kernels/conv/column-sums.js';

/**
 * Column sums of `[R, C]` → `[C]` in two levels (blocks of about √R rows, then the block sums),
 * so the float32 rounding error grows like √R rather than R: tfjs sums rows one after another,
 * while PyTorch's reductions stay within float32 rounding of the exact sum. Batch norm and the
 * bias gradients use it to match PyTorch.
 */
export function columnSum(t: Tensor): Tensor {
  return tf.tidy(() => {
    const [rows, cols] = t.shape as [number, number];
    const group = Math.max(1, Math.round(Math.sqrt(rows)));
    // tfjs-wasm reduces a non-last axis after a scalar transpose: the SIMD kernel instead.
    if (wasmColumnSumsApply(t)) return wasmColumnSums(t as tf.Tensor2D, group);
    const whole = Math.floor(rows / group) * group;
    const blocks = tf.reshape(tf.slice(t, [0, 0], [whole, cols]), [whole / group, group, cols]);
    const sum = tf.sum(tf.sum(blocks, 1), 0);
    return whole === rows
      ? sum
      : tf.add(sum, tf.sum(tf.slice(t, [whole, 0], [rows - whole, cols]), 0));
  });
}
