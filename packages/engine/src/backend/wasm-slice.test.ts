import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { selectBackend } from './index.js';

/** Slices of every rank, contiguous or not, against the cpu backend's. */
const CASES: [number[], number[], number[]][] = [
  [[10], [3], [4]],
  [
    [6, 5],
    [1, 0],
    [3, 5],
  ],
  [
    [6, 5],
    [2, 1],
    [3, 3],
  ],
  [
    [4, 5, 6],
    [1, 2, 0],
    [2, 3, 6],
  ],
  [
    [4, 5, 6],
    [0, 1, 2],
    [4, 2, 3],
  ],
  [
    [3, 4, 5, 6],
    [1, 0, 2, 1],
    [2, 4, 2, 4],
  ],
  [
    [2, 3, 4, 5, 2],
    [1, 1, 0, 2, 1],
    [1, 2, 4, 3, 1],
  ],
  [
    [4, 5],
    [1, 1],
    [0, 3],
  ],
];

function values(
  backend: string,
  shape: number[],
  begin: number[],
  size: number[],
  dtype: 'float32' | 'int32',
) {
  tf.setBackend(backend);
  const n = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(
    Array.from({ length: n }, (_, i) => i * 1.5 - 7),
    shape,
    dtype,
  );
  const y = tf.slice(x, begin, size);
  const out = { shape: y.shape, data: Array.from(y.dataSync()) };
  tf.dispose([x, y]);
  return out;
}

describe('the wasm Slice kernel (reads its input through a view of the heap)', () => {
  test.each(CASES)(
    'shape %j, begin %j, size %j equals the cpu backend',
    async (shape, begin, size) => {
      await selectBackend('cpu');
      await selectBackend('wasm');
      for (const dtype of ['float32', 'int32'] as const) {
        const want = values('cpu', shape, begin, size, dtype);
        expect(values('wasm', shape, begin, size, dtype)).toEqual(want);
      }
    },
  );

  test('slices a bool tensor and its gradient flows as before', async () => {
    await selectBackend('wasm');
    const b = tf.slice(tf.tensor2d([true, false, true, true], [2, 2], 'bool'), [1, 0], [1, 2]);
    expect(Array.from(b.dataSync())).toEqual([1, 1]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.slice(x, [0, 1], [2, 1])))(tf.ones([2, 3]));
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0, 0, 1, 0]);
  });
});
