import type { DenseMatrix } from '../dense-matrix.js';
import {
  type DistanceMetric,
  forEachUpperBlock,
  prepareRows,
} from '../metrics/pairwise-distance.js';

/**
 * The neighbours within `eps` (distance ≤ eps, the sample itself included, as scikit-learn's
 * `radius_neighbors`) of every sample (in no particular order); brute force in blocks over the
 * upper triangle.
 */
export function radiusNeighbours(
  m: DenseMatrix,
  eps: number,
  metric: DistanceMetric,
): Int32Array[] {
  const p = prepareRows(m, metric);
  const { n } = p;
  const lists: number[][] = Array.from({ length: n }, () => []);
  forEachUpperBlock(p, (i0, i1, j0, j1, block, w) => {
    for (let i = i0; i < i1; i++) {
      const list = lists[i]!;
      const off = (i - i0) * w - j0;
      // A pair within eps goes into both lists.
      for (let j = Math.max(j0, i); j < j1; j++)
        if (block[off + j]! <= eps) {
          list.push(j);
          if (j !== i) lists[j]!.push(i);
        }
    }
  });
  return lists.map((l) => Int32Array.from(l));
}
