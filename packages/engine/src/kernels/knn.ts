import { invalidArgument } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, checkInteger, checkTensor } from './checks.js';

/**
 * On the wasm backend the Gram matrix comes from XNNPACK (untransposed matMul, ~16 GFLOP/s)
 * from this many channels on; below it, and on every other backend, the typed-array loop
 * (dot products fused into the selection) is faster.
 */
const WASM_GRAM_MIN_CHANNELS = 8;

/** Squared norms |x_i|² of the n rows of one sample, accumulated in float32 like the reference. */
function squaredNorms(x: Float32Array, base: number, n: number, c: number): Float32Array {
  const sq = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const row = base + i * c;
    for (let q = 0; q < c; q++) {
      const v = x[row + q] as number;
      acc = Math.fround(acc + Math.fround(v * v));
    }
    sq[i] = acc;
  }
  return sq;
}

/**
 * Fills `scores[0..n)` with `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²` for one row i, rounded to
 * float32 at each step as in the reference. `<x_i,x_j>` comes from `gram` (row-major n×n)
 * when given, else from the points (row-major n×c at `base`; c = 3 unrolled).
 */
function rowScores(
  x: Float32Array,
  base: number,
  gram: Float32Array | undefined,
  sq: Float32Array,
  n: number,
  c: number,
  i: number,
  scores: Float32Array,
): void {
  const sqi = sq[i] as number;
  if (gram !== undefined) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      scores[j] = Math.fround(2 * (gram[row + j] as number) - (sq[j] as number)) - sqi;
    }
  } else if (c === 3) {
    const ri = base + i * 3;
    const x0 = x[ri] as number;
    const x1 = x[ri + 1] as number;
    const x2 = x[ri + 2] as number;
    for (let j = 0, rj = base; j < n; j++, rj += 3) {
      const g = Math.fround(
        x0 * (x[rj] as number) + x1 * (x[rj + 1] as number) + x2 * (x[rj + 2] as number),
      );
      scores[j] = Math.fround(2 * g - (sq[j] as number)) - sqi;
    }
  } else {
    const ri = base + i * c;
    for (let j = 0, rj = base; j < n; j++, rj += c) {
      let acc = 0;
      for (let q = 0; q < c; q++) acc += (x[ri + q] as number) * (x[rj + q] as number);
      scores[j] = Math.fround(2 * Math.fround(acc) - (sq[j] as number)) - sqi;
    }
  }
}

/**
 * Writes the indices of the k largest `scores[0..n)` to `out[outOff ..)`, best first. The k-th
 * best score gates the insertion, so almost every candidate costs one comparison. Ties keep
 * the lower index (a candidate must be strictly greater than an entry to pass it).
 */
function selectTopK(
  scores: Float32Array,
  n: number,
  k: number,
  topScore: Float32Array,
  out: Int32Array,
  outOff: number,
): void {
  let filled = 0;
  let kth = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) {
    const s = scores[j] as number;
    if (s <= kth) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && (topScore[p - 1] as number) < s) {
      topScore[p] = topScore[p - 1] as number;
      out[outOff + p] = out[outOff + p - 1] as number;
      p--;
    }
    topScore[p] = s;
    out[outOff + p] = j;
    if (filled === k) kth = topScore[k - 1] as number;
  }
}

/** Neighbours of the rows [i0, i1) of one sample (see {@link rowScores}). */
function selectRows(
  x: Float32Array,
  base: number,
  gram: Float32Array | undefined,
  sq: Float32Array,
  n: number,
  c: number,
  k: number,
  i0: number,
  i1: number,
  out: Int32Array,
  outBase: number,
): void {
  const scores = new Float32Array(n);
  const topScore = new Float32Array(k);
  for (let i = i0; i < i1; i++) {
    rowScores(x, base, gram, sq, n, c, i, scores);
    selectTopK(scores, n, k, topScore, out, outBase + i * k);
  }
}

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
  checkInteger(fn, 'k', k, 1, n);
  checkFinite(fn, 'data', data);
  return knnTypedArray(data, b, n, c, k);
}

/** The typed-array kNN of validated input. */
function knnTypedArray(data: Float32Array, b: number, n: number, c: number, k: number): Int32Array {
  const out = new Int32Array(b * n * k);
  for (let s = 0; s < b; s++) {
    const base = s * n * c;
    selectRows(
      data,
      base,
      undefined,
      squaredNorms(data, base, n, c),
      n,
      c,
      k,
      0,
      n,
      out,
      s * n * k,
    );
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
  checkInteger(fn, 'k', k, 1, n);
  const data = x.dataSync() as Float32Array;
  checkFinite(fn, 'x', data);
  if (tf.getBackend() !== 'wasm' || c < WASM_GRAM_MIN_CHANNELS) {
    return tf.tensor3d(knnTypedArray(data, b, n, c, k), [b, n, k], 'int32');
  }
  const out = new Int32Array(b * n * k);
  for (let s = 0; s < b; s++) {
    const gram = tf.tidy(() => {
      const xs = tf.reshape(tf.slice(x, [s, 0, 0], [1, n, c]), [n, c]);
      // Explicit transpose: XNNPACK only serves the untransposed matMul.
      return tf.matMul(xs, tf.transpose(xs));
    });
    const g = gram.dataSync() as Float32Array;
    gram.dispose();
    const base = s * n * c;
    selectRows(data, base, g, squaredNorms(data, base, n, c), n, c, k, 0, n, out, s * n * k);
  }
  return tf.tensor3d(out, [b, n, k], 'int32');
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
