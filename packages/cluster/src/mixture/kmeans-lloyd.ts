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
  for (let s = 0; s < n; s++) {
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += x.data[s * d + j]! * centres[c * d + j]!;
      const score = norms[c]! - 2 * dot;
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
