import { invalidArgument } from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from '../dense-matrix.js';

/** A feature matrix as the classifiers take it: `{ data, shape: [n, d] }` or rows of numbers. */
export type FeatureMatrix = DenseMatrix | readonly (readonly number[])[];

/**
 * The float64 `n × d` matrix of `X`, validated (finite values, at least one row and column).
 * A float64 DenseMatrix is returned as is (never mutated); anything else is copied.
 */
export function toFeatureMatrix(fn: string, arg: string, X: unknown): DenseMatrix<Float64Array> {
  if (Array.isArray(X)) {
    if (X.length === 0 || !Array.isArray(X[0]) || X[0].length === 0)
      throw invalidArgument(fn, arg, 'a non-empty matrix (rows of numbers)', X);
    const d = (X[0] as unknown[]).length;
    const data = new Float64Array(X.length * d);
    X.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== d)
        throw invalidArgument(fn, `${arg}[${i}]`, `an array of ${d} numbers`, row);
      for (let j = 0; j < d; j++) {
        const v = row[j];
        data[i * d + j] = typeof v === 'number' ? v : Number.NaN;
      }
    });
    return checkMatrix(fn, arg, { data, shape: [X.length, d] });
  }
  const m = checkMatrix(fn, arg, X as DenseMatrix);
  return m.data instanceof Float64Array
    ? (m as DenseMatrix<Float64Array>)
    : { data: Float64Array.from(m.data), shape: [m.shape[0], m.shape[1]] };
}
