import type { AnalysisLabels, AnalysisMatrix } from '../analysis-input.js';
import { clusterCentroids, squaredDistance } from './cluster-centroids.js';
import { clusteredSamples } from './clustered-samples.js';

/** Relative tolerance of numpy's `allclose(…, 0)` (its default `atol`). */
const ALLCLOSE_ATOL = 1e-8;

/**
 * The Davies–Bouldin index, as scikit-learn's `davies_bouldin_score`: the mean over clusters of
 * the largest (s_i + s_j) / d(c_i, c_j), with s the mean euclidean distance of a cluster's
 * members to its centroid c. Lower is better, 0 the minimum (also returned when all clusters
 * are points or all centroids coincide, as scikit-learn).
 *
 * @param X `n × d` features, finite.
 * @param labels one integer per sample (−1 counts as a cluster), 2 … n − 1 distinct values.
 */
export function daviesBouldinScore(X: AnalysisMatrix, labels: AnalysisLabels): number {
  const fn = 'daviesBouldinScore';
  const { m, codes, counts } = clusteredSamples(fn, X, labels);
  const [n, d] = m.shape;
  const k = counts.length;
  const centroids = clusterCentroids(m, codes, counts);
  const spread = new Float64Array(k);
  for (let i = 0; i < n; i++)
    spread[codes[i]!]! += Math.sqrt(squaredDistance(m.data, i, centroids, codes[i]!, d));
  for (let g = 0; g < k; g++) spread[g]! /= counts[g]!;
  const between = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++)
      between[a * k + b] = Math.sqrt(squaredDistance(centroids, a, centroids, b, d));
  if (spread.every((s) => s <= ALLCLOSE_ATOL) || between.every((v) => v <= ALLCLOSE_ATOL)) return 0;
  let sum = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (b === a) continue;
      const dist = between[a * k + b]!;
      const r = (spread[a]! + spread[b]!) / (dist === 0 ? Number.POSITIVE_INFINITY : dist);
      worst = Math.max(worst, r);
    }
    sum += worst;
  }
  return sum / k;
}
