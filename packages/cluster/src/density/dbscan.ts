import {
  checkInteger,
  checkOneOf,
  checkPositive,
  checkProgressCallback,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix } from '../analysis-input.js';
import { DISTANCE_METRICS, type DistanceMetric } from '../metrics/pairwise-distance.js';
import { radiusNeighbours } from './radius-neighbours.js';

/** Options of {@link dbscan}. */
export interface DbscanOptions {
  /** Neighbourhood radius: samples at distance ≤ eps are neighbours. Default 0.5 (scikit-learn). */
  eps?: number;
  /** Neighbours (the sample itself included) that make a sample a core sample. Default 5. */
  minSamples?: number;
  /** Distance between samples. Default `'euclidean'`. */
  metric?: DistanceMetric;
  /**
   * Called as neighbourhoods are found (the long part), phase `'neighbours'`, in blocks of
   * sample pairs (about every 1 %). Default: none.
   */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link DbscanOptions} (scikit-learn's). */
export const DEFAULT_DBSCAN_OPTIONS = { eps: 0.5, minSamples: 5, metric: 'euclidean' } as const;

/** What {@link dbscan} returns. */
export interface DbscanResult {
  /** Cluster of each sample, 0 … k − 1, or −1 for noise. */
  labels: Int32Array;
  /** Indices of the core samples, ascending. */
  coreSampleIndices: Int32Array;
}

/**
 * Density-based clustering (DBSCAN), with scikit-learn's `DBSCAN` labels: clusters are the
 * connected components of core samples (≥ `minSamples` neighbours within `eps`, itself
 * included) plus the border samples they reach; the rest is noise (−1). Clusters are numbered
 * in the order of their lowest-index core sample, and a border sample within reach of two
 * clusters joins the lower-numbered one — as scikit-learn. Deterministic; neighbourhoods by
 * blocked brute force that skips blocks pivots prove farther apart than eps (O(n²·d) time at
 * worst, far less on clustered data) and O(total neighbours) memory.
 *
 * ```ts
 * const { labels } = dbscan(X, { eps: 0.3, minSamples: 10 });
 * ```
 *
 * @param X `n × d` features, finite.
 */
export function dbscan(X: AnalysisMatrix, options?: DbscanOptions): DbscanResult {
  const fn = 'dbscan';
  const m = analysisMatrix(fn, 'X', X);
  const o = withDefaults(fn, DEFAULT_DBSCAN_OPTIONS, options);
  checkPositive(fn, 'options.eps', o.eps);
  checkInteger(fn, 'options.minSamples', o.minSamples, { min: 1 });
  checkOneOf(fn, 'options.metric', o.metric, DISTANCE_METRICS);
  const onProgress = checkProgressCallback(fn, o.onProgress);
  const neighbours = radiusNeighbours(m, o.eps, o.metric, onProgress);
  const n = m.shape[0];
  const core = neighbours.map((l) => l.length >= o.minSamples);
  const labels = new Int32Array(n).fill(-1);
  let next = 0;
  const stack: number[] = [];
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1 || !core[start]) continue;
    labels[start] = next;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      for (const j of neighbours[i]!) {
        if (labels[j] !== -1) continue;
        labels[j] = next;
        if (core[j]) stack.push(j);
      }
    }
    next++;
  }
  const coreSampleIndices = Int32Array.from(core.flatMap((c, i) => (c ? [i] : [])));
  return { labels, coreSampleIndices };
}
