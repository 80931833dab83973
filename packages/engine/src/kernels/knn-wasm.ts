import { invalidArgument } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, firstNonFinite, readNow } from './checks.js';
import { matMulParallel } from './mat-mul.js';
import { runRowsOnBothThreads } from './parallel.js';
import { squaredNorms } from './squared-norms.js';
import { type SimdKernels, simdKernels } from './wasm/simd-kernels.js';

/** Rows of one sample per chunk of the shared-out selection (a few dozen chunks per sample). */
const ROWS_PER_CHUNK = 64;

/** What every strategy needs for one sample: its index, norms and where its indices go. */
interface Sample {
  s: number;
  n: number;
  c: number;
  k: number;
  /** Squared norms of the sample's points, in the arena. */
  sq: Float32Array;
  /** Byte address of the sample's `n·k` output indices. */
  at: number;
}

/**
 * Runs a selection kernel over the sample's n rows on both threads; `scratch` allocates one
 * thread's trailing arguments (its scratch space in the arena).
 */
function selectRows(
  kernel: 'selectFromCoordinates' | 'selectFromHalves' | 'selectFromGram',
  before: readonly number[],
  scratch: () => number[],
  n: number,
) {
  runRowsOnBothThreads(kernel, before, [scratch(), scratch()], n, ROWS_PER_CHUNK);
}

/**
 * Three coordinates: each row's Gram entries are computed inside the selection (a matrix product
 * with an inner size of 3 would only write and read n² floats per sample). `view` holds x.
 */
function fromCoordinates(simd: SimdKernels, view: Float32Array, sample: Sample) {
  const { s, n, k, sq, at } = sample;
  const xyz = simd.f32(3 * n);
  const first = s * n * 3;
  for (let i = 0; i < n; i++)
    for (let q = 0; q < 3; q++) xyz[q * n + i] = view[first + i * 3 + q] as number;
  selectRows(
    'selectFromCoordinates',
    [xyz.byteOffset, sq.byteOffset, n, k],
    () => [at, simd.f32(k).byteOffset, simd.f32(n).byteOffset],
    n,
  );
}

/**
 * n a multiple of 8: the Gram matrix is symmetric, so its top n/2 rows and its lower-right block
 * (3/4 of the products, XNNPACK) give every entry; the kernel reads the bottom rows' entries as
 * columns, four rows per SIMD step.
 */
function fromHalfGram(simd: SimdKernels, x: tf.Tensor, sample: Sample) {
  const { s, n, c, k, sq, at } = sample;
  const h = n / 2;
  const [upper, corner] = tf.tidy(() => {
    const xs = tf.reshape(tf.slice(x, [s, 0, 0], [1, n, c]), [n, c]) as tf.Tensor2D;
    const lower = tf.slice(xs, [h, 0], [h, c]);
    // Explicit transposes: XNNPACK only serves the untransposed matMul.
    return [
      matMulParallel(tf.slice(xs, [0, 0], [h, c]), tf.transpose(xs) as tf.Tensor2D),
      matMulParallel(lower, tf.transpose(lower) as tf.Tensor2D),
    ];
  });
  const top = simd.f32(h * n);
  top.set(readNow(upper));
  const low = simd.f32(h * h);
  low.set(readNow(corner));
  tf.dispose([upper, corner]);
  selectRows(
    'selectFromHalves',
    [top.byteOffset, low.byteOffset, sq.byteOffset, n, k],
    () => [at, simd.f32(4 * k).byteOffset],
    n,
  );
}

/** Any other n: from the whole Gram matrix (XNNPACK). */
function fromGram(simd: SimdKernels, x: tf.Tensor, sample: Sample) {
  const { s, n, c, k, sq, at } = sample;
  const product = tf.tidy(() => {
    const xs = tf.reshape(tf.slice(x, [s, 0, 0], [1, n, c]), [n, c]);
    // Explicit transpose: XNNPACK only serves the untransposed matMul.
    return matMulParallel(xs as tf.Tensor2D, tf.transpose(xs) as tf.Tensor2D);
  });
  const gram = simd.f32(n * n);
  gram.set(readNow(product));
  product.dispose();
  selectRows(
    'selectFromGram',
    [gram.byteOffset, sq.byteOffset, n, k],
    () => [at, simd.f32(k).byteOffset],
    n,
  );
}

/**
 * `knnIndices` on the wasm backend (validated `x` float32 `[B, N, C]`, k in [1, N]): Gram
 * entries from XNNPACK or computed in place, the k best per row by the SIMD selection on both
 * threads. Returns the `B·N·k` indices (a copy, off the kernels' arena).
 */
export function knnOnWasm(x: tf.Tensor, k: number): Int32Array {
  const fn = 'knnIndices';
  const [b, n, c] = x.shape as [number, number, number];
  // Every squared norm first (x is read in place, before any other operation): a NaN or an
  // infinity in x makes its row's norm non-finite, so the norms double as the finiteness check.
  const view = readNow(x);
  const norms = new Float32Array(b * n);
  for (let s = 0; s < b; s++) norms.set(squaredNorms(view, s * n * c, n, c), s * n);
  if (firstNonFinite(norms) >= 0) {
    checkFinite(fn, 'x', view);
    throw invalidArgument(fn, 'x', 'values whose squared norms are finite in float32');
  }
  const simd = simdKernels();
  simd.reset();
  const out = simd.i32(b * n * k);
  const sq = simd.f32(n);
  const strategy = c === 3 ? 'coordinates' : n % 8 === 0 ? 'halves' : 'gram';
  for (let s = 0; s < b; s++) {
    sq.set(norms.subarray(s * n, (s + 1) * n));
    const sample: Sample = { s, n, c, k, sq, at: out.byteOffset + s * n * k * 4 };
    // Each sample's scratch is allocated after `out` and `sq` and dropped here, so the arena
    // does not grow with B.
    const mark = simd.mark();
    // `view` is still valid on the coordinates path: no tfjs operation runs there.
    if (strategy === 'coordinates') fromCoordinates(simd, view, sample);
    else if (strategy === 'halves') fromHalfGram(simd, x, sample);
    else fromGram(simd, x, sample);
    simd.release(mark);
  }
  return out.slice();
}
