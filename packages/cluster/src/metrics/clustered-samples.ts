import { InvalidArgumentError } from '@cellshape/core';
import {
  type AnalysisLabels,
  type AnalysisMatrix,
  analysisLabels,
  analysisMatrix,
  codeLabels,
} from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';

/** Throws unless 2 ≤ distinct labels ≤ n − 1 (scikit-learn's `check_number_of_labels`). */
export function checkLabelCount(fn: string, k: number, n: number): void {
  if (k < 2 || k > n - 1)
    throw new InvalidArgumentError(
      `${fn}: 'labels' must have 2 to n − 1 = ${n - 1} distinct values, got ${k}`,
      { fn, arg: 'labels' },
    );
}

/**
 * The validated input of an internal cluster index (silhouette, Davies–Bouldin,
 * Calinski–Harabasz): the matrix, the labels coded 0 … k − 1 (−1 is a cluster like any other)
 * and the samples per cluster, with 2 ≤ k ≤ n − 1.
 */
export function clusteredSamples(
  fn: string,
  X: AnalysisMatrix,
  labels: AnalysisLabels,
): { m: DenseMatrix; codes: Int32Array; counts: Int32Array } {
  const m = analysisMatrix(fn, 'X', X);
  const { codes, counts } = codeLabels(analysisLabels(fn, 'labels', labels, m.shape[0]));
  checkLabelCount(fn, counts.length, m.shape[0]);
  return { m, codes, counts };
}
