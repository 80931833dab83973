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
 * up to four candidates per pass over the samples (each row read once per pass, each distance
 * summed in feature order).
 */
function candidateDistances(
  x: DenseMatrix,
  closest: Float64Array,
  ids: number[],
): { dists: Float64Array[]; pots: Float64Array } {
  const n = x.shape[0];
  const dists = ids.map(() => new Float64Array(n));
  const pots = new Float64Array(ids.length);
  for (let t = 0; t < ids.length; t += 4) {
    const group = ids.slice(t, t + 4);
    while (group.length < 4) group.push(group[0]!); // repeats are computed and dropped
    const out = [0, 1, 2, 3].map((g) => dists[t + g] ?? new Float64Array(n));
    const sums = fourDistances(x, closest, group, out);
    for (let g = 0; g < 4 && t + g < ids.length; g++) pots[t + g] = sums[g]!;
  }
  return { dists, pots };
}

/** {@link candidateDistances} for exactly four candidates; returns their sums. */
function fourDistances(
  x: DenseMatrix,
  closest: Float64Array,
  ids: number[],
  out: Float64Array[],
): number[] {
  const [n, d] = x.shape;
  const xd = x.data;
  const [o0, o1, o2, o3] = ids.map((id) => id * d) as [number, number, number, number];
  const [out0, out1, out2, out3] = out as [Float64Array, Float64Array, Float64Array, Float64Array];
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  for (let s = 0; s < n; s++) {
    const row = s * d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < d; j++) {
      const v = xd[row + j]!;
      const t0 = v - xd[o0 + j]!;
      const t1 = v - xd[o1 + j]!;
      const t2 = v - xd[o2 + j]!;
      const t3 = v - xd[o3 + j]!;
      a0 += t0 * t0;
      a1 += t1 * t1;
      a2 += t2 * t2;
      a3 += t3 * t3;
    }
    const c = closest[s]!;
    p0 += out0[s] = Math.min(c, a0);
    p1 += out1[s] = Math.min(c, a1);
    p2 += out2[s] = Math.min(c, a2);
    p3 += out3[s] = Math.min(c, a3);
  }
  return [p0, p1, p2, p3];
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
