import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BatchNorm } from '../../nn/batch-norm.js';
import { expectTensorsClose, randomNormal, TEST_BACKENDS, useBackend } from '../../test/index.js';
import { activationNormPool } from './activation-norm-pool.js';
import { dropoutMask } from './dropout-mask.js';
import { fusedAvailable, useFusedKernels } from './fused-wasm.js';

/** A batch norm with non-trivial parameters and running statistics. */
function norm(channels: number, seed: number): BatchNorm {
  const n = new BatchNorm(channels);
  n.weight.assign(tf.add(randomNormal([channels], seed, 0.5), 1));
  n.bias.assign(randomNormal([channels], seed + 1, 0.3));
  n.runningMean.assign(randomNormal([channels], seed + 2, 0.2));
  n.runningVar.assign(tf.add(tf.abs(randomNormal([channels], seed + 3)), 0.5));
  return n;
}

/** Output, gradients (x, γ, β) of Σ y·r, and the running statistics after, fused or plain. */
function run(
  fused: boolean,
  x: tf.Tensor,
  f: (x: tf.Tensor, n: BatchNorm) => tf.Tensor,
  seed: number,
) {
  useFusedKernels(fused);
  const n = norm(x.shape[x.rank - 1] as number, seed);
  const r = tf.tidy(() => randomNormal(f(x, norm(n.channels, seed)).shape, seed + 9));
  const { value, grads } = tf.tidy(() =>
    tf.variableGrads(() => tf.sum(tf.mul(f(x, n), r)) as tf.Scalar, [n.weight, n.bias]),
  );
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(f(input, n), r)))(x);
  const y = f(x, n);
  const out = {
    y,
    value,
    dx,
    dWeight: grads[n.weight.name] as tf.Tensor,
    dBias: grads[n.bias.name] as tf.Tensor,
    mean: tf.clone(n.runningMean),
    variance: tf.clone(n.runningVar),
    tracked: n.numBatchesTracked,
  };
  n.dispose();
  r.dispose();
  return out;
}

function expectSame(x: tf.Tensor, f: (x: tf.Tensor, n: BatchNorm) => tf.Tensor): void {
  // On wasm the comparison is fused against plain, elsewhere the plain path runs twice.
  useFusedKernels(true);
  expect(fusedAvailable(x.shape[x.rank - 1] as number)).toBe(tf.getBackend() === 'wasm');
  const a = run(true, x, f, 3);
  const b = run(false, x, f, 3);
  expectTensorsClose(a.y, b.y, { atol: 1e-5, rtol: 1e-4 });
  expectTensorsClose(a.dx, b.dx, { atol: 1e-5, rtol: 1e-3 });
  expectTensorsClose(a.dWeight, b.dWeight, { atol: 1e-4, rtol: 1e-4 });
  expectTensorsClose(a.dBias, b.dBias, { atol: 1e-4, rtol: 1e-4 });
  expectTensorsClose(a.mean, b.mean, { atol: 1e-6, rtol: 1e-5 });
  expectTensorsClose(a.variance, b.variance, { atol: 1e-6, rtol: 1e-5 });
  expect(a.tracked).toBe(b.tracked);
  tf.dispose([...Object.values(a), ...Object.values(b)].filter((t) => t instanceof tf.Tensor));
}

