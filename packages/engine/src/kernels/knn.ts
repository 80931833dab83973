import { invalidArgument } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, checkInteger, checkTensor, firstNonFinite, readNow } from './checks.js';
import { matMulParallel } from './mat-mul.js';
import { kernels, runOnWorker, runRowsOnBothThreads, shared, sharedCopy } from './parallel.js';
import { simdKernels } from './wasm/simd-kernels.js';

/** Rows of one sample per chunk of the shared-out selection (a few dozen chunks per sample). */
const ROWS_PER_CHUNK = 64;

/** Squared norms |x_i|² of the n rows of one sample, accumulated in float32 like the reference. */
function squaredNorms(x: Float32Array, base: number, n: number, c: number): Float32Array {
  const sq = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const row = base + i * c;
    for (let q = 0; q < c; q++) {
      const v = x[row + q] as number;
      acc = Math.fround(acc + Math.fround(v * v));
    }
    sq[i] = acc;
  }
  return sq;
}

/**
 * k nearest neighbours of every point of a batch of point sets, on plain typed arrays.
 *
 * `data` holds `shape = [B, N, C]` row-major (point-major: the C features of a point are
 * contiguous). Returns the `B·N·k` indices (into the N points of the same sample) of the k
 * largest scores `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²` per row, i.e. the k smallest squared
 * distances, the point itself included, best first. Ties in the score keep the lower index.
 */
