import { InvalidArgumentError } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { expectNoLeaks, expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { chamferLoss, nearestNeighboursReference } from './index.js';

// a = {(0,0,0), (1,0,0)}, b = {(0,0,1)}: a→b squared 1 and 2, b→a squared 1.
let A: tf.Tensor3D;
let B: tf.Tensor3D;

describe.each(['cpu', 'wasm'] as const)('Chamfer losses on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
    A = tf.tensor3d([
      [
        [0, 0, 0],
        [1, 0, 0],
      ],
    ]);
    B = tf.tensor3d([[[0, 0, 1]]]);
  });

  test('sum form: squared nearest distances summed over both directions and the batch', () => {
    expect(chamferLoss(A, B).dataSync()[0]).toBeCloseTo(4, 6);
    const a2 = tf.concat([A, tf.add(A, 5)]);
    const b2 = tf.concat([B, tf.add(B, 5)]);
    expect(chamferLoss(a2, b2, { form: 'sum' }).dataSync()[0]).toBeCloseTo(8, 4);
  });

  test('extended form: max of the two directional means, Euclidean or squared', () => {
    expect(chamferLoss(A, B, { form: 'extended' }).dataSync()[0]).toBeCloseTo(
      (1 + Math.SQRT2) / 2,
      6,
    );
    expect(chamferLoss(A, B, { form: 'extended', squared: true }).dataSync()[0]).toBeCloseTo(
      1.5,
      6,
    );
  });

  test('identical clouds have zero distance and a finite gradient', () => {
    const x = tf.randomNormal([2, 50, 3], 0, 1, 'float32', 7);
    expect(chamferLoss(x, x).dataSync()[0]).toBeCloseTo(0, 4);
    expect(chamferLoss(x, x, { form: 'extended' }).dataSync()[0]).toBeCloseTo(0, 6);
    const g = tf
      .grad((y: tf.Tensor) => chamferLoss(y, x, { form: 'extended' }))(x)
      .dataSync();
    expect(g.every(Number.isFinite)).toBe(true);
  });

  test('gradients are those of the distances to the selected neighbours', () => {
    // d/da_i of the sum form: 2(a_i − b_nn(i)) plus 2(a_i − b_j) for each b_j whose nearest is a_i.
    const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => chamferLoss(a, b))([A, B]);
    expectTensorsClose(ga as tf.Tensor, new Float32Array([0, 0, -4, 2, 0, -2]), { label: 'dA' });
    expectTensorsClose(gb as tf.Tensor, new Float32Array([-2, 0, 6]), { label: 'dB' });
  });

  test('fast (default) and plain implementations agree in values and gradients', () => {
    const a = tf.randomNormal([2, 300, 3], 0, 1, 'float32', 3);
    const b = tf.randomNormal([2, 280, 3], 0, 1, 'float32', 4);
    for (const options of [
      {},
      { form: 'extended' },
      { form: 'extended', squared: true },
    ] as const) {
      const run = (implementation: 'fast' | 'plain'): tf.Tensor[] => {
        const f = (p: tf.Tensor, q: tf.Tensor) => chamferLoss(p, q, { ...options, implementation });
        const { value, grads } = tf.valueAndGrads(f)([a, b]);
        return [value, ...grads];
      };
      const fast = run('fast');
      const plain = run('plain');
      for (const [i, t] of fast.entries())
        expectTensorsClose(t, plain[i] as tf.Tensor, { rtol: 1e-4, label: `${i}` });
      tf.dispose([...fast, ...plain]);
    }
    expect(() => chamferLoss(a, b, { implementation: 'gpu' as 'fast' })).toThrow(
      /'options.implementation' must be 'fast' or 'plain'/,
    );
    tf.dispose([a, b]);
  });

  test('nearestNeighboursReference returns the index of the nearest point each way', () => {
    const a = tf.tensor3d([
      [
        [0, 0, 0],
        [10, 0, 0],
        [0, 5, 0],
      ],
    ]);
    const b = tf.tensor3d([
      [
        [9, 0, 0],
        [0, 4, 0],
      ],
    ]);
    const { aToB, bToA } = nearestNeighboursReference(a, b);
    expect(Array.from(aToB.dataSync())).toEqual([1, 0, 1]);
    expect(Array.from(bToA.dataSync())).toEqual([1, 2]);
    expect(aToB.dtype).toBe('int32');
  });

  test('no tensors leak, with or without gradients', async () => {
    const x = tf.randomNormal([2, 40, 3], 0, 1, 'float32', 1);
    const y = tf.randomNormal([2, 30, 3], 0, 1, 'float32', 2);
    await expectNoLeaks(() => chamferLoss(x, y, { form: 'extended' }));
    await expectNoLeaks(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => chamferLoss(a, b))([x, y]));
    await expectNoLeaks(() => nearestNeighboursReference(x, y));
  });

  test('invalid input throws InvalidArgumentError naming the argument', () => {
    expect(() => chamferLoss(tf.zeros([2, 3]), B)).toThrow(
      /chamferLoss: 'a' must be a non-empty tensor of shape \[B, N, 3\]/,
    );
    expect(() => chamferLoss(A, tf.zeros([2, 4, 3]))).toThrow(/'b' must be the same batch size/);
    expect(() => chamferLoss(A, tf.zeros([1, 4, 2]))).toThrow(InvalidArgumentError);
    expect(() => chamferLoss(tf.tensor3d([[[Number.NaN, 0, 0]]]), B)).toThrow(/finite/);
    expect(() => chamferLoss(A, B, { form: 'mean' as 'sum' })).toThrow(
      /'options.form' must be 'sum' or 'extended'/,
    );
    expect(() => chamferLoss(A, B, { form: 'sum', squared: false })).toThrow(/always squared/);
    expect(() => chamferLoss([1] as unknown as tf.Tensor, B)).toThrow(/'a' must be a tf.Tensor/);
    expect(() => nearestNeighboursReference(A, tf.zeros([1, 0, 3]))).toThrow(
      /nearestNeighboursReference: 'b'/,
    );
  });
});
