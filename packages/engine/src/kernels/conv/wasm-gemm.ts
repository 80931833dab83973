import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import {
  convKernelsModule,
  uninitialised,
  wasmColumnsAvailable,
  wasmTranspose,
} from './wasm-columns.js';

/**
 * The columns' matrix products by the SIMD GEMM of conv-kernels.wat on both threads (the main
 * thread and the engine's worker, rows taken from a shared counter) instead of tfjs's
 * `tf.matMul`: with relaxed SIMD's fused multiply-add our GEMM does about 1.7× the multiply-adds
 * per core-second of tfjs-wasm's XNNPACK build, which has none (docs/performance.md, "Relaxed
 * SIMD"). On the threaded wasm backend, for sides that are multiples of 4; `tf.matMul`
 * elsewhere.
 */

let enabled = true;

/** Switches our GEMM on (default) or off (`tf.matMul` everywhere): for A/B timings. */
export function useWasmGemm(on: boolean): void {
  enabled = on;
}

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/**
 * Bytes of A per chunk of rows: a chunk stays in a core's L2 cache while the GEMM's column
 * blocks pass over it.
 */
const CHUNK_BYTES = 2 ** 18;

/**
 * Rows per chunk of an A with `n` columns: whole blocks of the kernel's 240 rows (each taken
 * 256 inner values at a time), about {@link CHUNK_BYTES} of A per step.
 */
function chunkRows(n: number): number {
  return 240 * Math.max(1, Math.round(CHUNK_BYTES / (4 * Math.min(n, 256) * 240)));
}

/**
 * Rows per chunk of a transposed A with `m` columns: ~1 MB, at least 32 and at most 512 rows (the
 * GEMM's inner side; each chunk loads and stores the thread's whole `[m, cols]` sum once).
 */
function transposedChunkRows(m: number): number {
  return Math.min(512, Math.max(32, Math.round((4 * CHUNK_BYTES) / (4 * m))));
}

/** `a · b` for `a` `[rows, n]` and `b` `[n, cols]`. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [rows, n] = a.shape;
  const cols = b.shape[1];
  if (!enabled || rows % 4 !== 0 || cols % 4 !== 0 || !wasmColumnsAvailable())
    return tf.matMul(a, b);
  const c = uninitialised([rows, cols]) as tf.Tensor2D;
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'gemmRows',
    [a, b, c].map(address).concat([cols, n]),
    [[], []],
    rows,
    chunkRows(n),
  );
  return c;
}

/**
 * `aᵀ · b` for `a` `[rows, m]` and `b` `[rows, cols]` (a filter gradient `columnsᵀ · dy`): `a` is
 * read transposed in place, each thread summing its row chunks into its own `[m, cols]`. Where
 * our GEMM does not apply, `a` is transposed first (by the SIMD kernel on the threaded wasm
 * backend: tfjs-wasm multiplies untransposed operands fastest).
 */
export function matMulTransposedA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [rows, m] = a.shape;
  const cols = b.shape[1];
  if (!enabled || m % 4 !== 0 || cols % 4 !== 0 || !wasmColumnsAvailable())
    return tf.tidy(() => tf.matMul(wasmColumnsAvailable() ? wasmTranspose(a) : tf.transpose(a), b));
  const sums = [tf.zeros([m, cols], 'float32'), tf.zeros([m, cols], 'float32')] as tf.Tensor2D[];
  const [own, worker] = sums as [tf.Tensor2D, tf.Tensor2D];
  const { workerShare } = runWasmRowsOnBothThreads(
    convKernelsModule(),
    'gemmTransposedRows',
    [a, b].map(address).concat([m, cols]),
    [[address(own)], [address(worker)]],
    rows,
    transposedChunkRows(m),
    () => readNow(own).fill(0),
  );
  if (!workerShare) {
    worker.dispose();
    return own;
  }
  const sum = tf.add(own, worker) as tf.Tensor2D;
  tf.dispose(sums);
  return sum;
}
