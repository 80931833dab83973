import { describe, expect, test } from 'vitest';
import { kernels } from './parallel.js';
import { simdKernels } from './wasm/simd-kernels.js';

/**
 * The selections (pruned typed-array loop, SIMD kernel) against a plain one: every candidate scored with the
 * same float32 roundings, sorted by score (best first), ties to the lower index.
 */
function naiveSelect(score: (i: number, j: number) => number, n: number, k: number): Int32Array {
  const out = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: n }, (_, j) => j).sort(
      (p, q) => score(i, q) - score(i, p) || p - q,
    );
    out.set(order.slice(0, k), i * k);
  }
  return out;
}

function squaredNorms(x: Float32Array, n: number, c: number): Float32Array {
  const sq = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let q = 0; q < c; q++) acc = Math.fround(acc + Math.fround((x[i * c + q] as number) ** 2));
    sq[i] = acc;
  }
  return sq;
}

/**
 * Clouds rich in exact and near ties: integer grids, duplicates, and points far from the
 * origin whose scores are dominated by the float32 rounding of large norms.
 */
function tieRichClouds(c: number): Float32Array[] {
  const n = 160;
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const grid = Float32Array.from({ length: n * c }, (_, e) => ((e * 7) % 5) - 2);
  const dup = Float32Array.from({ length: n * c }, (_, e) => Math.floor(e / (4 * c)) * 0.5);
  const far = Float32Array.from({ length: n * c }, () => 30 + random() * 0.05);
  const mixed = Float32Array.from({ length: n * c }, (_, e) => (e % 3 === 0 ? 8 : 0) + random());
  return [grid, dup, far, mixed];
}

/** The Gram matrix of n points of c coordinates (float64 sums, stored as float32: symmetric). */
function gramMatrix(x: Float32Array, n: number, c: number): Float32Array {
  const gram = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let q = 0; q < c; q++) acc += (x[i * c + q] as number) * (x[j * c + q] as number);
      gram[i * n + j] = acc;
    }
  return gram;
}

/** The exhaustive selection on the float32 scores `(2·g_ij − sq_j) − sq_i` of a Gram matrix. */
function naiveSelectFromGram(gram: Float32Array, sq: Float32Array, n: number, k: number) {
  return naiveSelect(
    (i, j) =>
      Math.fround(
        Math.fround(2 * (gram[i * n + j] as number) - (sq[j] as number)) - (sq[i] as number),
      ),
    n,
    k,
  );
}

describe('kNN selection kernels', () => {
  test.each([3, 5])('selectFromPoints equals the exhaustive selection (C = %i)', (c) => {
    const k = 9;
    for (const x of tieRichClouds(c)) {
      const n = x.length / c;
      const sq = squaredNorms(x, n, c);
      const got = new Int32Array(n * k);
      kernels.selectFromPoints(x, 0, sq, n, c, k, 0, n, got, 0);
      const dot = (i: number, j: number) => {
        let acc = 0;
        for (let q = 0; q < c; q++) acc += (x[i * c + q] as number) * (x[j * c + q] as number);
        return Math.fround(acc);
      };
      const want = naiveSelect(
        (i, j) => Math.fround(Math.fround(2 * dot(i, j) - (sq[j] as number)) - (sq[i] as number)),
        n,
        k,
      );
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  test('the SIMD selectFromGram equals the exhaustive selection on the same Gram matrix', () => {
    const [c, k] = [16, 12];
    for (const x of tieRichClouds(c)) {
      const n = x.length / c;
      const sq = squaredNorms(x, n, c);
      const gram = gramMatrix(x, n, c);
      const simd = simdKernels();
      simd.reset();
      const [g, q, got, top] = [simd.f32(n * n), simd.f32(n), simd.i32(n * k), simd.f32(k)];
      g.set(gram);
      q.set(sq);
      // Two row ranges, as the two threads split them.
      for (const [i0, i1] of [
        [0, 61],
        [61, n],
      ] as const)
        simd.exports.selectFromGram(
          g.byteOffset,
          q.byteOffset,
          n,
          k,
          i0,
          i1,
          got.byteOffset,
          top.byteOffset,
        );
      const want = naiveSelectFromGram(gram, sq, n, k);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  test('the SIMD selectFromHalves (half of the symmetric Gram matrix) equals the exhaustive selection', () => {
    const [c, k] = [16, 12];
    for (const x of tieRichClouds(c)) {
      const n = x.length / c;
      const h = n / 2;
      const sq = squaredNorms(x, n, c);
      const gram = gramMatrix(x, n, c);
      const simd = simdKernels();
      simd.reset();
      const [top, corner, q, got, scratch] = [
        simd.f32(h * n),
        simd.f32(h * h),
        simd.f32(n),
        simd.i32(n * k),
        simd.f32(4 * k),
      ];
      top.set(gram.subarray(0, h * n));
      for (let i = 0; i < h; i++)
        corner.set(gram.subarray((h + i) * n + h, (h + i + 1) * n), i * h);
      q.set(sq);
      // Row ranges as the threads take them: one across the middle, the rest in fours.
      for (const [r0, r1] of [
        [0, 64],
        [64, 96],
        [96, 100],
        [100, n],
      ] as const)
        simd.exports.selectFromHalves(
          top.byteOffset,
          corner.byteOffset,
          q.byteOffset,
          n,
          k,
          r0,
          r1,
          got.byteOffset,
          scratch.byteOffset,
        );
      const want = naiveSelectFromGram(gram, sq, n, k);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
});
