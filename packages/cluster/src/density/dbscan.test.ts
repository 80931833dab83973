import { describe, expect, it } from 'vitest';
import { loadAnalysisFixture } from '../test-utils/analysis-fixtures.js';
import { dbscan } from './dbscan.js';

interface DbscanCase {
  name: string;
  X: number[][];
  options: { eps: number; minSamples: number; metric: 'euclidean' | 'cosine' };
  labels: number[];
  coreSampleIndices: number[];
}
const { cases } = loadAnalysisFixture<{ cases: DbscanCase[] }>('dbscan.json');

describe('dbscan equals scikit-learn 1.2.1 DBSCAN (fixtures/analysis/dbscan.json)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = dbscan(c.X, c.options);
      expect(Array.from(r.labels)).toEqual(c.labels);
      expect(Array.from(r.coreSampleIndices)).toEqual(c.coreSampleIndices);
    });
  }

  it('a border sample reachable from two clusters joins the one found first', () => {
    const c = cases.find((x) => x.name === 'shared_border')!;
    const r = dbscan(c.X, c.options);
    expect(r.labels[0]).toBe(0);
    expect(Array.from(r.coreSampleIndices)).not.toContain(0);
  });

  it('rejects bad input', () => {
    expect(() => dbscan([[0, 1]], { eps: 0 })).toThrow(/dbscan: 'options.eps'/);
    expect(() => dbscan([[0, 1]], { minSamples: 0 })).toThrow(/'options.minSamples'/);
    expect(() => dbscan([[0, Number.NaN]])).toThrow(/dbscan: 'X' must hold finite numbers/);
    expect(() => dbscan([[0, 1]], { metric: 'l1' as never })).toThrow(/'options.metric'/);
  });
});
