import { forEachUpperBlock, type PreparedRows } from '../metrics/pairwise-distance.js';

/**
 * The core distance of every sample: the distance to its k-th nearest sample, the sample itself
 * counted as the first (scikit-learn's HDBSCAN convention, so k = 1 gives 0). Brute force in
 * blocks over the upper triangle, keeping the k smallest distances of each row.
 */
export function coreDistances(p: PreparedRows, k: number): Float64Array {
  const { n } = p;
  // best[i·k …]: the k smallest distances of row i, ascending (the sample itself gives 0).
  const best = new Float64Array(n * k).fill(Number.POSITIVE_INFINITY);
  forEachUpperBlock(p, (i0, i1, j0, j1, block, w) => {
    for (let i = i0; i < i1; i++) {
      const off = (i - i0) * w - j0;
      for (let j = Math.max(j0, i); j < j1; j++) {
        const v = block[off + j]!;
        if (v < best[i * k + k - 1]!) insert(best, i * k, k, v);
        if (j !== i && v < best[j * k + k - 1]!) insert(best, j * k, k, v);
      }
    }
  });
  const core = new Float64Array(n);
  for (let i = 0; i < n; i++) core[i] = best[i * k + k - 1]!;
  return core;
}

function insert(best: Float64Array, o: number, k: number, v: number): void {
  let p = o + k - 1;
  while (p > o && best[p - 1]! > v) {
    best[p] = best[p - 1]!;
    p--;
  }
  best[p] = v;
}
