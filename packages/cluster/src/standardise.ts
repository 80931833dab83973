import { checkOneOf, invalidArgument, withDefaults } from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';

/** Options of {@link standardise}. */
export interface StandardiseOptions {
  /** Delta degrees of freedom of the standard deviation: 0 (sklearn's StandardScaler) or 1. Default 0. */
  ddof?: 0 | 1;
}

/** Defaults of {@link StandardiseOptions}. */
export const DEFAULT_STANDARDISE_OPTIONS: Readonly<Required<StandardiseOptions>> = { ddof: 0 };

/** Mean and standard deviation of column `c` over the rows `rows`. */
export function columnStats(
  m: DenseMatrix,
  c: number,
  rows: readonly number[],
  ddof: number,
): { mean: number; std: number } {
  const f = m.shape[1];
  let mean = 0;
  for (const i of rows) mean += m.data[i * f + c]!;
  mean /= rows.length;
  let ss = 0;
  for (const i of rows) {
    const d = m.data[i * f + c]! - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / (rows.length - ddof)) };
}

/**
 * Standardises a feature matrix: z-scores every column (feature) over the rows (cells),
 * `(x − mean) / std`, as scikit-learn's `StandardScaler`, so that features of different scales
 * weigh alike in distances (k-means, UMAP, hierarchical ordering). A constant column (std 0) is
 * only centred (it becomes 0), so the output never holds NaN. Not to be confused with
 * normalising a point cloud, which `@cellshape/helper` does per cloud.
 *
 * @param matrix `n × F`, cells × features, finite; `n ≥ 2` when `ddof` is 1.
 * @returns a new `n × F` float64 matrix.
 */
export function standardise(
  matrix: DenseMatrix,
  options?: StandardiseOptions,
): DenseMatrix<Float64Array> {
  const fn = 'standardise';
  checkMatrix(fn, 'matrix', matrix);
  const { ddof } = withDefaults(fn, DEFAULT_STANDARDISE_OPTIONS, options);
  checkOneOf(fn, 'options.ddof', ddof, [0, 1]);
  const [n, f] = matrix.shape;
  if (n <= ddof) throw invalidArgument(fn, 'matrix', `at least ${ddof + 1} rows`, matrix.shape);
  const rows = Array.from({ length: n }, (_, i) => i);
  const out = new Float64Array(n * f);
  for (let c = 0; c < f; c++) {
    const { mean, std } = columnStats(matrix, c, rows, ddof);
    const scale = std > 0 ? std : 1;
    for (let i = 0; i < n; i++) out[i * f + c] = (matrix.data[i * f + c]! - mean) / scale;
  }
  return { data: out, shape: [n, f] };
}
