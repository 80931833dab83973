import { checkInteger, invalidArgument } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, checkTensor } from './checks.js';
import { knnOnWasm } from './knn-wasm.js';
import { kernels, runOnWorker, shared, sharedCopy } from './parallel.js';
import { squaredNorms } from './squared-norms.js';

/**
 * k nearest neighbours of every point of a batch of point sets, on plain typed arrays.
 *
 * `data` holds `shape = [B, N, C]` row-major (point-major: the C features of a point are
 * contiguous). Returns the `B·N·k` indices (into the N points of the same sample) of the k
 * largest scores `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²` per row, i.e. the k smallest squared
 * distances, the point itself included, best first. Ties in the score keep the lower index.
 */
export function knnIndicesArray(
  data: Float32Array,
  shape: readonly [number, number, number],
  k: number,
): Int32Array {
  const fn = 'knnIndicesArray';
  const [b, n, c] = shape;
  if (![b, n, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw invalidArgument(fn, 'shape', '[B, N, C] of positive integers', [...shape]);
  }
  if (data.length !== b * n * c) {
    throw invalidArgument(fn, 'data', `of length B·N·C = ${b * n * c}`, data.length);
  }
  checkInteger(fn, 'k', k, { min: 1, max: n });
  checkFinite(fn, 'data', data);
  return knnTypedArray(data, b, n, c, k);
}

/** The typed-array kNN of validated input. */
function knnTypedArray(data: Float32Array, b: number, n: number, c: number, k: number): Int32Array {
  const out = shared(Int32Array, b * n * k);
  const x = sharedCopy(data);
  for (let s = 0; s < b; s++) {
    const base = s * n * c;
    const sq = sharedCopy(squaredNorms(x, base, n, c));
    // Rows split between the worker thread and this one.
    const half = n >> 1;
    const pending = runOnWorker('selectFromPoints', [
      x,
      base,
      sq,
      n,
      c,
      k,
      0,
      half,
      out,
      s * n * k,
    ]);
    kernels.selectFromPoints(x, base, sq, n, c, k, half, n, out, s * n * k);
    pending.wait();
  }
  return out;
}

/**
 * k nearest neighbours of every point (feature vector) of a batch, as in DGCNN.
 *
 * `x`: float32 `[B, N, C]`; `k` in [1, N]. Returns an int32 tensor `[B, N, k]` of indices into
 * the N points of the same sample: the k largest scores `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²`
 * (float32, evaluated in that order like the PyTorch reference), best first, the point itself
 * included. No gradient (indices). Ties in the score keep the lower index; where the reference
 * score has a near-tie at the k-th place, the set can differ from PyTorch's by that one point.
 * The caller owns (disposes) the result.
 */
export function knnIndices(x: tf.Tensor, k: number): tf.Tensor3D {
  const fn = 'knnIndices';
  const shape = checkTensor(fn, 'x', x, 3);
  const [b, n, c] = shape as [number, number, number];
  checkInteger(fn, 'k', k, { min: 1, max: n });
  // On wasm the Gram matrix comes from XNNPACK (every core) and the selection from the SIMD
  // kernel; elsewhere the typed-array loop (dot products fused into the selection) is faster.
  if (tf.getBackend() !== 'wasm') {
    const data = x.dataSync() as Float32Array;
    checkFinite(fn, 'x', data);
    return tf.tensor3d(knnTypedArray(data, b, n, c, k), [b, n, k], 'int32');
  }
  return tf.tensor3d(knnOnWasm(x, k), [b, n, k], 'int32');
}

/**
 * The reference kNN score `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²` as a tfjs computation:
 * `x` float32 `[B, N, C]` → `[B, N, N]`. The naive formulation `knnIndices` is tested against
 * (with `tf.topk`); memory B·N² floats. The caller owns the result.
 */
export function pairwiseScores(x: tf.Tensor): tf.Tensor3D {
  checkTensor('pairwiseScores', 'x', x, 3);
  return tf.tidy(() => {
    const x3 = x as tf.Tensor3D;
    const sq = tf.sum(tf.square(x3), 2);
    const gram = tf.matMul(x3, x3, false, true);
    return tf.sub(tf.sub(tf.mul(gram, 2), tf.expandDims(sq, 1)), tf.expandDims(sq, 2));
  });
}