export function knnIndicesArray(
  data: Float32Array,
  shape: readonly [number, number, number],
  k: number,
): Int32Array {
  const fn = 'knnIndicesArray';
  const [b, n, c] = shape;
  if (![b, n, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw invalidArgument(fn, 'shape', '[B, N, C] of positive integers', [...shape]);
  }
  if (data.length !== b * n * c) {
    throw invalidArgument(fn, 'data', `of length B·N·C = ${b * n * c}`, data.length);
  }
  checkInteger(fn, 'k', k, 1, n);
  checkFinite(fn, 'data', data);
  return knnTypedArray(data, b, n, c, k);
}

/** The typed-array kNN of validated input. */
function knnTypedArray(data: Float32Array, b: number, n: number, c: number, k: number): Int32Array {
  const out = shared(Int32Array, b * n * k);
  const x = sharedCopy(data);
  for (let s = 0; s < b; s++) {
    const base = s * n * c;
    const sq = sharedCopy(squaredNorms(x, base, n, c));
    // Rows split between the worker thread and this one.
    const half = n >> 1;
    const pending = runOnWorker('selectFromPoints', [
      x,
      base,
      sq,
      n,
      c,
      k,
      0,
      half,
      out,
      s * n * k,
    ]);
    kernels.selectFromPoints(x, base, sq, n, c, k, half, n, out, s * n * k);
    pending.wait();
  }
  return out;
}

/**
 * k nearest neighbours of every point (feature vector) of a batch, as in DGCNN.
 *
 * `x`: float32 `[B, N, C]`; `k` in [1, N]. Returns an int32 tensor `[B, N, k]` of indices into
 * the N points of the same sample: the k largest scores `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²`
 * (float32, evaluated in that order like the PyTorch reference), best first, the point itself
 * included. No gradient (indices). Ties in the score keep the lower index; where the reference
 * score has a near-tie at the k-th place, the set can differ from PyTorch's by that one point.
 * The caller owns (disposes) the result.
 */
export function knnIndices(x: tf.Tensor, k: number): tf.Tensor3D {
  const fn = 'knnIndices';
  const shape = checkTensor(fn, 'x', x, 3);
  const [b, n, c] = shape as [number, number, number];
  checkInteger(fn, 'k', k, 1, n);
  // On wasm the Gram matrix comes from XNNPACK (every core) and the selection from the SIMD
  // kernel; elsewhere the typed-array loop (dot products fused into the selection) is faster.
  if (tf.getBackend() !== 'wasm') {
    const data = x.dataSync() as Float32Array;
    checkFinite(fn, 'x', data);
    return tf.tensor3d(knnTypedArray(data, b, n, c, k), [b, n, k], 'int32');
  }
  // Every squared norm first (x is read in place, before any other operation): a NaN or an
  // infinity in x makes its row's norm non-finite, so the norms double as the finiteness check.
  const view = readNow(x);
  const norms = new Float32Array(b * n);
  for (let s = 0; s < b; s++) norms.set(squaredNorms(view, s * n * c, n, c), s * n);
  if (firstNonFinite(norms) >= 0) {
    checkFinite(fn, 'x', view);
    throw invalidArgument(fn, 'x', 'values whose squared norms are finite in float32');
  }
  // Operands in the SIMD kernels' shared memory; rows shared out between the two threads.
  const simd = simdKernels();
  simd.reset();
  const out = simd.i32(b * n * k);
  const sq = simd.f32(n);
  const tops = [simd.f32(k), simd.f32(k)] as const;
  // Three coordinates: each row's Gram entries are computed inside the selection (a matrix
  // product with an inner size of 3 would only write and read n² floats per sample).
  const xyz = c === 3 ? simd.f32(3 * n) : undefined;
  const scratch = c === 3 ? [simd.f32(n), simd.f32(n)] : undefined;
  // Other widths: from half of the symmetric Gram matrix where n is a multiple of 8 (rows of the
  // bottom half go four at a time), else from all of it.
  const halves =
    c !== 3 && n % 8 === 0
      ? {
          top: simd.f32((n / 2) * n),
          corner: simd.f32((n / 2) * (n / 2)),
          scratch: [simd.f32(4 * k), simd.f32(4 * k)] as const,
        }
      : undefined;
  const gram = c === 3 || halves !== undefined ? undefined : simd.f32(n * n);
  for (let s = 0; s < b; s++) {
    sq.set(norms.subarray(s * n, (s + 1) * n));
    const at = out.byteOffset + s * n * k * 4;
    if (xyz !== undefined && scratch !== undefined) {
      // `view` is still valid: no tfjs operation runs on this path.
      const first = s * n * 3;
      for (let i = 0; i < n; i++)
        for (let q = 0; q < 3; q++) xyz[q * n + i] = view[first + i * 3 + q] as number;
      const after = (t: 0 | 1) => [at, tops[t].byteOffset, (scratch[t] as Float32Array).byteOffset];
      runRowsOnBothThreads(
        'selectFromCoordinates',
        [xyz.byteOffset, sq.byteOffset, n, k],
        [after(0), after(1)],
        n,
        ROWS_PER_CHUNK,
      );
      continue;
    }
    if (halves !== undefined) {
      // The Gram matrix is symmetric: its top h rows and its lower-right block (3/4 of the
      // products) give every entry; the kernel reads the bottom rows' entries as columns.
      const h = n / 2;
      const [top, corner] = tf.tidy(() => {
        const xs = tf.reshape(tf.slice(x, [s, 0, 0], [1, n, c]), [n, c]) as tf.Tensor2D;
        const lower = tf.slice(xs, [h, 0], [h, c]);
        // Explicit transposes: XNNPACK only serves the untransposed matMul.
        return [
          matMulParallel(tf.slice(xs, [0, 0], [h, c]), tf.transpose(xs) as tf.Tensor2D),
          matMulParallel(lower, tf.transpose(lower) as tf.Tensor2D),
        ];
      });
      halves.top.set(readNow(top));
      halves.corner.set(readNow(corner));
      tf.dispose([top, corner]);
      runRowsOnBothThreads(
        'selectFromHalves',
        [halves.top.byteOffset, halves.corner.byteOffset, sq.byteOffset, n, k],
        [
          [at, halves.scratch[0].byteOffset],
          [at, halves.scratch[1].byteOffset],
        ],
        n,
        ROWS_PER_CHUNK,
      );
      continue;
    }
    const product = tf.tidy(() => {
      const xs = tf.reshape(tf.slice(x, [s, 0, 0], [1, n, c]), [n, c]);
      // Explicit transpose: XNNPACK only serves the untransposed matMul.
      return matMulParallel(xs as tf.Tensor2D, tf.transpose(xs) as tf.Tensor2D);
    });
    (gram as Float32Array).set(readNow(product));
    product.dispose();
    runRowsOnBothThreads(
      'selectFromGram',
      [(gram as Float32Array).byteOffset, sq.byteOffset, n, k],
      [
        [at, tops[0].byteOffset],
        [at, tops[1].byteOffset],
      ],
      n,
      ROWS_PER_CHUNK,
    );
  }
  return tf.tensor3d(out, [b, n, k], 'int32');
}

/**
 * The reference kNN score `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²` as a tfjs computation:
 * `x` float32 `[B, N, C]` → `[B, N, N]`. The naive formulation `knnIndices` is tested against
 * (with `tf.topk`); memory B·N² floats. The caller owns the result.
 */
export function pairwiseScores(x: tf.Tensor): tf.Tensor3D {
  checkTensor('pairwiseScores', 'x', x, 3);
  return tf.tidy(() => {
    const x3 = x as tf.Tensor3D;
    const sq = tf.sum(tf.square(x3), 2);
    const gram = tf.matMul(x3, x3, false, true);
    return tf.sub(tf.sub(tf.mul(gram, 2), tf.expandDims(sq, 1)), tf.expandDims(sq, 2));
  });
}
