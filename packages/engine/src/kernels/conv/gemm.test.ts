import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import { readNow } from '../checks.js';
import {
  type SimdVariantChoice,
  useWasmSimdVariant,
  wasmSimdVariant,
} from '../wasm/simd-variant.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';

/** `gemm` of conv-kernels.wat: (a, b, c, rows, cols, n, ars, aks, bks, crs, acc), bytes. */
type Gemm = (...args: number[]) => void;

const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/** The GEMM of the build `choice` selects. */
function gemmOf(choice: SimdVariantChoice): Gemm {
  useWasmSimdVariant(choice);
  return (convKernelsModule().exports as unknown as { gemm: Gemm }).gemm;
}

/** [rows, inner, cols]: row blocks of 4, 6+6, 6+6+4, 6+6+4+4 rows; 8- and 4-column blocks. */
const SHAPES: Array<[number, number, number]> = [
  [4, 1, 4],
  [8, 7, 12],
  [12, 33, 20],
  [16, 5, 8],
  [20, 9, 28],
];

describe.each(['plain', 'auto'] as const)(
  'the SIMD GEMM of the fused convolution kernels (threaded wasm, %s build)',
  (choice) => {
    beforeAll(async () => {
      await useBackend('wasm');
    });
    afterAll(() => useWasmSimdVariant('auto'));

    test('C = A·B and C += Aᵀ·B equal tf.matMul, with 6×8, 4×8 and 4×4 blocks', async () => {
      expect(wasmColumnsAvailable()).toBe(wasmThreadCount() > 1);
      if (!wasmColumnsAvailable()) return;
      const gemm = gemmOf(choice);
      await expectNoLeaks(() => {
        const out: tf.Tensor[] = [];
        for (const [rows, n, cols] of SHAPES) {
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
  },
);

describe('the two builds of the GEMM', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => useWasmSimdVariant('auto'));

  test('each build is its own module (the worker thread instantiates the one sent, by key)', () => {
    if (!wasmColumnsAvailable()) return;
    gemmOf('plain');
    const plain = convKernelsModule();
    gemmOf('auto');
    const auto = convKernelsModule();
    expect(plain.key).toContain('plain');
    expect(auto.key).toContain(wasmSimdVariant());
    expect(auto.module === plain.module).toBe(wasmSimdVariant() === 'plain');
  });

  test('a long product (inner 1000) agrees between the builds within float32 rounding', async () => {
    if (!wasmColumnsAvailable()) return;
    const [rows, n, cols] = [12, 1000, 16];
    const a = randomNormal([rows, n], 1) as tf.Tensor2D;
    const b = randomNormal([n, cols], 2) as tf.Tensor2D;
    const results = (['plain', 'auto'] as const).map((choice) => {
      const c = uninitialised([rows, cols]);
      gemmOf(choice)(...[a, b, c].map(address), rows, cols, n, 4 * n, 4, 4 * cols, 4 * cols, 0);
      return c;
    });
    // Sums of 1000 products of N(0, 1) values (≈ ±30): fusing changes each step's rounding by
    // at most 2⁻²⁴·30 ≈ 2e-6, some 1e-4 at worst over the sum.
    expectTensorsClose(results[1] as tf.Tensor, results[0] as tf.Tensor, { rtol: 0, atol: 1e-3 });
    tf.dispose([a, b, ...results]);
  });
});
