import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import { readNow } from '../checks.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';

/** `gemm` of conv-kernels.wat: (a, b, c, rows, cols, n, ars, aks, bks, crs, acc), bytes. */
type Gemm = (...args: number[]) => void;

const address = (t: tf.Tensor): number => readNow(t).byteOffset;

describe('the SIMD GEMM of the fused convolution kernels (threaded wasm)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('C = A·B and C += Aᵀ·B equal tf.matMul, with 8- and 4-column blocks', async () => {
    expect(wasmColumnsAvailable()).toBe(wasmThreadCount() > 1);
    if (!wasmColumnsAvailable()) return;
    const gemm = (convKernelsModule().exports as unknown as { gemm: Gemm }).gemm;
    await expectNoLeaks(() => {
      const out: tf.Tensor[] = [];
      for (const [rows, n, cols] of [
        [4, 1, 4],
        [8, 7, 12],
        [12, 33, 20],
      ] as Array<[number, number, number]>) {
        const a = randomNormal([rows, n], rows) as tf.Tensor2D;
        const aT = randomNormal([n, rows], n) as tf.Tensor2D;
        const b = randomNormal([n, cols], cols) as tf.Tensor2D;
        const c0 = randomNormal([rows, cols], 3) as tf.Tensor2D;
        const c = uninitialised([rows, cols]);
        gemm(...[a, b, c].map(address), rows, cols, n, 4 * n, 4, 4 * cols, 4 * cols, 0);
        const expected = tf.matMul(a, b);
        expectTensorsClose(c, expected, { rtol: 1e-6, label: `A·B ${rows}×${n}×${cols}` });
        // A read transposed (row step 4 bytes, inner step 4·rows), added to C.
        // A copy of C₀ of its own (tf.clone shares the data on wasm: the kernel writes in place).
        const acc = tf.add(c0, 0);
        gemm(...[aT, b, acc].map(address), rows, cols, n, 4, 4 * rows, 4 * cols, 4 * cols, 1);
        const expectedAcc = tf.tidy(() => tf.add(c0, tf.matMul(aT, b, true)));
        expectTensorsClose(acc, expectedAcc, { rtol: 1e-6, label: `Aᵀ·B ${rows}×${n}×${cols}` });
        out.push(a, aT, b, c0, c, expected, acc, expectedAcc);
      }
      return out;
    });
  });
});
