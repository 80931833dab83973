import { type AnalysisMatrix, analysisMatrix } from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';

/**
 * The float64 `n × d` matrix of `X`, validated by `analysisMatrix` (finite, at least one row
 * and column). A float64 matrix is returned as is (never mutated); a float32 one is copied,
 * since the classifiers' kernels and splits run in float64.
 */
export function toFeatureMatrix(
  fn: string,
  arg: string,
  X: AnalysisMatrix,
): DenseMatrix<Float64Array> {
  const m = analysisMatrix(fn, arg, X);
  return m.data instanceof Float64Array
    ? (m as DenseMatrix<Float64Array>)
    : { data: Float64Array.from(m.data), shape: [m.shape[0], m.shape[1]] };
}
