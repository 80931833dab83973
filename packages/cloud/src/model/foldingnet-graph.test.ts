import { selectBackend } from '@cellshape/engine';
import { expectNoLeaks, expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { batchGather } from './batch-gather.js';
import { globalMaxPool, localCovariance, localMaxPool } from './foldingnet-graph.js';

/** Gather-and-max with stock ops: the same values, and the same gradient when there are no ties. */
const gatherMax = (x: tf.Tensor3D, idx: tf.Tensor3D) =>
  tf.tidy(() => tf.max(batchGather(x, idx), 2) as tf.Tensor3D);

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('localCovariance', () => {
  test('xyz then the row-major outer product of neighbours 0 and 1', async () => {
    const points = tf.tensor3d([1, 2, 3, 4, 5, 6, -1, 0, 2], [1, 3, 3]);
    const idx = tf.tensor3d([0, 1, 2, 1, 2, 0, 2, 0, 1], [1, 3, 3], 'int32');
    const out = await expectNoLeaks(() => tf.tidy(() => localCovariance(points, idx).arraySync()));
    // Point 1: a = p1 = (4, 5, 6), b = p2 = (−1, 0, 2).
    expect((out as number[][][])[0]?.[1]).toEqual([4, 5, 6, -4, 0, 8, -5, 0, 10, -6, 0, 12]);
    // Point 2: a = p2, b = p0 = (1, 2, 3).
    expect((out as number[][][])[0]?.[2]).toEqual([-1, 0, 2, -1, -2, -3, 0, 0, 0, 2, 4, 6]);
    tf.dispose([points, idx]);
  });
});

describe('localMaxPool', () => {
  test('equals gather-and-max without ties, values and gradients', async () => {
    const x = tf.randomNormal([2, 10, 5], 0, 1, 'float32', 7) as tf.Tensor3D;
    // Distinct neighbours per point, as a kNN graph has: (i + 3q + b) mod 10.
    const order = Array.from({ length: 80 }, (_, t) => {
      const [b, i, q] = [Math.floor(t / 40), Math.floor(t / 4) % 10, t % 4];
      return (i + 3 * q + b) % 10;
    });
    const idx = tf.tensor3d(order, [2, 10, 4], 'int32');
    const w = tf.randomNormal([2, 10, 5], 0, 1, 'float32', 9);
    await expectNoLeaks(() => {
      const fast = localMaxPool(x, idx);
      const plain = gatherMax(x, idx);
      expectTensorsClose(fast, plain, { rtol: 0, atol: 0, label: 'value' });
      const loss = (f: typeof localMaxPool) => (t: tf.Tensor) =>
        tf.tidy(() => tf.sum(tf.mul(f(t as tf.Tensor3D, idx), w)));
      const gFast = tf.grad(loss(localMaxPool))(x);
      const gPlain = tf.grad(loss(gatherMax))(x);
      expectTensorsClose(gFast, gPlain, { atol: 1e-6, label: 'gradient' });
      return [fast, plain, gFast, gPlain];
    });
    tf.dispose([x, idx, w]);
  });

  test('ties: the gradient goes to the first neighbour attaining the maximum (as PyTorch)', async () => {
    const x = tf.tensor3d([1, 5, 5, 2], [1, 4, 1]);
    const idx = tf.tensor3d([0, 2, 1, 3, 1, 2, 3, 0, 2, 1, 3, 0, 3, 0, 1, 2], [1, 4, 4], 'int32');
    await expectNoLeaks(() => {
      const out = localMaxPool(x, idx);
      expect(Array.from(out.dataSync())).toEqual([5, 5, 5, 5]);
      // Points 0 and 2 list point 2 first among the tied 5s, points 1 and 3 list point 1.
      const g = tf.grad((t: tf.Tensor) => tf.sum(localMaxPool(t as tf.Tensor3D, idx)))(x);
      expect(Array.from(g.dataSync())).toEqual([0, 2, 2, 0]);
      return [out, g];
    });
    tf.dispose([x, idx]);
  });
});

describe('globalMaxPool', () => {
  test('maximum over the points; gradient to the first maximum', async () => {
    const x = tf.tensor3d([1, 7, 3, 7, 3, 0, -2, -1, -3, -1, -5, -4], [2, 3, 2]);
    await expectNoLeaks(() => {
      const out = globalMaxPool(x);
      expect(out.arraySync()).toEqual([
        [3, 7],
        [-2, -1],
      ]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(globalMaxPool(t as tf.Tensor3D)))(x);
      expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
      return [out, g];
    });
    x.dispose();
  });
});
