import * as tf from '@tensorflow/tfjs-core';
import { channelSums, chunkRows, pointer, runFused, uninitialised } from './fused-wasm.js';

/**
 * Per-channel operations on channels-last tensors `[..., C]` by the fused kernels (check
 * `fusedAvailable(C)` first; not differentiable: for gradient functions and for the forward
 * functions of `tf.customGrad`).
 */

/** The column sums `[C]` of `t` `[..., C]`, accumulated in float64. */
export function fusedColumnSum(t: tf.Tensor): tf.Tensor1D {
  const channels = t.shape[t.rank - 1] as number;
  const rows = t.size / channels;
  const zeros = tf.zeros([channels]);
  const p = pointer(t);
  const { s1 } = channelSums(
    'sums',
    [p, p, pointer(zeros), channels],
    [1, 1],
    channels,
    rows,
    chunkRows(channels),
  );
  zeros.dispose();
  return tf.tensor1d(Float32Array.from(s1), 'float32');
}

/** `x + bias` over the last axis (`bias` `[C]`): a new tensor. */
export function fusedBiasAdd(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const channels = x.shape[x.rank - 1] as number;
  const ones = tf.ones([channels], 'float32');
  const y = uninitialised(x.shape);
  runFused(
    'normalise',
    [pointer(x), channels],
    [1, 1, pointer(ones), pointer(bias), pointer(y)],
    x.size / channels,
    chunkRows(channels),
  );
  ones.dispose();
  return y;
}
