import type { DenseMatrix } from '../dense-matrix.js';
import {
  type DistanceMetric,
  distanceBlock,
  MAX_BLOCK,
  prepareRows,
} from '../metrics/pairwise-distance.js';

/**
 * The neighbours within `eps` (distance ≤ eps, the sample itself included, as scikit-learn's
 * `radius_neighbors`) of every sample, in ascending index order; brute force in blocks.
 */
export function radiusNeighbours(
  m: DenseMatrix,
  eps: number,
  metric: DistanceMetric,
): Int32Array[] {
  const p = prepareRows(m, metric);
  const { n } = p;
  const lists: number[][] = Array.from({ length: n }, () => []);
  const block = new Float64Array(MAX_BLOCK * MAX_BLOCK);
  for (let i0 = 0; i0 < n; i0 += MAX_BLOCK) {
    const i1 = Math.min(n, i0 + MAX_BLOCK);
    for (let j0 = 0; j0 < n; j0 += MAX_BLOCK) {
      const j1 = Math.min(n, j0 + MAX_BLOCK);
      distanceBlock(p, i0, i1, j0, j1, block);
      const w = j1 - j0;
      for (let i = i0; i < i1; i++) {
        const list = lists[i]!;
        const off = (i - i0) * w - j0;
        for (let j = j0; j < j1; j++) if (block[off + j]! <= eps) list.push(j);
      }
    }
  }
  return lists.map((l) => Int32Array.from(l));
}
