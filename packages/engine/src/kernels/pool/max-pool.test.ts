import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { registerGradients } from '../../backend/index.js';
import {
  expectNoLeaks,
  expectTensorsClose,
  randomNormal,
  TEST_BACKENDS,
  useBackend,
} from '../../test/index.js';

/** One pooling: input `[batch, h, w, c]`, window, stride, tfjs padding. */
interface Case {
  shape: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'valid' | 'same';
}

const CASES: Record<string, Case> = {
  '2×2 s2, C 8 (SIMD on wasm)': { shape: [2, 6, 8, 8], size: 2, stride: 2, pad: 'valid' },
  '2×2 s2, odd sizes, batch 1': { shape: [1, 7, 5, 4], size: 2, stride: 2, pad: 'valid' },
  '3×3 s2 same padding (overlapping windows)': {
    shape: [2, 7, 6, 4],
    size: 3,
    stride: 2,
    pad: 'same',
  },
  '2×2 s2, C 3 (host loop)': { shape: [3, 4, 6, 3], size: 2, stride: 2, pad: 'valid' },
};

/** tfjs's own `MaxPoolGrad` kernel (cpu backend). */
function reference(c: Case, seed: number): Float32Array {
  return tf.tidy(() => {
    const x = randomNormal(c.shape, seed) as tf.Tensor4D;
    const y = tf.maxPool(x, c.size, c.stride, c.pad);
    const dy = randomNormal(y.shape, seed + 1);
    const attrs = { filterSize: c.size, strides: c.stride, pad: c.pad };
    return (
      tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as tf.Tensor
    ).dataSync() as Float32Array;
  });
}

const expected = new Map<string, Float32Array>();

beforeAll(async () => {
  await useBackend('cpu');
  for (const [name, c] of Object.entries(CASES)) expected.set(name, reference(c, 11));
});

describe.each(TEST_BACKENDS)('the tf.maxPool gradient on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    registerGradients();
  });

  test.each(Object.entries(CASES))('%s equals tfjs’s cpu MaxPoolGrad', async (name, c) => {
    const x = randomNormal(c.shape, 11) as tf.Tensor4D;
    const dy = randomNormal(tf.maxPool(x, c.size, c.stride, c.pad).shape, 12);
    await expectNoLeaks(() => {
      const dx = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.size, c.stride, c.pad), dy)),
      )(x);
      expectTensorsClose(dx, expected.get(name) as Float32Array, { rtol: 0, atol: 0 });
      return [dx];
    });
    tf.dispose([x, dy]);
  });

  test('ties send the gradient to the first maximum of each window only', () => {
    const x = tf.ones([1, 4, 4, 4]) as tf.Tensor4D;
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x);
    const v = dx.dataSync();
    // Only (0, 0) of each 2×2 window: rows 0 and 2, columns 0 and 2, every channel.
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++)
        for (let ch = 0; ch < 4; ch++)
          expect(v[(i * 4 + j) * 4 + ch]).toBe(i % 2 === 0 && j % 2 === 0 ? 1 : 0);
    tf.dispose([x, dx]);
  });
});
