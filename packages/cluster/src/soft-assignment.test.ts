import { readFileSync } from 'node:fs';
import { InvalidArgumentError, parseNpz } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import {
  hardLabels,
  klDivergence,
  labelChangeShare,
  softAssignment,
  targetDistribution,
} from './soft-assignment.js';
import {
  goldenPath,
  loadReference,
  matrixOf,
  maxAbsDiff,
  numbersOf,
} from './test-utils/fixtures.js';

const ref = loadReference();

describe('softAssignment / targetDistribution / klDivergence', () => {
  for (const [name, alpha] of [
    ['a1', 1],
    ['a25', 2.5],
  ] as const) {
    it(`match the reference harness (dfn.py) on the committed fixture, alpha ${alpha}`, () => {
      const z = matrixOf(ref.dec_z);
      const mu = matrixOf(ref.dec_centres);
      const q = softAssignment(z, mu, { alpha });
      expect(q.shape).toEqual([24, 4]);
      expect(maxAbsDiff(q.data, matrixOf(ref[`dec_${name}_q`]).data)).toBeLessThan(1e-6);
      const p = targetDistribution(q);
      expect(maxAbsDiff(p.data, matrixOf(ref[`dec_${name}_p`]).data)).toBeLessThan(1e-6);
      expect(Math.abs(klDivergence(p, q) - numbersOf(ref[`dec_${name}_kl`])[0]!)).toBeLessThan(
        1e-6,
      );
    });
  }

  it('gives rows summing to 1 and takes float32 input without copying it', () => {
    const z = { data: new Float32Array([0, 0, 10, 10, 0.1, 0]), shape: [3, 2] as [number, number] };
    const before = z.data.slice();
    const q = softAssignment(z, { data: new Float64Array([0, 0, 10, 10]), shape: [2, 2] });
    for (let i = 0; i < 3; i++) expect(q.data[i * 2]! + q.data[i * 2 + 1]!).toBeCloseTo(1, 12);
    expect(Array.from(hardLabels(q))).toEqual([0, 1, 0]);
    expect(z.data).toEqual(before);
  });

  it('is exact on a hand-computed case: α = 1, d² = 0 and 1 → q = (2/3, 1/3)', () => {
    const q = softAssignment(
      { data: new Float64Array([0]), shape: [1, 1] },
      { data: new Float64Array([0, 1]), shape: [2, 1] },
    );
    expect(q.data[0]).toBeCloseTo(2 / 3, 14);
    // One row: p ∝ q²/q = q, so p = q and KL = 0.
    const p = targetDistribution(q);
    expect(maxAbsDiff(p.data, q.data)).toBeLessThan(1e-15);
    expect(klDivergence(p, q)).toBeCloseTo(0, 14);
  });

  it('stays finite for points far from every centre', () => {
    const q = softAssignment(
      { data: new Float64Array([1e30, 0]), shape: [1, 2] },
      { data: new Float64Array([0, 0, 1, 0]), shape: [2, 2] },
    );
    expect(q.data.every(Number.isFinite)).toBe(true);
    expect(q.data[0]! + q.data[1]!).toBeCloseTo(1, 12);
  });

  it('labelChangeShare counts the changed share', () => {
    expect(labelChangeShare([0, 1, 2, 3], new Int32Array([0, 1, 0, 0]))).toBe(0.5);
    expect(labelChangeShare([1], [1])).toBe(0);
  });

  it('rejects bad input with typed errors', () => {
    const z = { data: new Float64Array([0, 1]), shape: [1, 2] as [number, number] };
    const mu = { data: new Float64Array([0, 1]), shape: [1, 2] as [number, number] };
    expect(() => softAssignment(z, mu, { alpha: 0 })).toThrow(
      /'alpha' must be a finite number > 0/,
    );
    expect(() => softAssignment(z, mu, { alpha: -1 })).toThrow(InvalidArgumentError);
    expect(() =>
      softAssignment({ data: new Float64Array([Number.NaN, 1]), shape: [1, 2] }, mu),
    ).toThrow(/finite numbers, got NaN at row 0/);
    expect(() => softAssignment(z, { data: new Float64Array([0, 1, 2]), shape: [1, 3] })).toThrow(
      /'centres' must be to have 2 columns|centres/,
    );
    expect(() => softAssignment({ data: new Float64Array(3), shape: [2, 2] }, mu)).toThrow(
      /features.shape/,
    );
    expect(() => targetDistribution({ data: new Float64Array([0.5, 0.6]), shape: [1, 2] })).toThrow(
      /sum to 1/,
    );
    const p = { data: new Float64Array([0.5, 0.5]), shape: [1, 2] as [number, number] };
    const q2 = { data: new Float64Array([0.5, 0.5, 0.5, 0.5]), shape: [2, 2] as [number, number] };
    expect(() => klDivergence(p, q2)).toThrow(/rows/);
    expect(() => labelChangeShare([0, 1], [0])).toThrow(InvalidArgumentError);
    expect(() => labelChangeShare([], [])).toThrow(InvalidArgumentError);
    expect(() => hardLabels({ data: new Float64Array([Number.NaN]), shape: [1, 1] })).toThrow(
      InvalidArgumentError,
    );
  });
});

for (const name of ['small', 'basic']) {
  const path = goldenPath(`${name}.npz`);
  describe.skipIf(!path)(`golden ${name}.npz (reference harness)`, () => {
    const g = path ? parseNpz(readFileSync(path)) : {};
    it('dec_q, dec_p, dec_kl within 1e-6', () => {
      const q = softAssignment(matrixOf(g.dec_z), matrixOf(g.cluster_weight));
      expect(maxAbsDiff(q.data, matrixOf(g.dec_q).data)).toBeLessThan(1e-6);
      const p = targetDistribution(q);
      expect(maxAbsDiff(p.data, matrixOf(g.dec_p).data)).toBeLessThan(1e-6);
      expect(Math.abs(klDivergence(p, q) - numbersOf(g.dec_kl)[0]!)).toBeLessThan(1e-6);
    });
    for (const mode of ['eval', 'train']) {
      it(`${mode}_q, ${mode}_p, ${mode}_kl from ${mode}_features within 1e-6`, () => {
        const q = softAssignment(matrixOf(g[`${mode}_features`]), matrixOf(g.cluster_weight));
        expect(maxAbsDiff(q.data, matrixOf(g[`${mode}_q`]).data)).toBeLessThan(1e-6);
        const p = targetDistribution(q);
        expect(maxAbsDiff(p.data, matrixOf(g[`${mode}_p`]).data)).toBeLessThan(1e-6);
        expect(Math.abs(klDivergence(p, q) - numbersOf(g[`${mode}_kl`])[0]!)).toBeLessThan(1e-6);
      });
    }
  });
}
