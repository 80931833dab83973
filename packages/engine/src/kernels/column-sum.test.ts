import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../test/index.js';
import { columnSum, wasmColumnSums, wasmColumnSumsApply } from './column-sum.js';

describe('column sums by the SIMD kernel (threaded wasm)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('equal tf.sum for column counts around the 16- and 4-wide blocks, and partial groups', async () => {
    const t0 = tf.zeros([2, 2]);
    expect(wasmColumnSumsApply(t0)).toBe(wasmThreadCount() > 1);
    t0.dispose();
    if (wasmThreadCount() <= 1) return;
    await expectNoLeaks(() => {
      const out: tf.Tensor[] = [];
      for (const [rows, cols, group] of [
        [1, 1, 1],
        [7, 5, 3],
        [1000, 37, 32],
        [333, 16, 18],
      ] as Array<[number, number, number]>) {
        const t = randomNormal([rows, cols], rows + cols) as tf.Tensor2D;
        const ours = wasmColumnSums(t, group);
        const expected = tf.sum(t, 0);
        expectTensorsClose(ours, expected, { rtol: 1e-5, atol: 1e-4, label: `${rows}×${cols}` });
        out.push(t, ours, expected);
      }
      return out;
    });
  });

  test('a taped columnSum keeps its gradient (the kernel steps aside)', () => {
    const t = randomNormal([50, 6], 1);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(columnSum(x))))(t);
    const expected = tf.tidy(() => tf.mul(2, tf.broadcastTo(tf.sum(t, 0), [50, 6])));
    expectTensorsClose(g, expected, { rtol: 1e-5 });
    tf.dispose([t, g, expected]);
  });
});
