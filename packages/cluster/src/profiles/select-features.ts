import { checkNumber, InvalidArgumentError, invalidArgument, withDefaults } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';
import { highCorrelation, lowFrequency, lowVariance, tooManyMissing } from './feature-filters.js';
import { checkReference, type ProfileMatrix, profileMatrix } from './profile-input.js';

/** A feature-selection operation, named as pycytominer's `feature_select` operations. */
export type FeatureSelectOperation =
  | 'variance_threshold'
  | 'frequency_threshold'
  | 'correlation_threshold'
  | 'drop_na_columns';

const OPERATIONS: readonly FeatureSelectOperation[] = [
  'variance_threshold',
  'frequency_threshold',
  'correlation_threshold',
  'drop_na_columns',
];

/** Options of {@link selectFeatures}. */
export interface SelectFeaturesOptions {
  /** Operations, applied in this order, each to the columns the previous ones kept. Default: all four, in the order of {@link FeatureSelectOperation}. */
  operations?: readonly FeatureSelectOperation[];
  /** Rows the rules are judged on (e.g. the controls): `'all'` or one boolean per row. Default `'all'`. */
  reference?: 'all' | readonly boolean[];
  /** `variance_threshold`: drop a column whose population variance is below this. Default 1e-6. */
  minVariance?: number;
  /** `frequency_threshold`: drop when 2nd / 1st most common value count is below this. Default 0.05. */
  freqCut?: number;
  /** `frequency_threshold`: drop when distinct values / rows is below this. Default 0.01. */
  uniqueCut?: number;
  /** `correlation_threshold`: Pearson r above which one column of the pair is dropped. Default 0.9. */
  corrThreshold?: number;
  /** `drop_na_columns`: drop a column whose share of missing values (NaN) exceeds this. Default 0.05. */
  naCutoff?: number;
}

/** Defaults of {@link SelectFeaturesOptions} (pycytominer's `feature_select` defaults). */
export const DEFAULT_SELECT_FEATURES_OPTIONS = {
  operations: OPERATIONS,
  reference: 'all',
  minVariance: 1e-6,
  freqCut: 0.05,
  uniqueCut: 0.01,
  corrThreshold: 0.9,
  naCutoff: 0.05,
} as const satisfies SelectFeaturesOptions;

/** What {@link selectFeatures} returns. */
export interface SelectedFeatures {
  /** Indices of the kept columns, ascending. */
  kept: number[];
  /** Every dropped column with the operation that dropped it, by column. */
  dropped: { column: number; operation: FeatureSelectOperation }[];
  /** `x` restricted to the kept columns, `n × kept.length` float64. */
  matrix: DenseMatrix<Float64Array>;
}

/**
 * Selects informative, non-redundant features as pycytominer's `feature_select`: runs the
 * operations in order, each on the columns left by the previous ones —
 * `variance_threshold` (near-constant), `frequency_threshold` (one value dominates, caret's
 * near-zero variance), `correlation_threshold` (one of every pair with r > 0.9, the one more
 * correlated with everything else), `drop_na_columns` (more than 5 % missing).
 *
 * @param x `n × F` (finite or NaN for missing values).
 * @throws InvalidArgumentError when every column would be dropped.
 */
export function selectFeatures(
  x: ProfileMatrix,
  options?: SelectFeaturesOptions,
): SelectedFeatures {
  const fn = 'selectFeatures';
  const m = profileMatrix(fn, 'x', x, { allowNaN: true });
  const o = withDefaults(fn, DEFAULT_SELECT_FEATURES_OPTIONS, options);
  if (!Array.isArray(o.operations) || !o.operations.every((op) => OPERATIONS.includes(op)))
    throw invalidArgument(
      fn,
      'options.operations',
      `an array of ${OPERATIONS.join(', ')}`,
      o.operations,
    );
  checkNumber(fn, 'options.minVariance', o.minVariance, { min: 0 });
  for (const key of ['freqCut', 'uniqueCut', 'corrThreshold', 'naCutoff'] as const)
    checkNumber(fn, `options.${key}`, o[key], { min: 0, max: 1 });
  const [n, f] = m.shape;
  const reference = checkReference(fn, o.reference, n);
  const all = Array.from({ length: n }, (_, i) => i);
  const rows = reference === 'all' ? all : all.filter((i) => reference[i]);
  if (rows.length === 0)
    throw invalidArgument(fn, 'options.reference', 'at least one true row', reference);
  let cols = Array.from({ length: f }, (_, c) => c);
  const reason = new Map<number, FeatureSelectOperation>();
  for (const op of o.operations) {
    const out =
      op === 'variance_threshold'
        ? lowVariance(m, rows, cols, o.minVariance)
        : op === 'frequency_threshold'
          ? lowFrequency(m, rows, cols, o.freqCut, o.uniqueCut)
          : op === 'correlation_threshold'
            ? highCorrelation(m, rows, cols, o.corrThreshold)
            : tooManyMissing(m, rows, cols, o.naCutoff);
    for (const c of out) reason.set(c, op);
    cols = cols.filter((c) => !reason.has(c));
  }
  if (cols.length === 0)
    throw new InvalidArgumentError(
      `${fn}: every one of the ${f} features was dropped; loosen the thresholds`,
      {
        fn,
        arg: 'options',
      },
    );
  const data = new Float64Array(n * cols.length);
  for (let i = 0; i < n; i++)
    cols.forEach((c, j) => {
      data[i * cols.length + j] = m.data[i * f + c]!;
    });
  return {
    kept: cols,
    dropped: [...reason]
      .sort((a, b) => a[0] - b[0])
      .map(([column, operation]) => ({ column, operation })),
    matrix: { data, shape: [n, cols.length] },
  };
}
