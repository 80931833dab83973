import { type ProgressCallback, progressReporter } from '@cellshape/core';
import { distanceBlock, MAX_BLOCK, type PreparedRows } from '../metrics/pairwise-distance.js';
import { blocksBound, permuteRows, pivotBlocks, roundingMargin } from './pivot-blocks.js';

/**
 * The core distance of every sample: the distance to its k-th nearest sample, the sample itself
 * counted as the first (scikit-learn's HDBSCAN convention, so k = 1 gives 0). Brute force in
 * blocks over the upper triangle, keeping the k smallest distances of each row; block pairs are
 * visited nearest first (by pivot bounds) and skipped once their bound exceeds the k-th
 * distance so far of every row in both blocks, which cannot change any result. Progress:
 * phase `'core distances'`, in block pairs.
 */
export function coreDistances(
  p: PreparedRows,
  k: number,
  onProgress?: ProgressCallback,
): Float64Array {
  const { n } = p;
  const pb = pivotBlocks(p.data, n, p.d, MAX_BLOCK);
  const q = permuteRows(p, pb.order, p.simd !== undefined);
  const lower = distanceLowerBound(p);
  // best[r·k …]: the k smallest distances of position r, ascending (the sample itself gives 0).
  const best = new Float64Array(q.n * k).fill(Number.POSITIVE_INFINITY);
  const blocks = pb.starts.length - 1;
  const kth = new Float64Array(blocks).fill(Number.POSITIVE_INFINITY); // greatest k-th per block
  const pairs: { a: number; b: number; bound: number }[] = [];
  for (let a = 0; a < blocks; a++)
    for (let b = a; b < blocks; b++) pairs.push({ a, b, bound: lower(blocksBound(pb, a, b)) });
  pairs.sort((x, y) => x.bound - y.bound || x.a - y.a || x.b - y.b);
  const block = new Float64Array(MAX_BLOCK * MAX_BLOCK);
  const tick = progressReporter(onProgress, 'core distances', pairs.length);
  let done = 0;
  for (const { a, b, bound } of pairs) {
    tick(++done);
    if (bound > kth[a]! && bound > kth[b]!) continue;
    const [i0, i1] = [pb.starts[a]!, pb.starts[a + 1]!];
    const [j0, j1] = [pb.starts[b]!, pb.starts[b + 1]!];
    distanceBlock(q, i0, i1, j0, j1, block);
    keepSmallest(best, k, block, i0, i1, j0, j1);
    kth[a] = blockKth(best, k, pb.order, i0, i1);
    kth[b] = blockKth(best, k, pb.order, j0, j1);
  }
  const core = new Float64Array(n);
  pb.order.forEach((i, r) => {
    if (i >= 0) core[i] = best[r * k + k - 1]!;
  });
  return core;
}

/**
 * Turns a pivot bound on the euclidean distance of prepared rows into one on the distance of
 * `p`'s metric as rounded: cosine on unit rows is ‖x − y‖²/2; a zero row (cosine 1 to anything)
 * leaves only 0.
 */
function distanceLowerBound(p: PreparedRows): (bound: number) => number {
  const margin = roundingMargin(p);
  if (p.metric === 'euclidean') return (b) => b - margin;
  if (p.sqNorms.includes(0)) return () => 0;
  return (b) => (Math.max(0, b - margin) ** 2 / 2) * (1 - 1e-9);
}

/** Merges the distances of a block (rows `[i0, i1)` × `[j0, j1)`, upper triangle) into `best`. */
function keepSmallest(
  best: Float64Array,
  k: number,
  block: Float64Array,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
): void {
  const w = j1 - j0;
  for (let i = i0; i < i1; i++) {
    const off = (i - i0) * w - j0;
    for (let j = Math.max(j0, i); j < j1; j++) {
      const v = block[off + j]!;
      if (v < best[i * k + k - 1]!) insert(best, i * k, k, v);
      if (j !== i && v < best[j * k + k - 1]!) insert(best, j * k, k, v);
    }
  }
}

/** The greatest k-th distance so far of the rows (not padding) at positions `[r0, r1)`. */
function blockKth(
  best: Float64Array,
  k: number,
  order: Int32Array,
  r0: number,
  r1: number,
): number {
  let m = 0;
  for (let r = r0; r < r1; r++) if (order[r]! >= 0) m = Math.max(m, best[r * k + k - 1]!);
  return m;
}

function insert(best: Float64Array, o: number, k: number, v: number): void {
  let p = o + k - 1;
  while (p > o && best[p - 1]! > v) {
    best[p] = best[p - 1]!;
    p--;
  }
  best[p] = v;
}
