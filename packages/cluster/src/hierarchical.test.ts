import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { denseMatrix } from './dense-matrix.js';
import { type HierarchicalMetric, hierarchicalOrder, type Linkage } from './hierarchical.js';
import { loadAnalysisFixture } from './test-utils/analysis-fixtures.js';
import { loadReference, matrixOf, maxAbsDiff, numbersOf } from './test-utils/fixtures.js';

describe('hierarchicalOrder', () => {
  const ref = loadReference();
  const x = matrixOf(ref.hc_x);

  for (const linkage of ['single', 'complete', 'average', 'ward'] as Linkage[]) {
    it(`matches scipy linkage + leaves_list (${linkage}, euclidean)`, () => {
      const r = hierarchicalOrder(x, { linkage });
      const z = matrixOf(ref[`hc_${linkage}_euclidean`]);
      expect(r.merges.shape).toEqual([8, 4]);
      expect(maxAbsDiff(r.merges.data, z.data)).toBeLessThan(1e-12);
      expect(r.order).toEqual(numbersOf(ref[`hc_${linkage}_euclidean_leaves`]));
    });
  }

  it('matches scipy (average, cosine)', () => {
    const r = hierarchicalOrder(x, { linkage: 'average', metric: 'cosine' });
    expect(maxAbsDiff(r.merges.data, matrixOf(ref.hc_average_cosine).data)).toBeLessThan(1e-12);
    expect(r.order).toEqual(numbersOf(ref.hc_average_cosine_leaves));
  });

  it('is right on a hand-computed 1-D case', () => {
    // Points 0, 1, 5, 11: single linkage merges {0,1} at 1, {0,1,5} at 4, then 11 at 6.
    const r = hierarchicalOrder(
      { data: new Float64Array([0, 1, 5, 11]), shape: [4, 1] },
      { linkage: 'single' },
    );
    expect(Array.from(r.merges.data)).toEqual([0, 1, 1, 2, 2, 4, 4, 3, 3, 5, 6, 4]);
    expect(r.order).toEqual([3, 2, 0, 1]);
    // Average linkage: d({0,1}, 5) = (5 + 4)/2 = 4.5; d({0,1,5}, 11) = (11 + 10 + 6)/3 = 9.
    const a = hierarchicalOrder({ data: new Float64Array([0, 1, 5, 11]), shape: [4, 1] });
    expect(Array.from(a.merges.data)).toEqual([0, 1, 1, 2, 2, 4, 4.5, 3, 3, 5, 9, 4]);
  });

  it('rejects bad input', () => {
    expect(() => hierarchicalOrder({ data: new Float64Array([1, 2]), shape: [1, 2] })).toThrow(
      /at least 2 rows/,
    );
    expect(() => hierarchicalOrder(x, { linkage: 'ward', metric: 'cosine' })).toThrow(/ward/);
    expect(() => hierarchicalOrder(x, { linkage: 'median' as Linkage })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      hierarchicalOrder(
        { data: new Float64Array([0, 0, 1, 1]), shape: [2, 2] },
        { metric: 'cosine' },
      ),
    ).toThrow(/all zeros/);
  });
});

interface LinkageCase {
  name: string;
  X: number[][];
  linkage: Linkage;
  metric: HierarchicalMetric;
  merges: number[][];
  leaves: number[];
}

describe("merge trees equal scipy's linkage on tied distances (fixtures/analysis/linkage.json)", () => {
  const { cases } = loadAnalysisFixture<{ cases: LinkageCase[] }>('linkage.json');
  for (const c of cases) {
    it(c.name, () => {
      const r = hierarchicalOrder(denseMatrix(c.X), { linkage: c.linkage, metric: c.metric });
      expect(maxAbsDiff(r.merges.data, Float64Array.from(c.merges.flat()))).toBeLessThan(1e-12);
      expect(r.order).toEqual(c.leaves);
    });
  }
});
