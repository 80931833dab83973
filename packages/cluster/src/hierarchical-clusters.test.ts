import { describe, expect, it } from 'vitest';
import { flatClusters, hierarchicalClusters, type Linkage } from './hierarchical.js';
import { loadAnalysisFixture } from './test-utils/analysis-fixtures.js';

interface FclusterCase {
  name: string;
  X: number[][];
  linkage: Linkage;
  metric: 'euclidean' | 'cosine';
  byCount: Record<string, number[]>;
  byDistance: Array<{ distance: number; labels: number[] }>;
}
const { cases } = loadAnalysisFixture<{ cases: FclusterCase[] }>('fcluster.json');

describe("flat clusters equal scipy's fcluster − 1 (fixtures/analysis/fcluster.json)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const { linkage, metric } = c;
      for (const [k, labels] of Object.entries(c.byCount)) {
        const r = hierarchicalClusters(c.X, { linkage, metric, count: Number(k) });
        expect(Array.from(r.labels), `count ${k}`).toEqual(labels);
      }
      const { merges } = hierarchicalClusters(c.X, { linkage, metric, count: 1 });
      for (const { distance, labels } of c.byDistance)
        expect(Array.from(flatClusters(merges, { distance })), `distance ${distance}`).toEqual(
          labels,
        );
    });
  }

  it('cuts into n − 1 clusters when asked (where scipy stops at n − 2)', () => {
    const { labels } = hierarchicalClusters([[0], [1], [3], [7]], { linkage: 'single', count: 3 });
    expect(new Set(labels).size).toBe(3);
    expect(labels[0]).toBe(labels[1]);
  });

  it('rejects bad cuts', () => {
    const { merges } = hierarchicalClusters([[0], [1], [3]], { count: 2 });
    expect(() => flatClusters(merges, { count: 0 })).toThrow(/flatClusters: 'cut.count'/);
    expect(() => flatClusters(merges, { distance: -1 })).toThrow(/'cut.distance'/);
    expect(() => flatClusters(merges, {} as never)).toThrow(/'cut' must be \{ count: k \} or/);
    expect(() => hierarchicalClusters([[0]], { count: 1 })).toThrow(/at least 2 samples/);
  });
});
