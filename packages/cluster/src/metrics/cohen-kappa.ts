import { checkOneOf, InvalidArgumentError } from '@cellshape/core';
import { type ClassLabels, checkClassLabels } from './class-labels.js';
import { confusionMatrix } from './confusion-matrix.js';

/** Options of {@link cohenKappa}. */
export interface CohenKappaOptions {
  /**
   * Disagreement weights for ordered classes: `'linear'` (|i − j|) or `'quadratic'` ((i − j)²),
   * i and j being positions in `labels`. Default: none (every disagreement weighs 1).
   */
  weights?: 'linear' | 'quadratic';
  /** The classes, in order. Default: the sorted union of both label arrays. */
  labels?: readonly number[];
}

/**
 * Cohen's kappa, the agreement of two labelings beyond chance (sklearn's `cohen_kappa_score`):
 * 1 − Σ w·observed / Σ w·expected, expected from the product of the marginals. 1 is perfect
 * agreement, 0 chance, negative worse than chance.
 *
 * @throws InvalidArgumentError for bad labels, or when both labelings hold one and the same
 *   class only (kappa is then 0 / 0; sklearn returns NaN).
 */
export function cohenKappa(
  truth: ClassLabels,
  pred: ClassLabels,
  options: CohenKappaOptions = {},
): number {
  const fn = 'cohenKappa';
  checkClassLabels(fn, 'truth', truth);
  checkClassLabels(fn, 'pred', pred, truth.length);
  if (options.weights !== undefined)
    checkOneOf(fn, 'options.weights', options.weights, ['linear', 'quadratic']);
  const { matrix } = confusionMatrix(truth, pred, options.labels ? { labels: options.labels } : {});
  const k = matrix.length;
  const rows = matrix.map((r) => r.reduce((s, v) => s + v, 0));
  const cols = matrix[0]!.map((_, j) => matrix.reduce((s, r) => s + r[j]!, 0));
  const total = rows.reduce((s, v) => s + v, 0);
  const weight = (i: number, j: number) =>
    options.weights === 'linear'
      ? Math.abs(i - j)
      : options.weights === 'quadratic'
        ? (i - j) ** 2
        : i === j
          ? 0
          : 1;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const w = weight(i, j);
      observed += w * matrix[i]![j]!;
      expected += (w * rows[i]! * cols[j]!) / total;
    }
  if (expected === 0)
    throw new InvalidArgumentError(
      `${fn}: 'truth' and 'pred' must together hold at least two classes (kappa is undefined for one)`,
      { fn, arg: 'truth' },
    );
  return 1 - observed / expected;
}
