import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import { useWasmSimdVariant } from '../wasm/simd-variant.js';
import { matMul, matMulTransposedA } from './wasm-gemm.js';

/**
 * [rows, n, cols]: chunks of 240 rows (n = 300: two inner steps of the kernel), one chunk of
 * five row blocks (n = 20), one small chunk, sides not multiples of 4 (tf.matMul).
 */
const PRODUCTS: Array<[number, number, number]> = [
  [1200, 300, 20],
  [1000, 20, 8],
  [24, 7, 8],
  [30, 5, 8],
  [8, 5, 6],
];

/** [rows, m, cols] of aᵀ·b: two inner chunks of 512, one chunk, m not a multiple of 4. */
const TRANSPOSED: Array<[number, number, number]> = [
  [700, 16, 12],
  [97, 40, 8],
  [50, 9, 8],
];

describe.each([
  ['cpu', 'auto'],
  ['wasm', 'plain'],
  ['wasm', 'auto'],
] as const)('the columns products on %s (%s SIMD build)', (backend, simd) => {
  beforeAll(async () => {
    await useBackend(backend);
    useWasmSimdVariant(simd);
  });
  afterAll(() => useWasmSimdVariant('auto'));

  test('a·b and aᵀ·b equal tf.matMul, across row chunks and both threads', async () => {
    if (backend === 'wasm') expect(wasmThreadCount()).toBeGreaterThan(1);
    await expectNoLeaks(() => {
      const out: tf.Tensor[] = [];
      for (const [rows, n, cols] of PRODUCTS) {
        const a = randomNormal([rows, n], rows) as tf.Tensor2D;
        const b = randomNormal([n, cols], cols) as tf.Tensor2D;
        const c = matMul(a, b);
        const expected = tf.matMul(a, b);
        expectTensorsClose(c, expected, { rtol: 1e-5, label: `a·b ${rows}×${n}×${cols}` });
        out.push(a, b, c, expected);
      }
      for (const [rows, m, cols] of TRANSPOSED) {
        const a = randomNormal([rows, m], m) as tf.Tensor2D;
        const b = randomNormal([rows, cols], cols) as tf.Tensor2D;
        const c = matMulTransposedA(a, b);
        const expected = tf.matMul(a, b, true);
        expect(c.shape).toEqual([m, cols]);
        expectTensorsClose(c, expected, { rtol: 1e-5, label: `aᵀ·b ${rows}×${m}×${cols}` });
        out.push(a, b, c, expected);
      }
      return out;
    });
  });
});
