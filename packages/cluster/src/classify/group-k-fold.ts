import { withDefaults } from '@cellshape/core';
import { checkFoldCount, codesOf, type Fold, foldsFromAssignment } from './folds.js';

/** Options of {@link groupKFold}. */
export interface GroupKFoldOptions {
  /** Number of folds, ≥ 2 and at most the number of groups. Default 5. */
  k?: number;
}

/** Defaults of {@link GroupKFoldOptions}. */
export const DEFAULT_GROUP_K_FOLD_OPTIONS = { k: 5 } as const;

/**
 * Grouped k-fold splits, as scikit-learn's `GroupKFold`: all samples of a group (a patient,
 * well, plate…) fall in the same test fold, so a group is never on both sides of a split.
 * Groups are dealt largest first, each to the fold with the fewest samples so far, which
 * balances the fold sizes; the same folds as sklearn's (ties between equal groups broken as
 * its stable sort does).
 *
 * @param groups the group of each sample (integers or strings).
 * @throws InvalidArgumentError for k < 2 or more folds than groups.
 */
export function groupKFold(
  groups: ArrayLike<number | string>,
  options?: GroupKFoldOptions,
): Fold[] {
  const fn = 'groupKFold';
  const o = withDefaults(fn, DEFAULT_GROUP_K_FOLD_OPTIONS, options);
  const { codes, count } = codesOf(fn, 'groups', groups);
  const k = checkFoldCount(fn, o.k, count, 'groups');
  const sizes = new Array<number>(count).fill(0);
  for (const g of codes) sizes[g]!++;
  // sklearn: argsort(sizes)[::-1], i.e. largest first, equal sizes by descending group index.
  const byDescendingSize = sizes.map((_, g) => g).sort((a, b) => sizes[b]! - sizes[a]! || b - a);
  const foldSizes = new Array<number>(k).fill(0);
  const foldOfGroup = new Int32Array(count);
  for (const g of byDescendingSize) {
    const lightest = foldSizes.indexOf(Math.min(...foldSizes));
    foldSizes[lightest]! += sizes[g]!;
    foldOfGroup[g] = lightest;
  }
  return foldsFromAssignment(
    codes.map((g) => foldOfGroup[g]!),
    k,
  );
}
