import type { AnalysisLabels, AnalysisMatrix } from '../analysis-input.js';
import { clusterCentroids, squaredDistance } from './cluster-centroids.js';
import { clusteredSamples } from './clustered-samples.js';

/**
 * The Calinski–Harabasz index (variance ratio criterion), as scikit-learn's
 * `calinski_harabasz_score`: between-cluster dispersion / within-cluster dispersion, scaled by
 * (n − k) / (k − 1). Higher is better; 1 when every cluster is a single repeated point (no
 * within-cluster dispersion), as scikit-learn.
 *
 * @param X `n × d` features, finite.
 * @param labels one integer per sample (−1 counts as a cluster), 2 … n − 1 distinct values.
 */
export function calinskiHarabaszScore(X: AnalysisMatrix, labels: AnalysisLabels): number {
  const fn = 'calinskiHarabaszScore';
  const { m, codes, counts } = clusteredSamples(fn, X, labels);
  const [n, d] = m.shape;
  const k = counts.length;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c]! += m.data[i * d + c]!;
  for (let c = 0; c < d; c++) mean[c]! /= n;
  const centroids = clusterCentroids(m, codes, counts);
  let extra = 0;
  for (let g = 0; g < k; g++) extra += counts[g]! * squaredDistance(centroids, g, mean, 0, d);
  let intra = 0;
  for (let i = 0; i < n; i++) intra += squaredDistance(m.data, i, centroids, codes[i]!, d);
  return intra === 0 ? 1 : (extra * (n - k)) / (intra * (k - 1));
}
