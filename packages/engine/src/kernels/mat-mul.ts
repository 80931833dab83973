import * as tf from '@tensorflow/tfjs-core';
import { wasmThreadCount } from '../backend/threaded-wasm.js';
import { runOnWorker, shared, sharedCopy, workerMatMulReady } from './parallel.js';

/** Products smaller than this many multiply-adds run on one thread (copies would dominate). */
const MIN_SPLIT_MACS = 2 ** 24;

/**
 * `a · b` (`[R, K] × [K, C]`, float32, untransposed) on the wasm backend using both cores.
 * With tfjs's single-threaded wasm build (`CELLSHAPE_WASM_THREADS=1`, or when the threaded
 * build cannot start) the first rows go to a worker thread running its own tfjs wasm backend
 * and the rest run here, at the same time; with the threaded build XNNPACK splits it itself. Falls back to `tf.matMul` on
 * other backends, for small products, or while the worker is not (yet) up. Not
 * differentiable (use it inside a custom gradient). The caller owns the result.
 */
export function matMulParallel(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [rows, inner] = a.shape;
  const cols = b.shape[1];
  if (
    tf.getBackend() !== 'wasm' ||
    wasmThreadCount() > 1 || // XNNPACK already runs on every core
    rows < 2 ||
    rows * inner * cols < MIN_SPLIT_MACS ||
    !workerMatMulReady()
  )
    return tf.matMul(a, b);
  // The worker's share is a bit smaller: it also pays for the copies in and out.
  const top = Math.floor(rows * 0.45);
  const aData = a.dataSync() as Float32Array;
  const aTop = sharedCopy(aData.subarray(0, top * inner));
  const bData = sharedCopy(b.dataSync() as Float32Array);
  const outTop = shared(Float32Array, top * cols);
  let failed = false;
  const pending = runOnWorker('matMul', [aTop, top, inner, bData, cols, outTop], () => {
    failed = true;
  });
  const bottom = tf.tidy(() => tf.matMul(tf.slice(a, [top, 0], [rows - top, inner]), b));
  pending.wait();
  if (failed) {
    bottom.dispose();
    return tf.matMul(a, b);
  }
  return tf.tidy(() => {
    const result = tf.concat([tf.tensor2d(outTop, [top, cols]), bottom], 0) as tf.Tensor2D;
    bottom.dispose();
    return result;
  });
}
