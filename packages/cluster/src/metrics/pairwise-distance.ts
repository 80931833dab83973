import { invalidArgument } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';
import { type WasmDotBlock, wasmDotBlock } from './wasm/dot-block.js';

/** Distances between samples of the analysis functions (as scikit-learn's `metric=`). */
export type DistanceMetric = 'euclidean' | 'cosine';

/** The distance metrics every analysis function accepts. */
export const DISTANCE_METRICS: readonly DistanceMetric[] = ['euclidean', 'cosine'];

/**
 * Rows ready for blocked distance computation: a float64 copy (unit-normalised for cosine; a
 * zero row stays zero, so its cosine distance to anything is 1, as scikit-learn) and the
 * squared norm of each row.
 */
export interface PreparedRows {
  data: Float64Array;
  n: number;
  d: number;
  sqNorms: Float64Array;
  metric: DistanceMetric;
  /** The WebAssembly SIMD dot-product kernel, where available (else a JavaScript loop). */
  simd: WasmDotBlock | undefined;
}

/** Largest block (rows) {@link distanceBlock} is called with. */
export const MAX_BLOCK = 256;

/**
 * Copies (and for cosine normalises) the rows of `m` for {@link distanceBlock}; `simd: false`
 * keeps the JavaScript loop (the tests compare the two).
 */
export function prepareRows(
  m: DenseMatrix,
  metric: DistanceMetric,
  options: { simd?: boolean } = {},
): PreparedRows {
  const [n, d] = m.shape;
  const data = Float64Array.from(m.data);
  const sqNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = i * d; c < (i + 1) * d; c++) s += data[c]! * data[c]!;
    if (metric === 'cosine' && s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let c = i * d; c < (i + 1) * d; c++) data[c]! *= inv;
      s = 1;
    }
    sqNorms[i] = s;
  }
  const simd = options.simd === false ? undefined : wasmDotBlock(data, n, d, MAX_BLOCK);
  return { data, n, d, sqNorms, metric, simd };
}

/**
 * Distances from rows `[i0, i1)` to rows `[j0, j1)` into `out` (row-major, `(i1 − i0) × (j1 − j0)`),
 * through dot products (‖x‖² + ‖y‖² − 2x·y for euclidean, 1 − x·y on unit rows for cosine, as
 * scikit-learn's `pairwise_distances`), accumulated in float64; a row's distance to itself is 0.
 * `i0` must be even and `j0` a multiple of 4 (as every multiple of {@link MAX_BLOCK}).
 */
export function distanceBlock(
  p: PreparedRows,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  out: Float64Array,
): void {
  const w = j1 - j0;
  const { view: dots, stride } = dotProducts(p, i0, i1, j0, j1, out);
  for (let i = i0; i < i1; i++) {
    const row = (i - i0) * w;
    const from = (i - i0) * stride - j0;
    for (let j = j0; j < j1; j++) {
      const dot = dots[from + j]!;
      let v: number;
      switch (p.metric) {
        case 'euclidean':
          v = Math.sqrt(Math.max(0, p.sqNorms[i]! + p.sqNorms[j]! - 2 * dot));
          break;
        case 'cosine':
          v = Math.min(2, Math.max(0, 1 - dot));
          break;
        default: {
          const never: never = p.metric;
          throw invalidArgument('distanceBlock', 'metric', "'euclidean' or 'cosine'", never);
        }
      }
      out[row + j - j0] = i === j ? 0 : v;
    }
  }
}

/**
 * Dot products x_i · x_j of rows `[i0, i1)` × `[j0, j1)` (same alignment as {@link distanceBlock}):
 * row-major with `stride` per row, the SIMD kernel's memory (valid until its next call) or `out`.
 */
export function dotProducts(
  p: PreparedRows,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  out: Float64Array,
): { view: Float64Array; stride: number } {
  if (p.simd !== undefined) return p.simd.run(i0, i1, j0, j1);
  dotBlock(p.data, p.d, i0, i1, j0, j1, out);
  return { view: out, stride: j1 - j0 };
}

/** The blocks {@link forEachUpperBlock} visits for n rows. */
export function upperBlockCount(n: number): number {
  const blocks = Math.ceil(n / MAX_BLOCK);
  return (blocks * (blocks + 1)) / 2;
}

/**
 * Visits the upper triangle (j0 ≥ i0) of the distance matrix block by block: `block` holds the
 * distances from rows `[i0, i1)` to rows `[j0, j1)`, row-major with `w = j1 − j0` per row. A
 * diagonal block (j0 = i0) holds both (i, j) and (j, i); the others only (i, j), i < j.
 * `onBlock(done)` follows each block, of {@link upperBlockCount} in all.
 */
export function forEachUpperBlock(
  p: PreparedRows,
  visit: (i0: number, i1: number, j0: number, j1: number, block: Float64Array, w: number) => void,
  onBlock?: (done: number) => void,
): void {
  const block = new Float64Array(MAX_BLOCK * MAX_BLOCK);
  let done = 0;
  for (let i0 = 0; i0 < p.n; i0 += MAX_BLOCK) {
    const i1 = Math.min(p.n, i0 + MAX_BLOCK);
    for (let j0 = i0; j0 < p.n; j0 += MAX_BLOCK) {
      const j1 = Math.min(p.n, j0 + MAX_BLOCK);
      distanceBlock(p, i0, i1, j0, j1, block);
      visit(i0, i1, j0, j1, block, j1 - j0);
      onBlock?.(++done);
    }
  }
}

/** `out[(i − i0)·w + (j − j0)] = x_i · x_j`, two rows × four columns at a time. */
function dotBlock(
  x: Float64Array,
  d: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  out: Float64Array,
): void {
  const w = j1 - j0;
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const a = i * d;
    const b = a + d;
    let j = j0;
    for (; j + 3 < j1; j += 4) {
      const p = j * d;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let c = 0; c < d; c++) {
        const x0 = x[a + c]!;
        const x1 = x[b + c]!;
        const y0 = x[p + c]!;
        const y1 = x[p + d + c]!;
        const y2 = x[p + 2 * d + c]!;
        const y3 = x[p + 3 * d + c]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const o = (i - i0) * w + j - j0;
      out[o] = s00;
      out[o + 1] = s01;
      out[o + 2] = s02;
      out[o + 3] = s03;
      out[o + w] = s10;
      out[o + w + 1] = s11;
      out[o + w + 2] = s12;
      out[o + w + 3] = s13;
    }
    for (; j < j1; j++) {
      out[(i - i0) * w + j - j0] = dot(x, a, j * d, d);
      out[(i + 1 - i0) * w + j - j0] = dot(x, b, j * d, d);
    }
  }
  for (; i < i1; i++)
    for (let j = j0; j < j1; j++) out[(i - i0) * w + j - j0] = dot(x, i * d, j * d, d);
}

function dot(x: Float64Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += x[a + c]! * x[b + c]!;
  return s;
}
