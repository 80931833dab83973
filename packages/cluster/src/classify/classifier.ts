import { checkObject, checkPositive, InvalidArgumentError } from '@cellshape/core';
import type { AnalysisMatrix } from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';
import { type ClassLabels, checkClassLabels } from '../metrics/class-labels.js';
import { toFeatureMatrix } from './input-matrix.js';

/**
 * What cross-validation needs of a classifier, in the scikit-learn manner: `fit` learns from
 * features and integer labels (forgetting any earlier fit) and returns the classifier;
 * `predict` labels new samples with classes seen in `fit`.
 */
export interface Classifier {
  fit(X: AnalysisMatrix, labels: ClassLabels): this;
  predict(X: AnalysisMatrix): Int32Array;
}

/** Class weights: `'balanced'` (n / (K · n_c), as sklearn) or an explicit weight per label. */
export type ClassWeight = 'balanced' | Readonly<Record<number, number>>;

/** Checks `options.classWeight` of `fn`: undefined, `'balanced'` or a positive weight per label. */
export function checkClassWeight(fn: string, classWeight: ClassWeight | undefined): void {
  if (classWeight === undefined || classWeight === 'balanced') return;
  checkObject(fn, 'options.classWeight', classWeight);
  for (const [k, w] of Object.entries(classWeight))
    checkPositive(fn, `options.classWeight[${k}]`, w, true);
}

/**
 * What every classifier's `fit` starts from: the features as a float matrix, and the sorted
 * classes of `labels` with each label's code.
 * @throws InvalidArgumentError for bad features, labels of another length or a single class.
 */
export function trainingSet(
  fn: string,
  X: AnalysisMatrix,
  labels: ClassLabels,
): { m: DenseMatrix<Float64Array>; classes: number[]; codes: Int32Array } {
  const m = toFeatureMatrix(fn, 'X', X);
  checkClassLabels(fn, 'labels', labels, m.shape[0]);
  const { classes, codes } = classCodes(labels);
  if (classes.length < 2)
    throw new InvalidArgumentError(`${fn}: 'labels' must hold at least two classes, got one`, {
      fn,
      arg: 'labels',
    });
  return { m, classes, codes };
}

/** The weight of each class of `classes` (sorted labels) for training labels `y` (codes). */
export function classWeights(
  classWeight: ClassWeight | undefined,
  classes: readonly number[],
  codes: Int32Array,
): Float64Array {
  const w = new Float64Array(classes.length).fill(1);
  if (classWeight === undefined) return w;
  if (classWeight === 'balanced') {
    const counts = new Float64Array(classes.length);
    for (const c of codes) counts[c]!++;
    for (let c = 0; c < classes.length; c++) w[c] = codes.length / (classes.length * counts[c]!);
    return w;
  }
  classes.forEach((label, c) => {
    w[c] = classWeight[label] ?? 1;
  });
  return w;
}

/** The sorted classes of `labels` and each label's index among them. */
export function classCodes(labels: ClassLabels): { classes: number[]; codes: Int32Array } {
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, codes: Int32Array.from(labels, (l) => index.get(l)!) };
}

/** Rows `rows` of a matrix, as a new float64 matrix. */
export function takeRows(m: DenseMatrix, rows: ArrayLike<number>): DenseMatrix<Float64Array> {
  const d = m.shape[1];
  const data = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++)
    data.set(m.data.subarray(rows[i]! * d, (rows[i]! + 1) * d), i * d);
  return { data, shape: [rows.length, d] };
}
