import { isCellshapeError } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { randomNormal } from '@cellshape/engine/test';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  bceLoss,
  diceBceLoss,
  diceLoss,
  focalLoss,
  focalTverskyLoss,
  tverskyLoss,
  VOXEL_LOSS_NAMES,
  voxelLoss,
} from './index.js';

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

// Four voxels, two in the mask: t = [1, 0, 1, 0], p = [0.9, 0.2, 0.6, 0.4].
const T = [1, 0, 1, 0];
const P = [0.9, 0.2, 0.6, 0.4];
const volume = (v: number[]): Tensor => tf.tensor(v, [1, 2, 2, 1, 1]);
const value = (f: (t: Tensor, p: Tensor) => Scalar): number =>
  tf.tidy(() => f(volume(T), volume(P)).dataSync()[0] as number);

describe('voxel losses equal a hand computation', () => {
  const ln = Math.log;
  test('BCE: −mean(t log p + (1 − t) log(1 − p))', () => {
    const expected = -(ln(0.9) + ln(0.8) + ln(0.6) + ln(0.6)) / 4;
    expect(value(bceLoss)).toBeCloseTo(expected, 6);
  });
  test('Dice: 1 − (2·1.5 + 1) / (2.1 + 2 + 1)', () => {
    expect(value(diceLoss)).toBeCloseTo(1 - 4 / 5.1, 6);
    expect(value((t, p) => diceLoss(t, p, { smooth: 0 }))).toBeCloseTo(1 - 3 / 4.1, 6);
  });
  test('Dice + BCE is their sum', () => {
    expect(value(diceBceLoss)).toBeCloseTo(value(bceLoss) + value(diceLoss), 6);
  });
  test('focal (α 0.8, γ 2): per-voxel weights α(1 − p)² and (1 − α)p²', () => {
    const voxels = [
      0.8 * 0.1 ** 2 * -ln(0.9),
      0.2 * 0.2 ** 2 * -ln(0.8),
      0.8 * 0.4 ** 2 * -ln(0.6),
      0.2 * 0.4 ** 2 * -ln(0.6),
    ];
    expect(value(focalLoss)).toBeCloseTo(voxels.reduce((a, b) => a + b) / 4, 7);
    // α = 0.5, γ = 0: half the binary cross-entropy.
    expect(value((t, p) => focalLoss(t, p, { alpha: 0.5, gamma: 0 }))).toBeCloseTo(
      value(bceLoss) / 2,
      6,
    );
  });
  test('Tversky (α 0.3, β 0.7): TP 1.5, FP 0.6, FN 0.5', () => {
    const index = (1.5 + 1) / (1.5 + 0.3 * 0.6 + 0.7 * 0.5 + 1);
    expect(value(tverskyLoss)).toBeCloseTo(1 - index, 6);
    expect(value(focalTverskyLoss)).toBeCloseTo((1 - index) ** 2, 6);
    expect(value((t, p) => focalTverskyLoss(t, p, { gamma: 0.75 }))).toBeCloseTo(
      (1 - index) ** 0.75,
      6,
    );
    // α = β = 0.5 without smoothing is the Dice loss.
    expect(value((t, p) => tverskyLoss(t, p, { alpha: 0.5, beta: 0.5, smooth: 0 }))).toBeCloseTo(
      value((t, p) => diceLoss(t, p, { smooth: 0 })),
      6,
    );
  });
  test('a perfect binary reconstruction has zero Dice and Tversky loss', () => {
    expect(tf.tidy(() => diceLoss(volume(T), volume(T)).dataSync()[0])).toBeCloseTo(0, 7);
    expect(tf.tidy(() => tverskyLoss(volume(T), volume(T)).dataSync()[0])).toBeCloseTo(0, 7);
  });
  test('saturated probabilities stay finite (clamped to [1e-7, 1 − 1e-7])', () => {
    const v = tf.tidy(() => bceLoss(volume([1, 0, 1, 0]), volume([0, 1, 1, 0])).dataSync()[0]);
    // −log 1e-7 where p = 0, −log(1 − float32(1 − 1e-7)) = 23·log 2 where p = 1.
    expect(v).toBeCloseTo((-ln(1e-7) + 23 * ln(2)) / 4, 3);
  });
});

describe('voxel loss gradients equal numerical ones', () => {
  const shape = [2, 3, 3, 3, 1];
  test.each(VOXEL_LOSS_NAMES)('%s', (name) => {
    const target = tf.tidy(() => tf.cast(tf.greater(randomNormal(shape, 1), 0), 'float32'));
    const probs = tf.tidy(() => tf.add(tf.mul(tf.sigmoid(randomNormal(shape, 2)), 0.8), 0.1));
    const f = (p: Tensor): Scalar => voxelLoss(name, target, p);
    const analytic = tf.tidy(() => tf.grad(f)(probs).dataSync());
    const base = probs.dataSync();
    const h = 1e-2;
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number): number =>
        tf.tidy(() => {
          const moved = Float32Array.from(base);
          moved[i] = (moved[i] as number) + delta;
          return f(tf.tensor(moved, shape)).dataSync()[0] as number;
        });
      const numeric = (at(h) - at(-h)) / (2 * h);
      scale = Math.max(scale, Math.abs(numeric));
      worst = Math.max(worst, Math.abs(numeric - (analytic[i] as number)));
    }
    tf.dispose([target, probs]);
    expect(scale).toBeGreaterThan(0);
    expect(worst, `${name}: worst gradient error (scale ${scale})`).toBeLessThan(2e-3 * scale);
  });
});

describe('voxel loss arguments', () => {
  test('shapes must agree; the error names the function and argument', () => {
    let error: unknown;
    try {
      tf.tidy(() => diceLoss(tf.zeros([1, 2, 2, 2, 1]), tf.zeros([1, 2, 2, 1, 1])));
    } catch (e) {
      error = e;
    }
    expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/diceLoss: 'probabilities'/);
  });
  test('options are validated', () => {
    expect(() => tf.tidy(() => focalLoss(volume(T), volume(P), { alpha: 2 }))).toThrow(/alpha/);
    expect(() => voxelLoss('mse' as never, volume(T), volume(P))).toThrow(/'name'/);
  });
});
