import { createRng, withDefaults } from '@cellshape/core';
import { checkFoldCount, codesOf, type Fold, foldsFromAssignment } from './folds.js';
import {
  DEFAULT_STRATIFIED_K_FOLD_OPTIONS,
  type StratifiedKFoldOptions,
} from './stratified-k-fold.js';

/** Options of {@link stratifiedGroupKFold}: those of stratified k-fold. */
export type StratifiedGroupKFoldOptions = StratifiedKFoldOptions;

/** `row += sign · counts`, in place. */
function addInto(row: number[], counts: readonly number[], sign: 1 | -1): void {
  for (let c = 0; c < row.length; c++) row[c]! += sign * counts[c]!;
}

/** Mean over classes of the standard deviation over folds of each class's share per fold. */
function spread(perFold: number[][], classTotals: number[]): number {
  let sum = 0;
  for (let c = 0; c < classTotals.length; c++) {
    const shares = perFold.map((row) => row[c]! / classTotals[c]!);
    const m = shares.reduce((a, b) => a + b, 0) / shares.length;
    sum += Math.sqrt(shares.reduce((a, s) => a + (s - m) ** 2, 0) / shares.length);
  }
  return sum / classTotals.length;
}

/**
 * Grouped k-fold that also keeps the class proportions of the folds close, as scikit-learn's
 * `StratifiedGroupKFold`: groups (most class-skewed first) go one by one to the fold where the
 * per-class shares spread least (ties: the smaller fold). A group is never split. Without
 * shuffling the folds equal sklearn's; shuffling (seeded) permutes the groups before the
 * stable sort.
 *
 * @throws InvalidArgumentError for different lengths, k < 2 or more folds than groups.
 */
export function stratifiedGroupKFold(
  labels: ArrayLike<number | string>,
  groups: ArrayLike<number | string>,
  options?: StratifiedGroupKFoldOptions,
): Fold[] {
  const fn = 'stratifiedGroupKFold';
  const o = withDefaults(fn, DEFAULT_STRATIFIED_K_FOLD_OPTIONS, options);
  const y = codesOf(fn, 'labels', labels);
  const g = codesOf(fn, 'groups', groups, y.codes.length);
  const k = checkFoldCount(fn, o.k, g.count, 'groups');
  const perGroup = Array.from({ length: g.count }, () => new Array<number>(y.count).fill(0));
  const classTotals = new Array<number>(y.count).fill(0);
  y.codes.forEach((c, i) => {
    perGroup[g.codes[i]!]![c]!++;
    classTotals[c]!++;
  });
  const order = Array.from({ length: g.count }, (_, i) => i);
  if (o.shuffle) createRng(o.seed).shuffle(order);
  const std = (row: number[]) => {
    const m = row.reduce((a, b) => a + b, 0) / row.length;
    return Math.sqrt(row.reduce((a, v) => a + (v - m) ** 2, 0) / row.length);
  };
  const skew = perGroup.map(std);
  order.sort((a, b) => skew[b]! - skew[a]!); // stable: equal skew keeps the (shuffled) order
  const perFold = Array.from({ length: k }, () => new Array<number>(y.count).fill(0));
  const foldOfGroup = new Int32Array(g.count);
  for (const group of order) {
    let best = -1;
    let bestSpread = Number.POSITIVE_INFINITY;
    let bestSize = Number.POSITIVE_INFINITY;
    for (let f = 0; f < k; f++) {
      const row = perFold[f]!;
      addInto(row, perGroup[group]!, 1);
      const s = spread(perFold, classTotals);
      addInto(row, perGroup[group]!, -1);
      const size = row.reduce((a, b) => a + b, 0);
      // numpy's isclose(s, best): |s − best| ≤ 1e-8 + 1e-5·|best|.
      const tie =
        Number.isFinite(bestSpread) &&
        Math.abs(s - bestSpread) <= 1e-8 + 1e-5 * Math.abs(bestSpread);
      if (s < bestSpread || (tie && size < bestSize)) [best, bestSpread, bestSize] = [f, s, size];
    }
    addInto(perFold[best]!, perGroup[group]!, 1);
    foldOfGroup[group] = best;
  }
  return foldsFromAssignment(
    g.codes.map((c) => foldOfGroup[c]!),
    k,
  );
}
