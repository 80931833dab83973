import { MAX_BLOCK, type PreparedRows } from '../metrics/pairwise-distance.js';
import { wasmDotBlock } from '../metrics/wasm/dot-block.js';

/**
 * Rows reordered so that near samples share blocks, with bounds per block that prove two blocks
 * hold no pair within a radius: by the triangle inequality ‖x − y‖ ≥ |‖x − p‖ − ‖y − p‖| for
 * every pivot sample p, so blocks whose distance ranges to some pivot lie more than the radius
 * apart need no distances at all.
 */
export interface PivotBlocks {
  /** `order[r]`: the row (of the input) at position r. */
  order: Int32Array;
  /** Rows per block: block b holds positions `[b·size, min(n, (b + 1)·size))`. */
  size: number;
  /** Number of pivots. */
  pivots: number;
  /** `lo[b·pivots + k]` / `hi[…]`: least / greatest euclidean distance of block b's rows to pivot k. */
  lo: Float64Array;
  hi: Float64Array;
}

/** Pivots {@link pivotBlocks} picks (fewer when there are fewer rows): a few per cluster of blobs. */
export const MAX_PIVOTS = 16;

/**
 * Picks pivots farthest-first (row 0, then each time the row farthest from all pivots so far, so
 * they spread over the data), groups the rows by nearest pivot, sorts each group by distance
 * to its pivot, and bounds each block of `size` positions; `data` is `n × d` row-major.
 */
export function pivotBlocks(data: Float64Array, n: number, d: number, size: number): PivotBlocks {
  const pivots = Math.min(MAX_PIVOTS, n);
  // toPivot[k·n + i]: euclidean distance from row i to pivot k, summed directly (no cancellation).
  const toPivot = new Float64Array(pivots * n);
  const nearest = new Int32Array(n);
  const toNearest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let pivot = 0;
  for (let k = 0; k < pivots; k++) {
    let far = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = data[i * d + c]! - data[pivot * d + c]!;
        s += t * t;
      }
      const r = Math.sqrt(s);
      toPivot[k * n + i] = r;
      if (r < toNearest[i]!) {
        toNearest[i] = r;
        nearest[i] = k;
      }
      if (toNearest[i]! > toNearest[far]!) far = i;
    }
    pivot = far;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => nearest[a]! - nearest[b]! || toNearest[a]! - toNearest[b]! || a - b,
  );
  const blocks = Math.ceil(n / size);
  const lo = new Float64Array(blocks * pivots).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(blocks * pivots).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < n; r++) {
    const o = Math.floor(r / size) * pivots;
    for (let k = 0; k < pivots; k++) {
      const v = toPivot[k * n + order[r]!]!;
      if (v < lo[o + k]!) lo[o + k] = v;
      if (v > hi[o + k]!) hi[o + k] = v;
    }
  }
  return { order, size, pivots, lo, hi };
}

/** A lower bound on the euclidean distance between any row of block a and any row of block b. */
export function blocksBound(pb: PivotBlocks, a: number, b: number): number {
  const { pivots, lo, hi } = pb;
  let bound = 0;
  for (let k = 0; k < pivots; k++) {
    const i = a * pivots + k;
    const j = b * pivots + k;
    bound = Math.max(bound, lo[j]! - hi[i]!, lo[i]! - hi[j]!);
  }
  return bound;
}

/** `p` with its rows (and norms) in `order`, and its own SIMD kernel unless `simd` is false. */
export function permuteRows(p: PreparedRows, order: Int32Array, simd: boolean): PreparedRows {
  const { n, d } = p;
  const data = new Float64Array(n * d);
  const sqNorms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    data.set(p.data.subarray(order[r]! * d, (order[r]! + 1) * d), r * d);
    sqNorms[r] = p.sqNorms[order[r]!]!;
  }
  return { ...p, data, sqNorms, simd: simd ? wasmDotBlock(data, n, d, MAX_BLOCK) : undefined };
}

/**
 * How far below a pivot bound a distance of `p` (as {@link distanceBlock} rounds it) can fall:
 * the dot-product form errs by ≲ 4d·2⁻⁵³·max‖x‖² on squared distances.
 */
export function roundingMargin(p: PreparedRows): number {
  let maxSq = 0;
  for (const s of p.sqNorms) maxSq = Math.max(maxSq, s);
  return (1e-6 + Math.sqrt(8 * p.d * 2 ** -52)) * Math.sqrt(maxSq);
}
