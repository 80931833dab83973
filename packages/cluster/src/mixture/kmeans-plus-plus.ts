import type { Rng } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';

function sqDist(x: Float64Array | Float32Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[a * d + j]! - x[b * d + j]!;
    s += t * t;
  }
  return s;
}

/**
 * k-means++ seeding as scikit-learn's `kmeans_plusplus` (greedy: 2 + ⌊ln k⌋ candidates per step,
 * sampled proportionally to the squared distance to the nearest chosen centre, keeping the one
 * that lowers the total most), drawn from `rng`.
 *
 * @returns the indices of the k chosen samples.
 */
export function kmeansPlusPlus(x: DenseMatrix, k: number, rng: Rng): Int32Array {
  const [n, d] = x.shape;
  const trials = 2 + Math.floor(Math.log(k));
  const chosen = new Int32Array(k);
  chosen[0] = rng.int(n);
  let closest: Float64Array = new Float64Array(n);
  let potential = 0;
  for (let s = 0; s < n; s++) {
    closest[s] = sqDist(x.data, s, chosen[0]!, d);
    potential += closest[s]!;
  }
  const cumulative = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let s = 0; s < n; s++) cumulative[s] = acc += closest[s]!;
    const ids = Array.from({ length: trials }, () => {
      const id = lowerBound(cumulative, rng.next() * potential);
      return id >= n ? n - 1 : id;
    });
    const { dists, pots } = candidateDistances(x, closest, ids);
    let best = { id: ids[0]!, pot: pots[0]!, dist: dists[0]! };
    for (let t = 1; t < trials; t++)
      if (pots[t]! < best.pot) best = { id: ids[t]!, pot: pots[t]!, dist: dists[t]! };
    chosen[c] = best.id;
    potential = best.pot;
    closest = best.dist;
  }
  return chosen;
}

/**
 * For each candidate: min(closest, squared distance to the candidate) per sample and its sum,
 * all candidates in one pass over the samples (each row read once).
 */
function candidateDistances(
  x: DenseMatrix,
  closest: Float64Array,
  ids: number[],
): { dists: Float64Array[]; pots: Float64Array } {
  const [n, d] = x.shape;
  const dists = ids.map(() => new Float64Array(n));
  const pots = new Float64Array(ids.length);
  for (let s = 0; s < n; s++)
    for (let t = 0; t < ids.length; t++) {
      const v = Math.min(closest[s]!, sqDist(x.data, s, ids[t]!, d));
      dists[t]![s] = v;
      pots[t]! += v;
    }
  return { dists, pots };
}

/** The first index whose value is ≥ target (numpy's `searchsorted`, side left). */
function lowerBound(a: Float64Array, target: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
