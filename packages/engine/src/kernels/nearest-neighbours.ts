import { invalidArgument } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, checkTensor } from './checks.js';
import { kernels, runOnWorker, shared, sharedCopy } from './parallel.js';

/** Nearest neighbours between two batches of 3-D point clouds, both directions, as typed arrays. */
export interface NearestNeighbourArrays {
  /** `[B·N]`: for each point of `a`, the index (into the M points of the same sample of `b`) of its nearest point. */
  indexAToB: Int32Array;
  /** `[B·N]`: the squared distance to that point. */
  sqDistAToB: Float32Array;
  /** `[B·M]`: for each point of `b`, the index of its nearest point of `a`. */
  indexBToA: Int32Array;
  /** `[B·M]`: the squared distance to that point. */
  sqDistBToA: Float32Array;
}

/** Nearest neighbours between two batches of 3-D point clouds, both directions, as tensors. */
export interface NearestNeighbours {
  /** int32 `[B, N]`: index into `b` of the nearest point of each point of `a`. */
  indexAToB: tf.Tensor2D;
  /** float32 `[B, N]`: its squared distance. */
  sqDistAToB: tf.Tensor2D;
  /** int32 `[B, M]`: index into `a` of the nearest point of each point of `b`. */
  indexBToA: tf.Tensor2D;
  /** float32 `[B, M]`: its squared distance. */
  sqDistBToA: tf.Tensor2D;
}

/**
 * Both-direction nearest neighbours of validated point data (`a`: B·N·3, `b`: B·M·3). One pass
 * over the B·N·M pairs serves both directions. Squared distances are `Σ (a − b)²` evaluated in
 * float64 and rounded once to float32 (no cancellation, unlike the `|a|² + |b|² − 2<a,b>`
 * expansion); ties keep the lower index.
 */
export function nearestNeighbourKernel(
  a: Float32Array,
  b: Float32Array,
  batch: number,
  n: number,
  m: number,
): NearestNeighbourArrays {
  const aShared = sharedCopy(a);
  const bShared = sharedCopy(b);
  const out = [
    shared(Int32Array, batch * n),
    shared(Float32Array, batch * n),
    shared(Int32Array, batch * m),
    shared(Float32Array, batch * m),
  ] as const;
  // Samples split between the worker thread and this one.
  const half = batch >> 1;
  const pending = runOnWorker('nearestSamples', [aShared, bShared, n, m, 0, half, ...out]);
  kernels.nearestSamples(aShared, bShared, n, m, half, batch, ...out);
  pending.wait();
  const [indexAToB, sqDistAToB, indexBToA, sqDistBToA] = out;
  return { indexAToB, sqDistAToB, indexBToA, sqDistBToA };
}

/** Validates two point-cloud batches `[B, N, 3]`, `[B, M, 3]` and returns B, N, M. */
export function checkPointBatches(fn: string, a: unknown, b: unknown): [number, number, number] {
  const [ba, n, ca] = checkTensor(fn, 'a', a, 3) as [number, number, number];
  const [bb, m, cb] = checkTensor(fn, 'b', b, 3) as [number, number, number];
  if (ca !== 3) throw invalidArgument(fn, 'a', 'of shape [B, N, 3]', [ba, n, ca]);
  if (cb !== 3) throw invalidArgument(fn, 'b', 'of shape [B, M, 3]', [bb, m, cb]);
  if (bb !== ba) throw invalidArgument(fn, 'b', `of batch size ${ba} like 'a'`, bb);
  if (ba === 0 || n === 0 || m === 0)
    throw invalidArgument(fn, 'a', 'non-empty (B, N, M > 0)', [ba, n, m]);
  return [ba, n, m];
}

/** Reads and validates the point data of two batches (see {@link checkPointBatches}). */
export function readPointBatches(
  fn: string,
  a: tf.Tensor,
  b: tf.Tensor,
): [Float32Array, Float32Array] {
  const aData = a.dataSync() as Float32Array;
  const bData = b.dataSync() as Float32Array;
  checkFinite(fn, 'a', aData);
  checkFinite(fn, 'b', bData);
  return [aData, bData];
}

/**
 * Nearest neighbours between two batches of 3-D point clouds, both directions.
 *
 * `a`: float32 `[B, N, 3]`, `b`: float32 `[B, M, 3]` (same B). For each point of `a` the
 * index of its nearest point of `b` in the same sample and the squared Euclidean distance,
 * and the same from `b` to `a`. Ties keep the lower index. No gradient (`chamferDistance` is the
 * differentiable loss). The caller owns the four tensors.
 */
export function nearestNeighbours(a: tf.Tensor, b: tf.Tensor): NearestNeighbours {
  const fn = 'nearestNeighbours';
  const [batch, n, m] = checkPointBatches(fn, a, b);
  const [aData, bData] = readPointBatches(fn, a, b);
  const r = nearestNeighbourKernel(aData, bData, batch, n, m);
  return {
    indexAToB: tf.tensor2d(r.indexAToB, [batch, n], 'int32'),
    sqDistAToB: tf.tensor2d(r.sqDistAToB, [batch, n], 'float32'),
    indexBToA: tf.tensor2d(r.indexBToA, [batch, m], 'int32'),
    sqDistBToA: tf.tensor2d(r.sqDistBToA, [batch, m], 'float32'),
  };
}
