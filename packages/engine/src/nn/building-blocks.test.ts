import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose, randomNormal, TEST_BACKENDS, useBackend } from '../test/index.js';
import { biasAdd } from './bias-add.js';
import { columnSum } from './column-sum.js';
import { dense } from './dense.js';

describe.each(TEST_BACKENDS)('columnSum, biasAdd and dense on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  test('columnSum: the column sums, whatever the row count', () => {
    for (const rows of [1, 2, 7, 16, 103]) {
      const t = randomNormal([rows, 3], rows);
      expectClose(columnSum(t).dataSync(), tf.sum(t, 0).dataSync(), 1e-5, 1e-5);
      t.dispose();
    }
    // Two levels keep the float32 error small where a running sum drifts: 10^6 × 0.1.
    const ones = tf.fill([1_000_000, 1], 0.1);
    expect(Math.abs((columnSum(ones).dataSync()[0] as number) - 100_000)).toBeLessThan(1);
    ones.dispose();
  });

  test('biasAdd: x + b over the last axis; gradients dy and the column sums of dy', () => {
    const x = randomNormal([2, 5, 3], 1);
    const b = tf.tensor1d([1, -1, 2]);
    expectClose(biasAdd(x, b).dataSync(), tf.add(x, b).dataSync(), 0, 0);
    const dy = randomNormal([2, 5, 3], 2);
    const [dx, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(biasAdd(p, q), dy)))([
      x,
      b,
    ]);
    expectClose((dx as tf.Tensor).dataSync(), dy.dataSync(), 0, 0);
    expectClose((db as tf.Tensor).dataSync(), tf.sum(dy, [0, 1]).dataSync(), 1e-5, 1e-5);
    tf.dispose([x, b, dy, dx as tf.Tensor, db as tf.Tensor]);
  });

  test('dense: tf.matMul and its gradient', () => {
    const x = randomNormal([6, 4], 3) as tf.Tensor2D;
    const w = randomNormal([4, 5], 4) as tf.Tensor2D;
    const dy = randomNormal([6, 5], 5);
    expectClose(dense(x, w).dataSync(), tf.matMul(x, w).dataSync(), 1e-6, 1e-6);
    const f = (mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(mm(a as tf.Tensor2D, b as tf.Tensor2D), dy));
    const ours = tf.grads(f(dense))([x, w]);
    const reference = tf.grads(f((a, b) => tf.matMul(a, b)))([x, w]);
    for (const [i, g] of ours.entries())
      expectClose(g.dataSync(), (reference[i] as tf.Tensor).dataSync(), 1e-5, 1e-5);
    tf.dispose([x, w, dy, ...ours, ...reference]);
  });
});
