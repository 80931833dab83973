import {
  checkInteger,
  checkNumber,
  checkOneOf,
  checkProgressCallback,
  createRng,
  type ProgressCallback,
  progressReporter,
  withDefaults,
} from '@cellshape/core';
import {
  type AnalysisLabels,
  type AnalysisMatrix,
  analysisLabels,
  analysisMatrix,
  codeLabels,
} from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';
import { checkLabelCount } from './clustered-samples.js';
import {
  DISTANCE_METRICS,
  type DistanceMetric,
  forEachUpperBlock,
  type PreparedRows,
  prepareRows,
  upperBlockCount,
} from './pairwise-distance.js';

/** Options of {@link silhouetteScore} and {@link silhouetteSamples}. */
export interface SilhouetteOptions {
  /** Distance between samples. Default `'euclidean'`. */
  metric?: DistanceMetric;
  /**
   * {@link silhouetteScore} only: score a seeded random subset of this many samples (as
   * scikit-learn's `sample_size`, for large n). Default: all samples.
   */
  sampleSize?: number;
  /** Seed of the subset drawn for `sampleSize`. Default 0. */
  seed?: number;
  /**
   * Called as the distances are summed, phase `'silhouette'`, in blocks of sample pairs (about
   * every 1 %). Default: none.
   */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link SilhouetteOptions}. */
export const DEFAULT_SILHOUETTE_OPTIONS = { metric: 'euclidean', seed: 0 } as const;

/**
 * The silhouette coefficient of each sample, as scikit-learn's `silhouette_samples`:
 * s = (b − a) / max(a, b), with a the mean distance to the other members of its cluster and b
 * the mean distance to the members of the nearest other cluster; 0 for a sample alone in its
 * cluster. Every label value (also −1) is a cluster. Distances are computed in blocks of rows,
 * in float64, and never stored as an n × n matrix.
 *
 * @param X `n × d` features, finite.
 * @param labels one integer per sample, with 2 … n − 1 distinct values.
 * @returns s per sample, in [−1, 1].
 */
export function silhouetteSamples(
  X: AnalysisMatrix,
  labels: AnalysisLabels,
  options?: Omit<SilhouetteOptions, 'sampleSize' | 'seed'>,
): Float64Array {
  const fn = 'silhouetteSamples';
  const m = analysisMatrix(fn, 'X', X);
  const y = analysisLabels(fn, 'labels', labels, m.shape[0]);
  const { metric, onProgress } = withDefaults(fn, DEFAULT_SILHOUETTE_OPTIONS, options);
  checkOneOf(fn, 'options.metric', metric, DISTANCE_METRICS);
  return silhouetteOf(fn, m, y, metric, checkProgressCallback(fn, onProgress));
}

/**
 * The mean silhouette coefficient over all samples (or a seeded subset of `sampleSize`), as
 * scikit-learn's `silhouette_score`: near 1 for dense, well separated clusters, near 0 for
 * overlapping ones, negative when samples sit in the wrong cluster.
 *
 * ```ts
 * silhouetteScore(X, labels, { metric: 'cosine', sampleSize: 5000, seed: 1 });
 * ```
 */
export function silhouetteScore(
  X: AnalysisMatrix,
  labels: AnalysisLabels,
  options?: SilhouetteOptions,
): number {
  const fn = 'silhouetteScore';
  let m = analysisMatrix(fn, 'X', X);
  let y = analysisLabels(fn, 'labels', labels, m.shape[0]);
  const o = withDefaults(fn, DEFAULT_SILHOUETTE_OPTIONS, options);
  checkOneOf(fn, 'options.metric', o.metric, DISTANCE_METRICS);
  checkNumber(fn, 'options.seed', o.seed);
  if (o.sampleSize !== undefined) {
    checkInteger(fn, 'options.sampleSize', o.sampleSize, { min: 2 });
    if (o.sampleSize < m.shape[0]) ({ m, y } = subset(m, y, o.sampleSize, o.seed));
  }
  const s = silhouetteOf(fn, m, y, o.metric, checkProgressCallback(fn, o.onProgress));
  let sum = 0;
  for (const v of s) sum += v;
  return sum / s.length;
}

function subset(m: DenseMatrix, y: Int32Array, size: number, seed: number) {
  const [, d] = m.shape;
  const pick = createRng(seed).permutation(m.shape[0]).subarray(0, size);
  const data = new Float64Array(size * d);
  const labels = new Int32Array(size);
  pick.forEach((r, i) => {
    data.set(m.data.subarray(r * d, (r + 1) * d), i * d);
    labels[i] = y[r]!;
  });
  return { m: { data, shape: [size, d] } as DenseMatrix, y: labels };
}

function silhouetteOf(
  fn: string,
  m: DenseMatrix,
  y: Int32Array,
  metric: DistanceMetric,
  onProgress: ProgressCallback | undefined,
): Float64Array {
  const n = m.shape[0];
  const { codes, counts } = codeLabels(y);
  const k = counts.length;
  checkLabelCount(fn, k, n);
  const sums = clusterDistanceSums(prepareRows(m, metric), codes, k, onProgress);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const own = codes[i]!;
    const a = sums[i * k + own]! / (counts[own]! - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[i * k + c]! / counts[c]!);
    const v = (b - a) / Math.max(a, b);
    s[i] = Number.isFinite(v) ? v : 0;
  }
  return s;
}

/** `sums[i·k + c]`: the sum of distances from sample i to the members of cluster c. */
function clusterDistanceSums(
  p: PreparedRows,
  codes: Int32Array,
  k: number,
  onProgress: ProgressCallback | undefined,
): Float64Array {
  const sums = new Float64Array(p.n * k);
  forEachUpperBlock(
    p,
    (i0, i1, j0, j1, block, w) => {
      const mirror = j0 !== i0; // the diagonal block holds both (i, j) and (j, i)
      for (let i = i0; i < i1; i++) {
        const ci = codes[i]!;
        const row = i * k;
        const off = (i - i0) * w - j0;
        for (let j = j0; j < j1; j++) {
          const v = block[off + j]!;
          sums[row + codes[j]!]! += v;
          if (mirror) sums[j * k + ci]! += v;
        }
      }
    },
    progressReporter(onProgress, 'silhouette', upperBlockCount(p.n)),
  );
  return sums;
}
