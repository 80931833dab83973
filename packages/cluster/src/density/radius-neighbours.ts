import { type ProgressCallback, progressReporter } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';
import {
  type DistanceMetric,
  dotProducts,
  MAX_BLOCK,
  type PreparedRows,
  prepareRows,
} from '../metrics/pairwise-distance.js';
import {
  blocksBound,
  type PivotBlocks,
  permuteRows,
  pivotBlocks,
  roundingMargin,
} from './pivot-blocks.js';

/**
 * The neighbours within `eps` (distance ≤ eps, the sample itself included, as scikit-learn's
 * `radius_neighbors`) of every sample (in no particular order). Brute force in blocks over the
 * upper triangle, skipping block pairs that pivots prove farther apart than eps; the test is
 * scikit-learn's: ‖x‖² + ‖y‖² − 2x·y ≤ eps² (euclidean), 1 − x·y ≤ eps on unit rows (cosine).
 * Progress: phase `'neighbours'`, in block pairs.
 */
export function radiusNeighbours(
  m: DenseMatrix,
  eps: number,
  metric: DistanceMetric,
  onProgress?: ProgressCallback,
): Int32Array[] {
  const p = prepareRows(m, metric, { simd: false });
  const { n, d } = p;
  const pb = pivotBlocks(p.data, n, d, MAX_BLOCK);
  const q = permuteRows(p, pb.order, true);
  const radius = pruneRadius(p, eps);
  const lists: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const out = new Float64Array(MAX_BLOCK * MAX_BLOCK);
  const blocks = pb.starts.length - 1;
  const tick = progressReporter(onProgress, 'neighbours', (blocks * (blocks + 1)) / 2);
  let done = 0;
  for (let a = 0; a < blocks; a++)
    for (let b = a; b < blocks; b++) {
      if (blocksBound(pb, a, b) <= radius) collectPairs(q, pb, a, b, eps, lists, out);
      tick(++done);
    }
  return lists.map((l) => Int32Array.from(l));
}

/**
 * Euclidean radius beyond which no pair can pass the eps test. Cosine on unit rows is
 * ‖x − y‖²/2; a zero row (cosine distance 1 to anything) disables the pruning.
 */
function pruneRadius(p: PreparedRows, eps: number): number {
  const margin = roundingMargin(p);
  if (p.metric === 'euclidean') return eps * (1 + 1e-9) + margin;
  if (p.sqNorms.includes(0) || eps >= 2) return Number.POSITIVE_INFINITY;
  return Math.sqrt(2 * eps) * (1 + 1e-9) + margin;
}

/** Adds the pairs within eps of blocks a ≤ b (positions in `q`) to `lists` (rows of the input). */
function collectPairs(
  q: PreparedRows,
  pb: PivotBlocks,
  a: number,
  b: number,
  eps: number,
  lists: number[][],
  out: Float64Array,
): void {
  const { sqNorms: sq } = q;
  const { order, starts } = pb;
  const [i0, i1] = [starts[a]!, starts[a + 1]!];
  const [j0, j1] = [starts[b]!, starts[b + 1]!];
  const { view: dots, stride } = dotProducts(q, i0, i1, j0, j1, out);
  const eps2 = eps * eps;
  const euclidean = q.metric === 'euclidean';
  for (let i = i0; i < i1; i++) {
    const off = (i - i0) * stride - j0;
    const si = sq[i]!;
    const oi = order[i]!;
    if (oi < 0) continue; // padding (a padding j never passes: its products are NaN)
    const list = lists[oi]!;
    for (let j = Math.max(j0, i + 1); j < j1; j++) {
      const dot = dots[off + j]!;
      const within = euclidean ? -2 * dot + si + sq[j]! <= eps2 : Math.min(2, 1 - dot) <= eps;
      if (within) {
        list.push(order[j]!);
        lists[order[j]!]!.push(oi);
      }
    }
  }
}
