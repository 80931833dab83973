import { TEST_BACKENDS, useBackend } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { maxPool2x2Grad, registerMaxPoolGradient } from './max-pool-gradient.js';

describe.each(TEST_BACKENDS)('MaxPool gradient (%s)', (backend) => {
  test('dy goes to the first maximum of each 2×2 window, row-major (ties included)', async () => {
    await useBackend(backend);
    registerMaxPoolGradient();
    // Windows: [3 1 / 0 7] → 7 at (1,1); [2 5 / 4 5] → the first 5 at (0,1); [4 4 / 4 4] → (0,0).
    const x = tf.tensor4d([3, 1, 2, 5, 4, 4, 0, 7, 4, 5, 4, 4], [1, 2, 6, 1]);
    const dy = tf.tensor4d([10, 20, 30], [1, 1, 3, 1]);
    const direct = maxPool2x2Grad(dy, x);
    expect(Array.from(direct.dataSync())).toEqual([0, 0, 0, 20, 30, 0, 0, 10, 0, 0, 0, 0]);
    const viaTape = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), dy)),
    )(x);
    expect(Array.from(viaTape.dataSync())).toEqual(Array.from(direct.dataSync()));
    tf.dispose([x, dy, direct, viaTape]);
  });
});