describe.each(TEST_BACKENDS)(
  'fused batch norm and activation → norm → pool → dropout on %s',
  (backend) => {
    beforeAll(() => useBackend(backend));
    afterEach(() => useFusedKernels(true));

    test.each([
      ['training, ReLU, dropout', true, 0, 0.3],
      ['training, LeakyReLU, no dropout', true, 0.01, 0],
      ['evaluation, ReLU', false, 0, 0.3],
    ])(
      '%s: the fused kernel equals the tfjs composition (values, gradients, statistics)',
      (_, training, slope, rate) => {
        const x = randomNormal([2, 6, 10, 8], 1);
        expectSame(x, (input, n) =>
          activationNormPool(input as tf.Tensor4D, n, {
            training,
            negativeSlope: slope,
            dropout: { rate, seed: 11 },
          }),
        );
        x.dispose();
      },
    );

    test.each([
      [true, 0],
      [true, 0.2],
      [false, 0],
    ])(
      'with an input bias (training %s, slope %s): values and the gradients of x and the bias equal the composition',
      (training, slope) => {
        const x = randomNormal([2, 4, 6, 8], 6);
        const bias = randomNormal([8], 7, 0.5);
        const r = randomNormal([2, 2, 3, 8], 8);
        const results = [true, false].map((fused) => {
          useFusedKernels(fused);
          const n = norm(8, 9);
          const f = (input: tf.Tensor, b: tf.Tensor) =>
            activationNormPool(input as tf.Tensor4D, n, {
              training,
              negativeSlope: slope,
              dropout: { rate: 0.25, seed: 2 },
              inputBias: b,
            });
          const y = f(x, bias);
          const grads = tf.grads((input: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(f(input, b), r)),
          )([x, bias]);
          n.dispose();
          return [y, ...grads];
        });
        const [fused, plain] = results as [tf.Tensor[], tf.Tensor[]];
        for (const [i, t] of fused.entries())
          expectTensorsClose(t, plain[i] as tf.Tensor, { atol: 1e-4, rtol: 1e-3 });
        tf.dispose([x, bias, r, ...fused, ...plain]);
      },
    );

    test('several row chunks on both threads: the fused kernel equals the composition', () => {
      const x = randomNormal([8, 32, 64, 8], 4);
      expectSame(x, (input, n) =>
        activationNormPool(input as tf.Tensor4D, n, {
          training: true,
          dropout: { rate: 0.5, seed: 3 },
        }),
      );
      x.dispose();
      const rows = tf.add(randomNormal([20_000, 8], 5, 2), 3);
      expectSame(rows, (input, n) => n.apply(input, true));
      rows.dispose();
    });

    test.each([
      ['LeakyReLU before, training', { before: 0.1 }, true],
      ['ReLU after, evaluation', { after: 0 }, false],
      ['ReLU after, training', { after: 0 }, true],
    ] as const)(
      'BatchNorm with an activation (%s): the fused kernel equals the composition',
      (_, activation, training) => {
        const x = randomNormal([2, 3, 4, 5, 8], 10, 2);
        expectSame(x, (input, n) => n.apply(input, training, activation));
        // Outside a gradient tape the activation after is fused into the normalisation pass.
        const fused = run(true, x, (input, n) => n.apply(input, training, activation), 4);
        const plain = run(false, x, (input, n) => n.apply(input, training, activation), 4);
        expectTensorsClose(fused.y, plain.y, { atol: 1e-5, rtol: 1e-4 });
        tf.dispose([
          x,
          ...[fused, plain].flatMap((r) => Object.values(r)).filter((t) => t instanceof tf.Tensor),
        ]);
      },
    );

    test.each([
      ['[B, C]', [16, 12], true],
      ['[B, D, H, W, C] in training', [2, 3, 4, 5, 8], true],
      ['[B, D, H, W, C] in evaluation', [2, 3, 4, 5, 8], false],
    ] as const)(
      'BatchNorm on %s: the fused kernel equals the composition',
      (_, shape, training) => {
        const x = tf.add(randomNormal([...shape], 2, 3), 1.5);
        expectSame(x, (input, n) => n.apply(input, training));
        x.dispose();
      },
    );

    test('the pool sends each gradient to the first maximum of its window (ties: row-major first)', () => {
      // ReLU makes the whole window 0: every tie goes to the window's top-left position.
      const x = tf.fill([2, 2, 2, 4], -1);
      const n = new BatchNorm(4);
      n.bias.assign(tf.ones([4]));
      const dx = tf.grad((input: tf.Tensor) =>
        tf.sum(activationNormPool(input as tf.Tensor4D, n, { training: false })),
      )(x);
      // ReLU's gradient below zero is 0, so the input gradient vanishes; the batch-norm input
      // gradient (before ReLU) is checked through the eval-mode k = γ/√(1 + eps) at [0, 0].
      expect(Array.from(dx.dataSync()).every((v) => v === 0)).toBe(true);
      const xPos = tf.fill([2, 2, 2, 4], 2);
      const dxPos = tf.grad((input: tf.Tensor) =>
        tf.sum(activationNormPool(input as tf.Tensor4D, n, { training: false })),
      )(xPos);
      const values = dxPos.arraySync() as number[][][][];
      const k = 1 / Math.sqrt(1 + 1e-5);
      for (const image of values) {
        expect(image[0]?.[0]).toEqual([k, k, k, k].map((v) => expect.closeTo(v, 6)));
        expect(image[0]?.[1]).toEqual([0, 0, 0, 0]);
        expect(image[1]?.[0]).toEqual([0, 0, 0, 0]);
        expect(image[1]?.[1]).toEqual([0, 0, 0, 0]);
      }
      tf.dispose([x, dx, xPos, dxPos]);
      n.dispose();
    });
  },
);

describe('dropoutMask', () => {
  test('keeps about 1 − rate of the values, scaled by 1 / (1 − rate), the same for the same seed', () => {
    const mask = dropoutMask(5, 100_000, 0.25);
    const kept = mask.filter((v) => v !== 0);
    expect(kept.length / mask.length).toBeCloseTo(0.75, 2);
    expect(kept.every((v) => v === Math.fround(1 / 0.75))).toBe(true);
    expect(dropoutMask(5, 100_000, 0.25)).toEqual(mask);
    expect(dropoutMask(6, 100_000, 0.25)).not.toEqual(mask);
    expect(dropoutMask(5, 10, 0).every((v) => v === 1)).toBe(true);
  });

  test('refuses a rate outside [0, 1)', () => {
    expect(() => dropoutMask(0, 4, 1)).toThrow(/rate/);
    expect(() => dropoutMask(0, 4, -0.1)).toThrow(/rate/);
  });
});
