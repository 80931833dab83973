import { invalidArgument } from '@cellshape/core';
import { type ClassLabels, checkClassLabels, uniqueLabels } from './class-labels.js';

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /**
   * The classes, in the order of the rows and columns. Samples whose truth or prediction is
   * not listed are left out (as sklearn). Default: the sorted union of `truth` and `pred`.
   */
  labels?: readonly number[];
}

/** The result of {@link confusionMatrix}. */
export interface ConfusionMatrix {
  /** The class of each row and column. */
  labels: number[];
  /** `matrix[i][j]`: samples of true class `labels[i]` predicted as `labels[j]` (sklearn's layout). */
  matrix: number[][];
}

/**
 * The confusion matrix of a classification, as scikit-learn's `confusion_matrix`: rows are the
 * true classes, columns the predicted ones.
 *
 * @param truth the true class of each sample (integers; strings through `encodeLabels`).
 * @param pred the predicted class of each sample, same length.
 * @throws InvalidArgumentError for labels that are not integers, lengths that differ, or
 *   `options.labels` empty, with repeats, or naming none of the true classes.
 */
export function confusionMatrix(
  truth: ClassLabels,
  pred: ClassLabels,
  options: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  const fn = 'confusionMatrix';
  checkClassLabels(fn, 'truth', truth);
  checkClassLabels(fn, 'pred', pred, truth.length);
  const labels = options.labels
    ? checkLabelList(fn, options.labels, truth)
    : uniqueLabels(truth, pred);
  return { labels, matrix: countPairs(truth, pred, labels) };
}

/** Counts (truth, pred) pairs over `labels` (validated inputs). */
export function countPairs(
  truth: ClassLabels,
  pred: ClassLabels,
  labels: readonly number[],
): number[][] {
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let s = 0; s < truth.length; s++) {
    const i = index.get(truth[s]!);
    const j = index.get(pred[s]!);
    if (i !== undefined && j !== undefined) matrix[i]![j]!++;
  }
  return matrix;
}

/** Validates an explicit class list (sklearn: non-empty, at least one present in the truth). */
export function checkLabelList(
  fn: string,
  labels: readonly number[],
  truth: ClassLabels,
): number[] {
  const arg = 'options.labels';
  checkClassLabels(fn, arg, labels);
  if (new Set(labels).size !== labels.length)
    throw invalidArgument(fn, arg, 'a list of distinct labels', labels);
  const present = new Set(Array.from(truth));
  if (!labels.some((l) => present.has(l)))
    throw invalidArgument(fn, arg, 'to name at least one class present in truth', labels);
  return [...labels];
}
