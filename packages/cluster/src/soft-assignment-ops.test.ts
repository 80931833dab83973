import { readFileSync } from 'node:fs';
import { parseNpz } from '@cellshape/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { klDivergence, softAssignment, targetDistribution } from './soft-assignment.js';
import { klDivergenceOp, logSoftAssignmentOp, softAssignmentOp } from './soft-assignment-ops.js';
import {
  goldenPath,
  loadReference,
  matrixOf,
  maxAbsDiff,
  numbersOf,
} from './test-utils/fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ref = loadReference();
const t2 = (m: { data: Float64Array; shape: [number, number] }) =>
  tf.tensor2d(Float32Array.from(m.data), m.shape);

describe('tfjs ops', () => {
  it('softAssignmentOp and klDivergenceOp match the reference (alpha 1 and 2.5)', () => {
    for (const [name, alpha] of [
      ['a1', 1],
      ['a25', 2.5],
    ] as const) {
      const z = t2(matrixOf(ref.dec_z));
      const mu = t2(matrixOf(ref.dec_centres));
      const q = softAssignmentOp(z, mu, alpha);
      expect(maxAbsDiff(q.dataSync(), matrixOf(ref[`dec_${name}_q`]).data)).toBeLessThan(1e-6);
      const p = t2(matrixOf(ref[`dec_${name}_p`]));
      const kl = klDivergenceOp(p, logSoftAssignmentOp(z, mu, alpha));
      expect(Math.abs(kl.dataSync()[0]! - numbersOf(ref[`dec_${name}_kl`])[0]!)).toBeLessThan(1e-6);
      tf.dispose([z, mu, q, p, kl]);
    }
  });

  it('the KL gradient moves the centres (autodiff reaches them) and leaks no tensors', () => {
    const z = t2(matrixOf(ref.dec_z));
    const mu = tf.variable(t2(matrixOf(ref.dec_centres)));
    const q0 = softAssignment(matrixOf(ref.dec_z), matrixOf(ref.dec_centres));
    const p = t2(targetDistribution(q0));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => klDivergenceOp(p, logSoftAssignmentOp(z, mu)),
      [mu],
    );
    const g = grads[mu.name]!;
    expect(Math.max(...Array.from(g.dataSync(), Math.abs))).toBeGreaterThan(1e-4);
    // The analytic DEC gradient: dL/dμ_j = (2/n)·Σ_i (1 + ‖z_i − μ_j‖²)^-1 (p_ij − q_ij)(z_i − μ_j)·(−1).
    const zm = matrixOf(ref.dec_z);
    const mm = matrixOf(ref.dec_centres);
    const pm = targetDistribution(q0);
    const [n, f] = zm.shape;
    const k = mm.shape[0];
    const expected = new Float64Array(k * f);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        let d2 = 0;
        for (let c = 0; c < f; c++) d2 += (zm.data[i * f + c]! - mm.data[j * f + c]!) ** 2;
        const w = (pm.data[i * k + j]! - q0.data[i * k + j]!) / (1 + d2);
        for (let c = 0; c < f; c++)
          expected[j * f + c]! -= (2 / n) * w * (zm.data[i * f + c]! - mm.data[j * f + c]!);
      }
    }
    expect(maxAbsDiff(g.dataSync(), expected)).toBeLessThan(1e-5);
    tf.dispose([value, g]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, mu, p]);
  });

  it('KL of a distribution against itself is 0, and zeros in p count 0', () => {
    const p = tf.tensor2d([
      [0.5, 0.5, 0],
      [1, 0, 0],
    ]);
    const logQ = tf.log(
      tf.tensor2d([
        [0.5, 0.5, 1e-9],
        [1 - 2e-9, 1e-9, 1e-9],
      ]),
    );
    expect(klDivergenceOp(p, logQ).dataSync()[0]).toBeCloseTo(0, 6);
    const plain = klDivergence(
      { data: new Float64Array([0.5, 0.5, 0, 1, 0, 0]), shape: [2, 3] },
      { data: new Float64Array([0.25, 0.75, 0, 0.5, 0.25, 0.25]), shape: [2, 3] },
    );
    const op = klDivergenceOp(
      p,
      tf.log(
        tf.tensor2d([
          [0.25, 0.75, 1e-12],
          [0.5, 0.25, 0.25],
        ]),
      ),
    ).dataSync()[0]!;
    const hand = (0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75) + Math.log(1 / 0.5)) / 2;
    expect(plain).toBeCloseTo(hand, 12);
    expect(op).toBeCloseTo(hand, 6);
  });

  it('rejects bad input', () => {
    const a = tf.zeros([2, 3]);
    expect(() => softAssignmentOp(a, tf.zeros([2, 4]))).toThrow(
      /'centres' must be to have 3 columns/,
    );
    expect(() => softAssignmentOp(tf.zeros([3]), a)).toThrow(/'features' must be a 2-D tensor/);
    expect(() => softAssignmentOp(a, a, 0)).toThrow(/alpha/);
    expect(() => klDivergenceOp(a, tf.zeros([3, 3]))).toThrow(/logQ/);
  });
});

const small = goldenPath('small.npz');
describe.skipIf(!small)('tfjs ops on golden small.npz', () => {
  it('eval_q and eval_kl from eval_features within 1e-6', () => {
    const g = parseNpz(readFileSync(small!));
    const z = t2(matrixOf(g.eval_features));
    const mu = t2(matrixOf(g.cluster_weight));
    const q = softAssignmentOp(z, mu);
    expect(maxAbsDiff(q.dataSync(), matrixOf(g.eval_q).data)).toBeLessThan(1e-6);
    const kl = klDivergenceOp(t2(matrixOf(g.eval_p)), logSoftAssignmentOp(z, mu));
    expect(Math.abs(kl.dataSync()[0]! - numbersOf(g.eval_kl)[0]!)).toBeLessThan(1e-6);
    const dq = softAssignmentOp(t2(matrixOf(g.dec_z)), mu);
    expect(maxAbsDiff(dq.dataSync(), matrixOf(g.dec_q).data)).toBeLessThan(1e-6);
  });
});
