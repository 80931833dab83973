import { InvalidArgumentError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomNormal, TEST_BACKENDS, useBackend } from '../test/index.js';
import { knnIndices, knnIndicesArray, pairwiseScores } from './knn.js';

describe.each(TEST_BACKENDS)('knnIndices on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  // On wasm both take the XNNPACK Gram matrix + SIMD selection; on cpu the typed-array loop.
  it.each([3, 16])('gives the neighbour sets of tf.topk of the reference score (C = %i)', (c) => {
    const [b, n, k] = [2, 96, 10];
    const x = randomNormal([b, n, c], 11 + c);
    const idx = knnIndices(x, k);
    expect(idx.shape).toEqual([b, n, k]);
    expect(idx.dtype).toBe('int32');
    const scores = pairwiseScores(x);
    const ref = tf.topk(scores, k);
    const got = idx.dataSync();
    const want = ref.indices.dataSync();
    const s = scores.dataSync();
    for (let row = 0; row < b * n; row++) {
      const g = Array.from(got.subarray(row * k, (row + 1) * k));
      const w = Array.from(want.subarray(row * k, (row + 1) * k));
      expect(g.slice().sort((p, q) => p - q)).toEqual(w.slice().sort((p, q) => p - q));
      // Best first: non-increasing reference score (up to float32 rounding of the Gram matrix).
      for (let j = 1; j < k; j++) {
        const prev = s[row * n + (g[j - 1] as number)] as number;
        const cur = s[row * n + (g[j] as number)] as number;
        expect(cur).toBeLessThanOrEqual(prev + 1e-5 * (1 + Math.abs(prev)));
      }
      // The point itself is its own nearest neighbour.
      expect(g[0]).toBe(row % n);
    }
    tf.dispose([x, idx, scores, ref.values, ref.indices]);
  });

  it('keeps the lower index on exact ties', () => {
    const x = tf.ones([1, 12, 16]);
    const idx = knnIndices(x, 4);
    const rows = idx.arraySync() as number[][][];
    for (const row of rows[0] ?? []) expect(row).toEqual([0, 1, 2, 3]);
    tf.dispose([x, idx]);
  });

  // On wasm: half of the Gram matrix (n a multiple of 8), all of it (other n), or none (C = 3).
  it.each([
    [40, 5],
    [36, 5],
    [40, 3],
  ])(
    'matches the typed-array kernel to the index and does not leak tensors (N = %i, C = %i)',
    (n, c) => {
      const x = randomNormal([3, n, c], 5 + n + c);
      const before = tf.memory().numTensors;
      const idx = knnIndices(x, 7);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(Array.from(idx.dataSync())).toEqual(
        Array.from(knnIndicesArray(x.dataSync() as Float32Array, [3, n, c], 7)),
      );
      tf.dispose([x, idx]);
    },
  );
});

describe('knnIndices invalid input', () => {
  beforeAll(() => useBackend('cpu'));

  it('rejects bad tensors, k and values', () => {
    const x = tf.zeros([2, 8, 3]);
    expect(() => knnIndices(tf.zeros([8, 3]), 2)).toThrow(/knnIndices: 'x' must be 3-D/);
    expect(() => knnIndices(tf.zeros([1, 8, 3], 'int32'), 2)).toThrow(/dtype float32/);
    expect(() => knnIndices(x, 0)).toThrow(/'k' must be an integer in \[1, 8\]/);
    expect(() => knnIndices(x, 9)).toThrow(InvalidArgumentError);
    expect(() => knnIndices(x, 2.5)).toThrow(InvalidArgumentError);
    expect(() => knnIndices(tf.tensor3d([[[0, Number.NaN, 0]]]), 1)).toThrow(/finite/);
    expect(() => knnIndices({} as tf.Tensor, 1)).toThrow(InvalidArgumentError);
    expect(() => pairwiseScores(tf.zeros([3]))).toThrow(/pairwiseScores: 'x' must be 3-D/);
    tf.dispose(x);
  });

  it('rejects bad typed-array input', () => {
    expect(() => knnIndicesArray(new Float32Array(5), [1, 2, 3], 1)).toThrow(/length/);
    expect(() => knnIndicesArray(new Float32Array(0), [0, 2, 3], 1)).toThrow(/shape/);
    expect(() => knnIndicesArray(new Float32Array(6), [1, 2, 3], 3)).toThrow(/'k'/);
  });
});
