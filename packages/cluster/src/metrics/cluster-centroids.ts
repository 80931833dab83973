import type { DenseMatrix } from '../dense-matrix.js';

/** The mean of each cluster's rows (`k × d`, float64), for codes 0 … k − 1. */
export function clusterCentroids(
  m: DenseMatrix,
  codes: Int32Array,
  counts: Int32Array,
): Float64Array {
  const [n, d] = m.shape;
  const k = counts.length;
  const c = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const o = codes[i]! * d;
    for (let j = 0; j < d; j++) c[o + j]! += m.data[i * d + j]!;
  }
  for (let g = 0; g < k; g++) for (let j = 0; j < d; j++) c[g * d + j]! /= counts[g]!;
  return c;
}

/** Squared euclidean distance between row `i` of `a` and row `j` of `b` (both `· × d`). */
export function squaredDistance(
  a: ArrayLike<number>,
  i: number,
  b: ArrayLike<number>,
  j: number,
  d: number,
): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const t = a[i * d + c]! - b[j * d + c]!;
    s += t * t;
  }
  return s;
}
