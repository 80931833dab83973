import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose, randomNormal, TEST_BACKENDS, useBackend } from '../test/index.js';
import { BATCH_NORM_EPS, BatchNorm } from './batch-norm.js';

/** The textbook batch norm (biased batch variance) differentiated by tfjs itself. */
function naive(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(
    tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BATCH_NORM_EPS))), gamma),
    beta,
  );
}

describe.each(TEST_BACKENDS)('BatchNorm on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  test('training: batch statistics over every axis but the last, PyTorch running updates', () => {
    const norm = new BatchNorm(3);
    tf.tidy(() => {
      norm.weight.assign(tf.tensor1d([1, 2, -0.5]));
      norm.bias.assign(tf.tensor1d([0, 1, 2]));
    });
    const x = randomNormal([2, 4, 5, 3], 1, 2); // a [B, H, W, C] batch
    const y = norm.apply(x, true);
    expectClose(y.dataSync(), naive(x, norm.weight, norm.bias).dataSync(), 1e-5, 1e-5);
    // running = 0.9·initial + 0.1·batch; the variance unbiased (n = 40 values per channel).
    const n = 40;
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const m = mean.dataSync();
    const v = variance.dataSync();
    expectClose(
      norm.runningMean.dataSync(),
      Array.from(m, (a) => 0.1 * a),
      1e-5,
      1e-6,
    );
    expectClose(
      norm.runningVar.dataSync(),
      Array.from(v, (a) => 0.9 + (0.1 * a * n) / (n - 1)),
      1e-5,
      1e-6,
    );
    expect(norm.numBatchesTracked).toBe(1);
    tf.dispose([x, y, mean, variance]);
    norm.dispose();
  });

  test('evaluation uses the running statistics and changes nothing', () => {
    const norm = new BatchNorm(2);
    tf.tidy(() => {
      norm.runningMean.assign(tf.tensor1d([1, -1]));
      norm.runningVar.assign(tf.tensor1d([4, 0.25]));
      norm.bias.assign(tf.tensor1d([0.5, 0]));
    });
    const x = tf.tensor2d([
      [3, 0],
      [1, -1],
    ]);
    const y = norm.apply(x, false);
    const s = (v: number) => 1 / Math.sqrt(v + BATCH_NORM_EPS);
    expectClose(y.dataSync(), [2 * s(4) + 0.5, 1 * s(0.25), 0.5, 0], 1e-6, 1e-6);
    expect(norm.numBatchesTracked).toBe(0);
    tf.dispose([x, y]);
    norm.dispose();
  });

  test('the hand-written gradient equals the autodiff of the textbook formula', () => {
    const norm = new BatchNorm(4);
    tf.tidy(() => norm.weight.assign(tf.tensor1d([1, -2, 0.5, 3])));
    const x = randomNormal([3, 7, 4], 2);
    const dy = randomNormal([3, 7, 4], 3);
    const loss =
      (f: (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
      (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a, g, b), dy));
    const ours = tf.grads(loss((a) => norm.apply(a, true)))([x, norm.weight, norm.bias]);
    const reference = tf.grads(loss(naive))([x, norm.weight, norm.bias]);
    for (const [i, g] of ours.entries())
      expectClose(g.dataSync(), (reference[i] as tf.Tensor).dataSync(), 1e-4, 1e-5);
    tf.dispose([x, dy, ...ours, ...reference]);
    norm.dispose();
  });
});

test('BatchNorm state entries: PyTorch names and kinds', async () => {
  await useBackend('cpu');
  const norm = new BatchNorm(2);
  const entries = norm.stateEntries('encoder.1');
  expect(entries.map((e) => [e.key, e.kind])).toEqual([
    ['encoder.1.weight', 'parameter'],
    ['encoder.1.bias', 'parameter'],
    ['encoder.1.running_mean', 'buffer'],
    ['encoder.1.running_var', 'buffer'],
    ['encoder.1.num_batches_tracked', 'counter'],
  ]);
  expect(norm.stateEntries('')[0]?.key).toBe('weight');
  expect(() => new BatchNorm(0)).toThrow(/BatchNorm: 'channels' must be an integer ≥ 1/);
  norm.dispose();
});
