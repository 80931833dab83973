import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkProgressCallback,
  InvalidArgumentError,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix } from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';
import {
  DISTANCE_METRICS,
  type DistanceMetric,
  prepareRows,
} from '../metrics/pairwise-distance.js';
import { type ClusterSelectionMethod, labelSamples, selectClusters } from './cluster-selection.js';
import { condenseTree } from './condensed-tree.js';
import { coreDistances } from './core-distances.js';
import { mutualReachabilityTree } from './mutual-reachability-tree.js';

/** Options of {@link hdbscan}. */
export interface HdbscanOptions {
  /** Smallest group of samples that counts as a cluster (≥ 2). Default 5. */
  minClusterSize?: number;
  /**
   * Samples in a neighbourhood (the sample itself counted, as scikit-learn) for the core
   * distance; larger is more conservative (more noise). Default: `minClusterSize`.
   */
  minSamples?: number;
  /** `'eom'` (excess of mass, the most stable clusters) or `'leaf'` (the finest). Default `'eom'`. */
  clusterSelectionMethod?: ClusterSelectionMethod;
  /** Clusters born closer than this distance are merged into their parent. Default 0. */
  clusterSelectionEpsilon?: number;
  /** Let the whole data set be one cluster (otherwise the root is never selected). Default false. */
  allowSingleCluster?: boolean;
  /** Distance between samples. Default `'euclidean'`. */
  metric?: DistanceMetric;
  /**
   * Called through the two long parts, about every 1 %: phase `'core distances'` (in blocks of
   * sample pairs), then `'spanning tree'` (in edges, n − 1 in all). Default: none.
   */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link HdbscanOptions} (scikit-learn's). */
export const DEFAULT_HDBSCAN_OPTIONS = {
  minClusterSize: 5,
  clusterSelectionMethod: 'eom',
  clusterSelectionEpsilon: 0,
  allowSingleCluster: false,
  metric: 'euclidean',
} as const;

/** What {@link hdbscan} returns. */
export interface HdbscanResult {
  /** Cluster of each sample, 0 … k − 1 (in condensed-tree order), or −1 for noise. */
  labels: Int32Array;
  /** Strength of each sample's membership in its cluster, in [0, 1] (0 for noise). */
  probabilities: Float64Array;
  /** GLOSH outlier score of each sample, in [0, 1] (higher: more of an outlier). */
  outlierScores: Float64Array;
  /** The single-linkage tree of the mutual reachability distance (scipy linkage format). */
  singleLinkageTree: DenseMatrix<Float64Array>;
}

/**
 * Hierarchical density-based clustering (HDBSCAN, Campello, Moulavi & Sander 2013), as the
 * `hdbscan` package and scikit-learn ≥ 1.3: core distances → mutual reachability → its
 * minimum spanning tree → single-linkage tree → condensed tree → clusters by excess of mass or
 * leaves, with noise −1, membership probabilities and GLOSH outlier scores. Deterministic;
 * exact (O(n²·d) time, O(n) extra memory; core distances skip the distance blocks that pivot
 * bounds prove too far to matter).
 *
 * ```ts
 * const { labels, probabilities } = hdbscan(X, { minClusterSize: 15, clusterSelectionMethod: 'leaf' });
 * ```
 *
 * @param X `n × d` features, finite.
 */
export function hdbscan(X: AnalysisMatrix, options?: HdbscanOptions): HdbscanResult {
  const fn = 'hdbscan';
  const m = analysisMatrix(fn, 'X', X);
  const o = withDefaults(fn, DEFAULT_HDBSCAN_OPTIONS, options);
  checkInteger(fn, 'options.minClusterSize', o.minClusterSize, { min: 2 });
  const minSamples = o.minSamples ?? o.minClusterSize;
  checkInteger(fn, 'options.minSamples', minSamples, { min: 1 });
  checkOneOf(fn, 'options.clusterSelectionMethod', o.clusterSelectionMethod, ['eom', 'leaf']);
  checkNumber(fn, 'options.clusterSelectionEpsilon', o.clusterSelectionEpsilon, { min: 0 });
  checkBoolean(fn, 'options.allowSingleCluster', o.allowSingleCluster);
  checkOneOf(fn, 'options.metric', o.metric, DISTANCE_METRICS);
  const n = m.shape[0];
  if (minSamples > n)
    throw new InvalidArgumentError(
      `${fn}: 'options.minSamples' (${minSamples}) must be at most the number of samples (${n})`,
      { fn, arg: 'options.minSamples' },
    );
  const onProgress = checkProgressCallback(fn, o.onProgress);
  const rows = prepareRows(m, o.metric);
  const core = coreDistances(rows, minSamples, onProgress);
  const tree = mutualReachabilityTree(rows, core, onProgress);
  const condensed = condenseTree(tree, o.minClusterSize);
  const eps = o.clusterSelectionEpsilon;
  const selected = selectClusters(condensed, o.clusterSelectionMethod, eps, o.allowSingleCluster);
  return {
    ...labelSamples(condensed, selected, eps, o.allowSingleCluster),
    singleLinkageTree: tree,
  };
}
