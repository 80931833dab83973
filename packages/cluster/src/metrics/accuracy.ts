import { InvalidArgumentError, withDefaults } from '@cellshape/core';
import { type ClassLabels, checkClassLabels } from './class-labels.js';
import { confusionMatrix } from './confusion-matrix.js';

/**
 * The share of samples whose prediction equals the truth (sklearn's `accuracy_score`), in [0, 1].
 *
 * @throws InvalidArgumentError for non-integer labels or lengths that differ.
 */
export function accuracyScore(truth: ClassLabels, pred: ClassLabels): number {
  const fn = 'accuracyScore';
  checkClassLabels(fn, 'truth', truth);
  checkClassLabels(fn, 'pred', pred, truth.length);
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) hits++;
  return hits / truth.length;
}

/** Options of {@link balancedAccuracyScore}. */
export interface BalancedAccuracyOptions {
  /** Rescale so that chance scores 0 and perfect 1 (sklearn's `adjusted`). Default false. */
  adjusted?: boolean;
}

/** Defaults of {@link BalancedAccuracyOptions}. */
export const DEFAULT_BALANCED_ACCURACY_OPTIONS = { adjusted: false } as const;

/**
 * The mean recall over the true classes (sklearn's `balanced_accuracy_score`): every class
 * weighs alike whatever its size. Classes only predicted, never true, are left out (sklearn
 * warns and does the same).
 *
 * @throws InvalidArgumentError for bad labels, or `adjusted` with a single true class (no chance level).
 */
export function balancedAccuracyScore(
  truth: ClassLabels,
  pred: ClassLabels,
  options?: BalancedAccuracyOptions,
): number {
  const fn = 'balancedAccuracyScore';
  const { adjusted } = withDefaults(fn, DEFAULT_BALANCED_ACCURACY_OPTIONS, options);
  checkClassLabels(fn, 'truth', truth);
  checkClassLabels(fn, 'pred', pred, truth.length);
  const { matrix } = confusionMatrix(truth, pred);
  const recalls: number[] = [];
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    if (total > 0) recalls.push(row[i]! / total);
  });
  const score = recalls.reduce((a, b) => a + b, 0) / recalls.length;
  if (!adjusted) return score;
  if (recalls.length < 2)
    throw new InvalidArgumentError(
      `${fn}: 'truth' must hold at least two classes with options.adjusted`,
      { fn, arg: 'truth' },
    );
  const chance = 1 / recalls.length;
  return (score - chance) / (1 - chance);
}
