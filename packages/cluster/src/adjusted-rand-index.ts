import { invalidArgument } from '@cellshape/core';
import { checkLabels } from './dense-matrix.js';

const pairs = (m: number) => (m * (m - 1)) / 2;

/**
 * The adjusted Rand index of two labelings of the same items (Hubert & Arabie; equal to
 * sklearn's `adjusted_rand_score`): 1 for identical partitions (up to renaming), about 0 for
 * independent ones, negative below chance. Label values are arbitrary integers ≥ 0.
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const fn = 'adjustedRandIndex';
  checkLabels(fn, 'a', a);
  if (a.length === 0) throw invalidArgument(fn, 'a', 'a non-empty array of labels', a);
  checkLabels(fn, 'b', b, a.length);
  const n = a.length;
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  }
  let index = 0;
  for (const c of table.values()) index += pairs(c);
  let sumA = 0;
  for (const c of rows.values()) sumA += pairs(c);
  let sumB = 0;
  for (const c of cols.values()) sumB += pairs(c);
  const expected = n > 1 ? (sumA * sumB) / pairs(n) : 0;
  const max = (sumA + sumB) / 2;
  // Both partitions trivial in the same way (all singletons or one cluster): full agreement.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
