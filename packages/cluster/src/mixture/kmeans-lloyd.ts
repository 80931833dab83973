import type { Rng } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';
import { kmeansPlusPlus } from './kmeans-plus-plus.js';

/**
 * One seeded k-means run for the Gaussian mixture's start (scikit-learn's `KMeans(n_init=1)`
 * inside `GaussianMixture`): k-means++ seeds, then Lloyd iterations in float64 until no label
 * changes or the centres move less than `tol` (squared, summed), at most `maxIter` times.
 * Nearest centres by ‖x‖² − 2x·c + ‖c‖², so each iteration costs n·k·d multiply-adds.
 *
 * @returns the label of each sample, 0 … k − 1.
 */
export function kmeansLabels(
  x: DenseMatrix,
  k: number,
  rng: Rng,
  maxIter = 300,
  tol = 1e-4,
): Int32Array {
  const [n, d] = x.shape;
  const centres = new Float64Array(k * d);
  kmeansPlusPlus(x, k, rng).forEach((s, c) => {
    for (let j = 0; j < d; j++) centres[c * d + j] = x.data[s * d + j]!;
  });
  const labels = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let iter = 0; iter < maxIter; iter++) {
    const changed = assignNearest(x, centres, k, labels);
    sums.fill(0);
    counts.fill(0);
    for (let s = 0; s < n; s++) {
      const c = labels[s]!;
      counts[c]!++;
      for (let j = 0; j < d; j++) sums[c * d + j]! += x.data[s * d + j]!;
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its centre
      for (let j = 0; j < d; j++) {
        const v = sums[c * d + j]! / counts[c]!;
        shift += (v - centres[c * d + j]!) ** 2;
        centres[c * d + j] = v;
      }
    }
    if (!changed || shift <= tol) break;
  }
  assignNearest(x, centres, k, labels);
  return labels;
}

/** Sets each label to its nearest centre (lowest index on ties); whether any label changed. */
function assignNearest(
  x: DenseMatrix,
  centres: Float64Array,
  k: number,
  labels: Int32Array,
): boolean {
  const [n, d] = x.shape;
  const norms = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += centres[c * d + j]! ** 2;
    norms[c] = s;
  }
  let changed = false;
  const scores = new Float64Array(k);
  for (let s = 0; s < n; s++) {
    centreDots(x.data, s * d, centres, d, scores);
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const score = norms[c]! - 2 * scores[c]!;
      if (score < bestScore) {
        bestScore = score;
        best = c;
      }
    }
    if (labels[s] !== best) {
      labels[s] = best;
      changed = true;
    }
  }
  return changed;
}

/** x_s · c for every centre into `out`, four centres per pass over the row (each sum in order). */
function centreDots(
  x: Float32Array | Float64Array,
  row: number,
  centres: Float64Array,
  d: number,
  out: Float64Array,
): void {
  const k = out.length;
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o0 = c * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < d; j++) {
      const v = x[row + j]!;
      a0 += v * centres[o0 + j]!;
      a1 += v * centres[o1 + j]!;
      a2 += v * centres[o2 + j]!;
      a3 += v * centres[o3 + j]!;
    }
    out[c] = a0;
    out[c + 1] = a1;
    out[c + 2] = a2;
    out[c + 3] = a3;
  }
  for (; c < k; c++) {
    let a = 0;
    for (let j = 0; j < d; j++) a += x[row + j]! * centres[c * d + j]!;
    out[c] = a;
  }
}
