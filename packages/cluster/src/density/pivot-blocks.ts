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
  /** Block b holds positions `[starts[b], starts[b + 1])`: at most `size`, starting on multiples of 4. */
  starts: Int32Array;
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
 * to its pivot, and bounds blocks of at most `size` (a multiple of 4) positions, each starting on a
 * multiple of 4 (as the SIMD kernel needs) and, where that allows, at a group boundary; `data` is
 * `n × d` row-major.
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
  const starts = blockStarts(order, nearest, size);
  const blocks = starts.length - 1;
  const lo = new Float64Array(blocks * pivots).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(blocks * pivots).fill(Number.NEGATIVE_INFINITY);
  for (let b = 0; b < blocks; b++)
    for (let r = starts[b]!; r < starts[b + 1]!; r++)
      for (let k = 0; k < pivots; k++) {
        const v = toPivot[k * n + order[r]!]!;
        const o = b * pivots + k;
        if (v < lo[o]!) lo[o] = v;
        if (v > hi[o]!) hi[o] = v;
      }
  return { order, starts, pivots, lo, hi };
}

/** Block starts: a new block at `size` positions, or at a group change (rounded down to 4). */
function blockStarts(order: Int32Array, nearest: Int32Array, size: number): Int32Array {
  const n = order.length;
  const starts = [0];
  for (let r = 1; r < n; r++) {
    const start = starts[starts.length - 1]!;
    const cut = r - (r % 4);
    if (r - start === size) starts.push(r);
    else if (nearest[order[r]!] !== nearest[order[r - 1]!] && cut > start) starts.push(cut);
  }
  starts.push(n);
  return Int32Array.from(starts);
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
