import type { AnalysisLabels } from '../analysis-input.js';
import { contingency } from './contingency.js';

const pairs = (m: number) => (m * (m - 1)) / 2;

/**
 * The adjusted Rand index of two labelings of the same samples (Hubert & Arabie; equal to
 * scikit-learn's `adjusted_rand_score`): 1 for identical partitions (up to renaming), about 0
 * for independent ones, negative below chance. Labels are arbitrary integers (−1 is a label like
 * any other).
 */
export function adjustedRandIndex(truth: AnalysisLabels, labels: AnalysisLabels): number {
  const t = contingency('adjustedRandIndex', truth, labels);
  let index = 0;
  for (const [, , c] of t.cells) index += pairs(c);
  let sumA = 0;
  for (const c of t.rows) sumA += pairs(c);
  let sumB = 0;
  for (const c of t.cols) sumB += pairs(c);
  const expected = t.n > 1 ? (sumA * sumB) / pairs(t.n) : 0;
  const max = (sumA + sumB) / 2;
  // Both partitions trivial in the same way (all singletons or one cluster): full agreement.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
