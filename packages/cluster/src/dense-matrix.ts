import { InvalidArgumentError, invalidArgument } from '@cellshape/core';

/**
 * A dense row-major matrix as plain data: `data[i * shape[1] + j]` is row i, column j. Rows
 * are cells (or groups), columns features (or clusters).
 */
export interface DenseMatrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  data: T;
  shape: [rows: number, cols: number];
}

/** Builds a {@link DenseMatrix} (float64) from an array of equally long rows. */
export function denseMatrix(rows: readonly (readonly number[])[]): DenseMatrix<Float64Array> {
  const fn = 'denseMatrix';
  if (!Array.isArray(rows) || rows.length === 0)
    throw invalidArgument(fn, 'rows', 'a non-empty array of rows', rows);
  const cols = Array.isArray(rows[0]) ? rows[0].length : 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols)
      throw invalidArgument(fn, `rows[${i}]`, `an array of ${cols} numbers`, row);
    data.set(row, i * cols);
  });
  return checkMatrix(fn, 'rows', { data, shape: [rows.length, cols] });
}

/**
 * Validates a matrix argument: a Float32Array/Float64Array whose length matches a 2-D shape
 * with at least one row and one column, and (unless `allowNonFinite`) only finite values.
 */
export function checkMatrix<M extends DenseMatrix>(
  fn: string,
  arg: string,
  value: M,
  options: { rows?: number; cols?: number; allowNonFinite?: boolean } = {},
): M {
  if (value === null || typeof value !== 'object')
    throw invalidArgument(
      fn,
      arg,
      'a matrix { data: Float32Array | Float64Array, shape: [n, f] }',
      value,
    );
  const { data, shape } = value;
  if (!(data instanceof Float32Array || data instanceof Float64Array))
    throw invalidArgument(fn, `${arg}.data`, 'a Float32Array or Float64Array', data);
  if (
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    !shape.every((d) => Number.isInteger(d) && d > 0) ||
    shape[0] * shape[1] !== data.length
  ) {
    throw invalidArgument(
      fn,
      `${arg}.shape`,
      `[rows, cols] (both ≥ 1) with rows · cols = data.length (${data.length})`,
      shape,
    );
  }
  if (options.rows !== undefined && shape[0] !== options.rows)
    throw invalidArgument(fn, arg, `to have ${options.rows} rows`, shape);
  if (options.cols !== undefined && shape[1] !== options.cols)
    throw invalidArgument(fn, arg, `to have ${options.cols} columns`, shape);
  if (!options.allowNonFinite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const col = i % shape[1];
        const row = (i - col) / shape[1];
        throw new InvalidArgumentError(
          `${fn}: '${arg}' must hold finite numbers, got ${data[i]} at row ${row}, column ${col}`,
          { fn, arg },
        );
      }
    }
  }
  return value;
}

/** Validates labels: integers ≥ 0 (a typed or plain array), optionally of a given length. */
export function checkLabels(
  fn: string,
  arg: string,
  labels: ArrayLike<number>,
  length?: number,
): ArrayLike<number> {
  const ok = Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView));
  if (!ok) throw invalidArgument(fn, arg, 'an array of integer labels', labels);
  if (length !== undefined && labels.length !== length)
    throw invalidArgument(fn, arg, `to have length ${length}`, `length ${labels.length}`);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new InvalidArgumentError(
        `${fn}: '${arg}' must hold integers ≥ 0, got ${v} at index ${i}`,
        { fn, arg },
      );
    }
  }
  return labels;
}
