import { MAX_BLOCK, type PreparedRows } from '../metrics/pairwise-distance.js';
import { wasmDotBlock } from '../metrics/wasm/dot-block.js';

/**
 * Rows reordered so that near samples share blocks, with bounds per block that prove two blocks
 * hold no pair within a radius: by the triangle inequality ‖x − y‖ ≥ |‖x − p‖ − ‖y − p‖| for
 * every pivot sample p, so blocks whose distance ranges to some pivot lie more than the radius
 * apart need no distances at all.
 */
export interface PivotBlocks {
  /**
   * `order[r]`: the row (of the input) at position r, or −1 for a padding position (each group
   * of rows is padded to a multiple of 4 positions, so blocks start on multiples of 4 as the
   * SIMD kernel needs, yet never mix two groups).
   */
  order: Int32Array;
  /** Block b holds positions `[starts[b], starts[b + 1])`, at most `size` of them. */
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
 * to its pivot, cuts each group into blocks of at most `size` (a multiple of 4) positions and
 * bounds them; `data` is `n × d` row-major.
 */
export function pivotBlocks(data: Float64Array, n: number, d: number, size: number): PivotBlocks {
  const { pivots, toPivot, nearest, toNearest } = pickPivots(data, n, d);
  const sorted = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => nearest[a]! - nearest[b]! || toNearest[a]! - toNearest[b]! || a - b,
  );
  const { order, starts } = paddedBlocks(sorted, nearest, size);
  const blocks = starts.length - 1;
  const lo = new Float64Array(blocks * pivots).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(blocks * pivots).fill(Number.NEGATIVE_INFINITY);
  for (let b = 0; b < blocks; b++)
    for (let r = starts[b]!; r < starts[b + 1]!; r++) {
      if (order[r]! < 0) continue;
      for (let k = 0; k < pivots; k++) {
        const v = toPivot[k * n + order[r]!]!;
        const o = b * pivots + k;
        if (v < lo[o]!) lo[o] = v;
        if (v > hi[o]!) hi[o] = v;
      }
    }
  return { order, starts, pivots, lo, hi };
}

/** Farthest-first pivots; `toPivot[k·n + i]` summed directly (no cancellation). */
function pickPivots(data: Float64Array, n: number, d: number) {
  const pivots = Math.min(MAX_PIVOTS, n);
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
  return { pivots, toPivot, nearest, toNearest };
}

/** Each group (run of equal `nearest`) in blocks of at most `size`, padded to a multiple of 4. */
function paddedBlocks(sorted: Int32Array, nearest: Int32Array, size: number) {
  const order: number[] = [];
  const starts = [0];
  for (let r = 0; r < sorted.length; r++) {
    order.push(sorted[r]!);
    const groupEnds = r + 1 === sorted.length || nearest[sorted[r + 1]!] !== nearest[sorted[r]!];
    if (groupEnds) while (order.length % 4 !== 0) order.push(-1);
    if (groupEnds || order.length - starts[starts.length - 1]! === size) starts.push(order.length);
  }
  return { order: Int32Array.from(order), starts: Int32Array.from(starts) };
}

/**
 * `p` with its rows (and norms) in `order`, and its own SIMD kernel unless `simd` is false.
 * Padding rows are NaN, so every distance or test involving them is NaN or false.
 */
export function permuteRows(p: PreparedRows, order: Int32Array, simd: boolean): PreparedRows {
  const { d } = p;
  const n = order.length;
  const data = new Float64Array(n * d).fill(Number.NaN);
  const sqNorms = new Float64Array(n).fill(Number.NaN);
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    if (i < 0) continue;
    data.set(p.data.subarray(i * d, (i + 1) * d), r * d);
    sqNorms[r] = p.sqNorms[i]!;
  }
  return { ...p, n, data, sqNorms, simd: simd ? wasmDotBlock(data, n, d, MAX_BLOCK) : undefined };
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

/**
 * How far below a pivot bound a distance of `p` (as {@link distanceBlock} rounds it) can fall:
 * the dot-product form errs by ≲ 4d·2⁻⁵³·max‖x‖² on squared distances.
 */
export function roundingMargin(p: PreparedRows): number {
  let maxSq = 0;
  for (const s of p.sqNorms) maxSq = Math.max(maxSq, s);
  return (1e-6 + Math.sqrt(8 * p.d * 2 ** -52)) * Math.sqrt(maxSq);
}
