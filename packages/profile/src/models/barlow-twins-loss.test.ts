import { createRng, isCellshapeError } from '@cellshape/core';
import { expectNoLeaks, TEST_BACKENDS, useBackend } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { barlowTwinsLoss, barlowTwinsTerms } from './barlow-twins-loss.js';

/** The loss from its definition, in float64 loops: z [B][F]. */
function direct(z1: number[][], z2: number[][], lambda: number, eps: number): number {
  const b = z1.length;
  const f = (z1[0] as number[]).length;
  const norm = (z: number[][]): number[][] => {
    const out = z.map((row) => [...row]);
    for (let j = 0; j < f; j++) {
      let mean = 0;
      for (let i = 0; i < b; i++) mean += (z[i] as number[])[j] as number;
      mean /= b;
      let v = 0;
      for (let i = 0; i < b; i++) v += (((z[i] as number[])[j] as number) - mean) ** 2;
      v /= b;
      for (let i = 0; i < b; i++)
        (out[i] as number[])[j] = (((z[i] as number[])[j] as number) - mean) / Math.sqrt(v + eps);
    }
    return out;
  };
  const a = norm(z1);
  const c = norm(z2);
  let loss = 0;
  for (let i = 0; i < f; i++)
    for (let j = 0; j < f; j++) {
      let cij = 0;
      for (let k = 0; k < b; k++)
        cij += ((a[k] as number[])[i] as number) * ((c[k] as number[])[j] as number);
      cij /= b;
      loss += i === j ? (1 - cij) ** 2 : lambda * cij ** 2;
    }
  return loss;
}

function randomRows(b: number, f: number, seed: number): number[][] {
  const rng = createRng(seed);
  // float32-representable values, so the tensors hold exactly what the reference sees.
  return Array.from({ length: b }, () =>
    Array.from({ length: f }, () => Math.fround(rng.normal())),
  );
}

describe.each(TEST_BACKENDS)('barlowTwinsLoss (%s)', (backend) => {
  test('equals the definition computed directly on fixed inputs', async () => {
    await useBackend(backend);
    const z1 = randomRows(6, 4, 1);
    const z2 = z1.map((row, i) => row.map((v, j) => Math.fround(v + 0.3 * Math.sin(i + 2 * j))));
    const [a, b] = [tf.tensor2d(z1), tf.tensor2d(z2)];
    for (const lambda of [0.005, 0.1, 1]) {
      const value = await expectNoLeaks(() => {
        const loss = barlowTwinsLoss(a, b, { lambda });
        const v = loss.dataSync()[0] as number;
        loss.dispose();
        return v;
      });
      const expected = direct(z1, z2, lambda, 1e-5);
      expect(Math.abs(value - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
    }
    tf.dispose([a, b]);
  });

  test('is 0 for identical, perfectly decorrelated embeddings (any scale and offset)', async () => {
    await useBackend(backend);
    // Columns of a 4×4 Hadamard matrix without the constant one: zero mean, unit biased
    // variance, orthogonal.
    const h = [
      [1, 1, 1],
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ];
    const scaled = h.map((row) => row.map((v, j) => 3 * v + j - 5));
    const terms = barlowTwinsTerms(tf.tensor2d(scaled), tf.tensor2d(scaled), {
      eps: 0,
      lambda: 0.1,
    });
    expect(terms.total.dataSync()[0]).toBeCloseTo(0, 10);
    expect(terms.onDiagonal.dataSync()[0]).toBeCloseTo(0, 10);
    expect(terms.offDiagonal.dataSync()[0]).toBeCloseTo(0, 10);
    // PyTorch's eps leaves (eps / (var + eps))² per dimension.
    const withEps = barlowTwinsLoss(tf.tensor2d(h), tf.tensor2d(h));
    expect(withEps.dataSync()[0]).toBeLessThan(1e-8);
    tf.dispose([terms.total, terms.onDiagonal, terms.offDiagonal, withEps]);
  });

  test('its gradient equals a numerical one (central differences of the float64 definition)', async () => {
    await useBackend(backend);
    const z1 = randomRows(5, 3, 2);
    const z2 = randomRows(5, 3, 3);
    const lambda = 0.05;
    const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => barlowTwinsLoss(a, b, { lambda }))([
      tf.tensor2d(z1),
      tf.tensor2d(z2),
    ]) as [tf.Tensor, tf.Tensor];
    const h = 1e-6;
    for (const [which, g] of [
      [0, g1],
      [1, g2],
    ] as const) {
      const analytic = g.arraySync() as number[][];
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 3; j++) {
          const shifted = (d: number): number => {
            const a = z1.map((r) => [...r]);
            const b = z2.map((r) => [...r]);
            const target = which === 0 ? a : b;
            (target[i] as number[])[j] = ((target[i] as number[])[j] as number) + d;
            return direct(a, b, lambda, 1e-5);
          };
          const numeric = (shifted(h) - shifted(-h)) / (2 * h);
          expect(Math.abs(((analytic[i] as number[])[j] as number) - numeric)).toBeLessThan(2e-4);
        }
    }
    tf.dispose([g1, g2]);
  });
});

describe('barlowTwinsLoss: bad input', () => {
  test('typed errors naming the argument', async () => {
    await useBackend('cpu');
    const ok = tf.zeros([4, 3]);
    for (const [call, arg] of [
      [() => barlowTwinsLoss(tf.zeros([1, 3]), tf.zeros([1, 3])), 'z1'],
      [() => barlowTwinsLoss(ok, tf.zeros([4, 2])), 'z2'],
      [() => barlowTwinsLoss(ok, tf.zeros([4])), 'z2'],
      [() => barlowTwinsLoss(ok, ok, { lambda: -1 }), 'options.lambda'],
    ] as const) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(isCellshapeError(error, 'INVALID_ARGUMENT'), arg).toBe(true);
      expect((error as Error).message).toContain(arg);
    }
  });
});
