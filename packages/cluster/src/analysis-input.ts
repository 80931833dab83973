import { InvalidArgumentError, invalidArgument } from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';

/**
 * The feature matrix every analysis function takes: `n` samples (rows) × `d` features, either
 * as a row-major {@link DenseMatrix} or as an array of equally long rows.
 */
export type AnalysisMatrix = DenseMatrix | readonly (readonly number[])[];

/** Integer labels, one per sample (cluster ids, classes; −1 is noise where a function says so). */
export type AnalysisLabels = Int32Array | readonly number[];

/**
 * Normalises and validates a feature matrix argument: rows of numbers become a float64
 * {@link DenseMatrix}; a DenseMatrix is checked and returned as is (no copy). Every entry must
 * be finite, and with `minRows` there must be at least that many rows.
 *
 * @throws InvalidArgumentError naming `fn` and `arg` (and the row/column of a NaN or ∞).
 */
export function analysisMatrix(
  fn: string,
  arg: string,
  x: AnalysisMatrix,
  options: { minRows?: number } = {},
): DenseMatrix {
  const m = Array.isArray(x) ? fromRows(fn, arg, x) : checkMatrix(fn, arg, x as DenseMatrix);
  const min = options.minRows ?? 1;
  if (m.shape[0] < min) checkEnoughSamples(fn, arg, m.shape[0], min, 'rows');
  return m;
}

function fromRows(fn: string, arg: string, rows: readonly (readonly number[])[]) {
  if (rows.length === 0) throw invalidArgument(fn, arg, 'a non-empty array of rows', rows);
  const cols = Array.isArray(rows[0]) ? rows[0].length : 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols || cols === 0)
      throw invalidArgument(fn, `${arg}[${i}]`, `an array of ${cols || '≥ 1'} numbers`, row);
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InvalidArgumentError(
          `${fn}: '${arg}' must hold finite numbers, got ${String(v)} at row ${i}, column ${j}`,
          { fn, arg },
        );
      data[i * cols + j] = v;
    }
  });
  return { data, shape: [rows.length, cols] as [number, number] };
}

/**
 * Validates integer labels (any sign: −1 is a valid noise label) and returns them as an
 * Int32Array (a copy; the caller's array is never changed).
 *
 * @param length the number of samples the labels must match (the rows of X, or the truth).
 * @throws InvalidArgumentError naming `fn` and `arg` for a non-integer, a wrong length or an
 * empty array.
 */
export function analysisLabels(
  fn: string,
  arg: string,
  labels: AnalysisLabels,
  length?: number,
): Int32Array {
  const ok = Array.isArray(labels) || labels instanceof Int32Array;
  if (!ok) throw invalidArgument(fn, arg, 'an Int32Array or an array of integer labels', labels);
  if (labels.length === 0) throw invalidArgument(fn, arg, 'a non-empty array of labels', labels);
  if (length !== undefined && labels.length !== length)
    throw invalidArgument(fn, arg, `one label per sample (${length})`, `${labels.length} labels`);
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1)
      throw new InvalidArgumentError(
        `${fn}: '${arg}' must hold 32-bit integers, got ${String(v)} at index ${i}`,
        { fn, arg },
      );
    out[i] = v;
  }
  return out;
}

/**
 * Throws unless there are at least as many samples as clusters (or folds, or classes):
 * `gaussianMixture: 'X' must have at least 5 samples (one per cluster, k = 5), got 3`.
 */
export function checkEnoughSamples(
  fn: string,
  arg: string,
  samples: number,
  needed: number,
  what: string,
): void {
  if (samples < needed)
    throw new InvalidArgumentError(
      `${fn}: '${arg}' must have at least ${needed} samples (${what}), got ${samples}`,
      { fn, arg },
    );
}

/** Labels re-coded as 0 … k − 1 in ascending order of value (numpy's `unique(…, return_inverse)`). */
export interface CodedLabels {
  /** Code of each sample, 0 … k − 1. */
  codes: Int32Array;
  /** The distinct label values, ascending; `classes[codes[i]] === labels[i]`. */
  classes: Int32Array;
  /** Samples per code. */
  counts: Int32Array;
}

/**
 * Re-codes integer labels as 0 … k − 1 in ascending order of label value, with counts: the
 * internal step of the metrics (the public `encodeLabels` turns any label values into codes).
 */
export function codeLabels(labels: Int32Array): CodedLabels {
  const classes = Int32Array.from(new Set(labels)).sort();
  const index = new Map<number, number>();
  classes.forEach((c, i) => {
    index.set(c, i);
  });
  const codes = new Int32Array(labels.length);
  const counts = new Int32Array(classes.length);
  for (let i = 0; i < labels.length; i++) {
    const c = index.get(labels[i]!)!;
    codes[i] = c;
    counts[c]!++;
  }
  return { codes, classes, counts };
}
