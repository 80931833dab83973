import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { biasAdd } from '../../nn/bias-add.js';
import { columnSum } from '../../nn/column-sum.js';
import { expectTensorsClose, randomNormal, TEST_BACKENDS, useBackend } from '../../test/index.js';
import { activationPool } from './activation-norm-pool.js';
import { biasActivation } from './bias-activation.js';
import { fusedAvailable, useFusedKernels } from './fused-wasm.js';

describe.each(TEST_BACKENDS)('columnSum and biasAdd, fused and plain, on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterEach(() => useFusedKernels(true));

  test('columnSum is within float32 rounding of the float64 column sums (several chunks)', () => {
    expect(fusedAvailable(8)).toBe(backend === 'wasm');
    const t = tf.add(randomNormal([30_001, 8], 1), 2);
    const values = t.dataSync();
    const exact = new Float64Array(8);
    for (let i = 0; i < values.length; i++)
      exact[i % 8] = (exact[i % 8] as number) + (values[i] as number);
    for (const fused of [true, false]) {
      useFusedKernels(fused);
      const s = columnSum(t);
      expectTensorsClose(s, Float32Array.from(exact), { atol: 1e-3, rtol: 1e-6 });
      s.dispose();
    }
    t.dispose();
  });

  test('biasAdd: values and both gradients equal the plain composition', () => {
    const x = randomNormal([3, 7, 5, 12], 2);
    const b = randomNormal([12], 3);
    const r = randomNormal([3, 7, 5, 12], 4);
    const run = (fused: boolean) => {
      useFusedKernels(fused);
      const y = biasAdd(x, b);
      const [dx, db] = tf.grads((xi: tf.Tensor, bi: tf.Tensor) =>
        tf.sum(tf.mul(biasAdd(xi, bi), r)),
      )([x, b]);
      return [y, dx, db] as tf.Tensor[];
    };
    const fused = run(true);
    const plain = run(false);
    for (const [i, t] of fused.entries())
      expectTensorsClose(t, plain[i] as tf.Tensor, { atol: 1e-5 });
    tf.dispose([x, b, r, ...fused, ...plain]);
  });
});

describe.each(TEST_BACKENDS)(
  'biasActivation and activationPool, fused and plain, on %s',
  (backend) => {
    beforeAll(() => useBackend(backend));
    afterEach(() => useFusedKernels(true));

    test.each([0, 0.1])(
      'slope %s: values and the gradients of x and the bias equal the composition',
      (slope) => {
        const x = randomNormal([3, 6, 4, 8], 5);
        const b = randomNormal([8], 6, 0.5);
        const cases: Array<[(x: tf.Tensor, b: tf.Tensor) => tf.Tensor, number[]]> = [
          [(xi, bi) => biasActivation(xi, bi, slope), [3, 6, 4, 8]],
          [
            (xi, bi) => activationPool(xi as tf.Tensor4D, { negativeSlope: slope, inputBias: bi }),
            [3, 3, 2, 8],
          ],
        ];
        for (const [f, outShape] of cases) {
          const r = randomNormal(outShape, 7);
          const run = (fused: boolean) => {
            useFusedKernels(fused);
            const y = f(x, b);
            const [dx, db] = tf.grads((xi: tf.Tensor, bi: tf.Tensor) =>
              tf.sum(tf.mul(f(xi, bi), r)),
            )([x, b]);
            return [y, dx, db] as tf.Tensor[];
          };
          const fused = run(true);
          const plain = run(false);
          for (const [i, t] of fused.entries())
            expectTensorsClose(t, plain[i] as tf.Tensor, { atol: 1e-5, rtol: 1e-5 });
          tf.dispose([r, ...fused, ...plain]);
        }
        tf.dispose([x, b]);
      },
    );
  },
);
