import { InvalidArgumentError, invalidArgument } from '@cellshape/core';
import type { DenseMatrix } from './dense-matrix.js';
import { checkAssignment } from './soft-assignment.js';

/** A group key per cell: a treatment, a well, a knockdown… */
export type GroupKey = string | number;

/** What {@link signatures} returns. */
export interface SignaturesResult {
  /** The groups, in order of first appearance. */
  groups: GroupKey[];
  /** Cells per group. */
  counts: number[];
  /** Mean soft assignment (3DQMS) per group, `G × K`, rows sum to 1. */
  signatures: DenseMatrix<Float64Array>;
}

/** Validates one key per row (`n` keys, strings or finite numbers). */
export function checkGroups(fn: string, arg: string, groups: readonly GroupKey[], n: number): void {
  if (!Array.isArray(groups) || groups.length !== n)
    throw invalidArgument(fn, arg, `an array of ${n} keys (one per cell)`, groups);
  groups.forEach((g, i) => {
    if (!(typeof g === 'string' || (typeof g === 'number' && Number.isFinite(g))))
      throw new InvalidArgumentError(
        `${fn}: '${arg}' must hold strings or numbers, got ${String(g)} at index ${i}`,
        { fn, arg },
      );
  });
}

/**
 * The shape signature of groups of cells (e.g. treatments): the mean over each group's cells
 * of their soft cluster assignments q — the 3D quantitative morphological signature (3DQMS)
 * of the cellshape paper.
 *
 * @param q soft assignments, `n × K` (rows sum to 1), e.g. `trainIdec(…).q`.
 * @param groups one key per cell.
 */
export function signatures(q: DenseMatrix, groups: readonly GroupKey[]): SignaturesResult {
  const fn = 'signatures';
  checkAssignment(fn, 'q', q);
  const [n, k] = q.shape;
  checkGroups(fn, 'groups', groups, n);
  const index = new Map<GroupKey, number>();
  const keys: GroupKey[] = [];
  for (const g of groups) {
    if (!index.has(g)) {
      index.set(g, keys.length);
      keys.push(g);
    }
  }
  const counts = new Array<number>(keys.length).fill(0);
  const sums = new Float64Array(keys.length * k);
  groups.forEach((g, i) => {
    const gi = index.get(g)!;
    counts[gi]!++;
    for (let j = 0; j < k; j++) sums[gi * k + j]! += q.data[i * k + j]!;
  });
  for (let gi = 0; gi < keys.length; gi++)
    for (let j = 0; j < k; j++) sums[gi * k + j]! /= counts[gi]!;
  return { groups: keys, counts, signatures: { data: sums, shape: [keys.length, k] } };
}
