import * as tf from '@tensorflow/tfjs-core';
import { readNow } from './checks.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './conv/wasm-columns.js';
import { runWasmRowsOnBothThreads } from './parallel.js';

/**
 * Column sums of `[R, C]` → `[C]` in two levels (blocks of about √R rows, then the block sums),
 * so the float32 rounding error grows like √R rather than R: tfjs sums rows one after another,
 * while PyTorch's reductions stay within float32 rounding of the exact sum. Batch norm and the
 * bias gradients use it to match PyTorch. On the threaded wasm backend a SIMD kernel sums the
 * blocks ({@link wasmColumnSums}).
 */
export function columnSum(t: tf.Tensor): tf.Tensor {
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

/**
 * Whether {@link wasmColumnSums} may sum `t`: float32 on the threaded wasm backend, and no
 * gradient tape records the sum (the kernel's result is a constant to a tape; inside a kernel
 * or a custom gradient — batch norm's and the bias's, which use it — nothing is recorded).
 */
export function wasmColumnSumsApply(t: tf.Tensor): boolean {
  const state = tf.engine().state as unknown as { gradientDepth: number; kernelDepth: number };
  const taped = state.gradientDepth > 0 && state.kernelDepth === 0;
  return t.dtype === 'float32' && !taped && wasmColumnsAvailable();
}

/**
 * Column sums `[R, C]` → `[C]` in two levels — groups of `group` rows summed in float32 by the
 * SIMD kernel of conv-kernels.wat on both threads, then the group sums here in float64 — on
 * the threaded wasm backend (check {@link wasmColumnSumsApply}): nn/column-sum.ts's rounding
 * (error growing like √R), without tfjs-wasm's reduction over a non-last axis (a scalar
 * transpose first; 0.2 s for `[262144, 32]`, the bias gradient of a 64² layer at batch 64).
 */
export function wasmColumnSums(t: tf.Tensor2D, group: number): tf.Tensor1D {
  const [rows, cols] = t.shape;
  const groups = Math.ceil(rows / group);
  const sums = uninitialised([groups, cols]);
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'columnSums',
    [readNow(t).byteOffset, rows, cols, group, readNow(sums).byteOffset],
    [[], []],
    groups,
    Math.max(1, Math.ceil(groups / 16)),
  );
  const values = readNow(sums);
  const total = new Float64Array(cols);
  for (let g = 0; g < groups; g++)
    for (let c = 0; c < cols; c++)
      total[c] = (total[c] as number) + (values[g * cols + c] as number);
  sums.dispose();
  return tf.tensor1d(Float32Array.from(total));
}
