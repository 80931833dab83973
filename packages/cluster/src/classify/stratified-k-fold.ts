import { createRng, InvalidArgumentError, withDefaults } from '@cellshape/core';
import { checkFoldCount, codesOf, type Fold, foldsFromAssignment } from './folds.js';

/** Options of {@link stratifiedKFold}. */
export interface StratifiedKFoldOptions {
  /** Number of folds, ≥ 2. Default 5. */
  k?: number;
  /** Shuffle which samples of a class go to which fold (seeded). Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
}

/** Defaults of {@link StratifiedKFoldOptions}. */
export const DEFAULT_STRATIFIED_K_FOLD_OPTIONS = { k: 5, shuffle: false, seed: 0 } as const;

/**
 * Stratified k-fold splits, as scikit-learn's `StratifiedKFold`: every class is spread over the
 * folds as evenly as possible (its count per test fold differs by at most 1 between folds) and
 * test fold sizes differ by at most 1. Without shuffling the folds equal sklearn's; with
 * shuffling they are seeded by our own generator (not numpy's).
 *
 * @param labels the class of each sample (integers or strings).
 * @returns k folds, test sets disjoint and covering every sample.
 * @throws InvalidArgumentError for k < 2, k above the number of samples, or a class with fewer
 *   than k members (sklearn only warns; such a class would be missing from some test folds).
 */
export function stratifiedKFold(
  labels: ArrayLike<number | string>,
  options?: StratifiedKFoldOptions,
): Fold[] {
  const fn = 'stratifiedKFold';
  const o = withDefaults(fn, DEFAULT_STRATIFIED_K_FOLD_OPTIONS, options);
  const { codes, count } = codesOf(fn, 'labels', labels);
  const k = checkFoldCount(fn, o.k, codes.length, 'samples');
  // sklearn numbers the classes by first appearance for the allocation.
  const order = new Map<number, number>();
  for (const c of codes) if (!order.has(c)) order.set(c, order.size);
  const y = codes.map((c) => order.get(c)!);
  const counts = new Array<number>(count).fill(0);
  for (const c of y) counts[c]!++;
  const smallest = Math.min(...counts);
  if (smallest < k)
    throw new InvalidArgumentError(
      `${fn}: every class in 'labels' must have at least k = ${k} members, the smallest has ${smallest}`,
      { fn, arg: 'labels' },
    );
  // The allocation of sklearn: deal the class-sorted samples round-robin over the folds.
  const allocation = Array.from({ length: k }, () => new Array<number>(count).fill(0));
  let position = 0;
  counts.forEach((n, c) => {
    for (let j = 0; j < n; j++, position++) allocation[position % k]![c]!++;
  });
  const rng = createRng(o.seed);
  const testFold = new Int32Array(y.length);
  for (let c = 0; c < count; c++) {
    const foldsForClass: number[] = [];
    for (let f = 0; f < k; f++) for (let j = 0; j < allocation[f]![c]!; j++) foldsForClass.push(f);
    if (o.shuffle) rng.shuffle(foldsForClass);
    let j = 0;
    for (let i = 0; i < y.length; i++) if (y[i] === c) testFold[i] = foldsForClass[j++]!;
  }
  return foldsFromAssignment(testFold, k);
}
