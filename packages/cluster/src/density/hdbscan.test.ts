import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../metrics/adjusted-rand-index.js';
import { loadAnalysisFixture } from '../test-utils/analysis-fixtures.js';
import { condenseTree } from './condensed-tree.js';
import { hdbscan } from './hdbscan.js';

interface Case {
  source: string;
  X: number[][];
  y?: number[];
}
const fx = loadAnalysisFixture<Record<string, Case>>('hdbscan.json');
const clusterCount = (labels: Int32Array) => new Set(Array.from(labels).filter((l) => l >= 0)).size;
const noise = (labels: Int32Array) => Array.from(labels).filter((l) => l === -1).length;

/** Fowlkes–Mallows index (what the scikit-learn test scores with), noise as its own label. */
function fowlkesMallows(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let tp = 0;
  let pa = 0;
  let pb = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + 1; j < a.length; j++) {
      const sa = a[i] === a[j];
      const sb = b[i] === b[j];
      if (sa && sb) tp++;
      if (sa) pa++;
      if (sb) pb++;
    }
  return tp / Math.sqrt(pa * pb);
}

describe('hdbscan on the published test cases (fixtures/analysis/hdbscan.json, sources inside)', () => {
  const blobs = fx.blobs200!;

  it('blobs200: 3 clusters, Fowlkes–Mallows ≥ 0.98, cluster numbering of the hdbscan package', () => {
    const { labels } = hdbscan(blobs.X);
    expect(clusterCount(labels)).toBe(3);
    expect(fowlkesMallows(blobs.y!, labels)).toBeGreaterThanOrEqual(0.98);
    // hdbscan's approximate_predict puts (−1.5, −1) in cluster 2 and (1.5, −1) in cluster 1:
    // the nearest training samples carry those labels.
    const nearest = (p: [number, number]) =>
      blobs.X.reduce(
        (best, x, i) =>
          (x[0]! - p[0]) ** 2 + (x[1]! - p[1]) ** 2 <
          (blobs.X[best]![0]! - p[0]) ** 2 + (blobs.X[best]![1]! - p[1]) ** 2
            ? i
            : best,
        0,
      );
    expect(labels[nearest([-1.5, -1])]).toBe(2);
    expect(labels[nearest([1.5, -1])]).toBe(1);
  });

  it('blobs200: no cluster with minClusterSize n − 1; every cluster has ≥ minClusterSize samples', () => {
    expect(clusterCount(hdbscan(blobs.X, { minClusterSize: 199 }).labels)).toBe(0);
    for (const minClusterSize of [2, 3, 5, 8, 13, 21, 34, 55, 89, 144]) {
      for (const method of ['eom', 'leaf'] as const) {
        const { labels } = hdbscan(blobs.X, { minClusterSize, clusterSelectionMethod: method });
        const counts = new Map<number, number>();
        for (const l of labels) if (l >= 0) counts.set(l, (counts.get(l) ?? 0) + 1);
        for (const c of counts.values()) expect(c).toBeGreaterThanOrEqual(minClusterSize);
      }
    }
  });

  it('noStructure150: one cluster allowed; epsilon 0.18 leaves exactly 2 noise samples', () => {
    const X = fx.noStructure150!.X;
    const base = {
      minClusterSize: 5,
      clusterSelectionMethod: 'eom',
      allowSingleCluster: true,
    } as const;
    const a = hdbscan(X, base).labels;
    expect(new Set(a).size).toBe(2);
    expect(noise(a)).toBeGreaterThan(30);
    const b = hdbscan(X, { ...base, clusterSelectionEpsilon: 0.18 }).labels;
    expect(new Set(b).size).toBe(2);
    expect(noise(b)).toBe(2);
  });

  it('betterThanDbscan750: 4 clusters; highDimensional50x64: 3 clusters', () => {
    expect(clusterCount(hdbscan(fx.betterThanDbscan750!.X).labels)).toBe(4);
    expect(clusterCount(hdbscan(fx.highDimensional50x64!.X).labels)).toBe(3);
  });

  it('distinct48: the three blobs are the leaf clusters n+2, n+3, n+4 of the condensed tree', () => {
    const { X, y } = fx.distinct48!;
    const r = hdbscan(X, { clusterSelectionMethod: 'leaf' });
    const t = condenseTree(r.singleLinkageTree, 5);
    expect(t.clusters).toBe(5);
    expect(noise(r.labels)).toBe(0);
    expect(adjustedRandIndex(y!, r.labels)).toBe(1);
  });
});

/*
 * Hand-built 1-D cases (minSamples 1: core distance 0, so mutual reachability is the plain
 * distance and the single-linkage tree can be read off the gaps).
 *
 * Case A, x = [0 1 2 | 10 10.5 11 11.5 | 30 30.25 30.5 | 50], minClusterSize 3:
 * root 11 loses sample 10 at λ = 1/19.5; splits at 18.5 into 12 = {0…6} and 13 = {7, 8, 9};
 * 12 splits at 8 into 14 = {0, 1, 2} and 15 = {3…6}. Stabilities: 12: 7·(1/8 − 1/18.5) = 0.497
 * < 14 + 15 = 3·(1 − 1/8) + 4·(2 − 1/8) = 10.125, so EOM and leaf both select 13, 14, 15
 * (labels 0, 1, 2 in id order); every member has λ = its cluster's largest λ (probability 1);
 * sample 10's GLOSH score is (4 − 1/19.5) / 4 (4 = the largest λ under the root).
 *
 * Case B, x = [0 1 2 | 3.5 4.5 5.5 | 30 30.25 30.5 | 50]: the root splits at 24.5 into
 * 11 = {0…5} and 12 = {6…9}; 12 loses sample 9 at λ = 1/19.5; 11 splits at 1.5 into 13 = {0, 1, 2}
 * and 14 = {3, 4, 5}, each of stability 3·(1 − 2/3) = 1 < 11's 6·(2/3 − 1/24.5) = 3.755: EOM
 * selects 11 and 12, leaf 12, 13, 14. Sample 9 belongs to 12 with probability (1/19.5) / 4.
 * With clusterSelectionEpsilon 2, leaf selection merges 13 and 14 (born at distance 1.5 < 2)
 * into 11 (born at 24.5): the EOM result.
 */
const caseA = [0, 1, 2, 10, 10.5, 11, 11.5, 30, 30.25, 30.5, 50].map((v) => [v]);
const caseB = [0, 1, 2, 3.5, 4.5, 5.5, 30, 30.25, 30.5, 50].map((v) => [v]);
const hand = { minClusterSize: 3, minSamples: 1 };

describe('hdbscan on hand-derived cases', () => {
  it('case A: EOM = leaf; probabilities; GLOSH of the lone sample', () => {
    for (const method of ['eom', 'leaf'] as const) {
      const r = hdbscan(caseA, { ...hand, clusterSelectionMethod: method });
      expect(Array.from(r.labels)).toEqual([1, 1, 1, 2, 2, 2, 2, 0, 0, 0, -1]);
      expect(Array.from(r.probabilities)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
      expect(r.outlierScores[10]).toBeCloseTo((4 - 1 / 19.5) / 4, 12);
      expect(Array.from(r.outlierScores.subarray(0, 10))).toEqual(new Array(10).fill(0));
    }
  });

  it('case B: EOM keeps the parent, leaf the children, epsilon merges them back', () => {
    const eom = hdbscan(caseB, hand);
    expect(Array.from(eom.labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(eom.probabilities[9]).toBeCloseTo(1 / 19.5 / 4, 12);
    expect(eom.outlierScores[9]).toBeCloseTo((4 - 1 / 19.5) / 4, 12);
    const leaf = hdbscan(caseB, { ...hand, clusterSelectionMethod: 'leaf' });
    expect(Array.from(leaf.labels)).toEqual([1, 1, 1, 2, 2, 2, 0, 0, 0, 0]);
    const merged = hdbscan(caseB, {
      ...hand,
      clusterSelectionMethod: 'leaf',
      clusterSelectionEpsilon: 2,
    });
    expect(Array.from(merged.labels)).toEqual(Array.from(eom.labels));
    // The single-linkage tree: the last merge joins {0…5} and {6…9} at 24.5.
    const z = eom.singleLinkageTree.data;
    expect(z.subarray(8 * 4 + 2, 8 * 4 + 4)).toEqual(new Float64Array([24.5, 10]));
  });

  it('is deterministic and rejects bad input', () => {
    expect(Array.from(hdbscan(caseB, hand).labels)).toEqual(
      Array.from(hdbscan(caseB, hand).labels),
    );
    expect(() => hdbscan(caseB, { minClusterSize: 1 })).toThrow(
      /hdbscan: 'options.minClusterSize'/,
    );
    expect(() => hdbscan(caseB, { minSamples: 11 })).toThrow(
      /'options.minSamples' \(11\) must be at most/,
    );
    expect(() => hdbscan(caseB, { clusterSelectionMethod: 'top' as never })).toThrow(
      /'options.clusterSelectionMethod'/,
    );
    expect(() => hdbscan([[Number.NaN]])).toThrow(/hdbscan: 'X' must hold finite/);
  });
});

describe('the mutual-reachability tree', () => {
  it('is the same with the WebAssembly SIMD Prim step and the JavaScript one', async () => {
    const { prepareRows } = await import('../metrics/pairwise-distance.js');
    const { coreDistances } = await import('./core-distances.js');
    const { mutualReachabilityTree } = await import('./mutual-reachability-tree.js');
    const X = fx.betterThanDbscan750!.X;
    const m = { data: Float64Array.from(X.flat()), shape: [X.length, 2] as [number, number] };
    for (const metric of ['euclidean', 'cosine'] as const) {
      const simd = prepareRows(m, metric);
      const js = prepareRows(m, metric, { simd: false });
      expect(simd.simd).toBeDefined();
      const a = mutualReachabilityTree(simd, coreDistances(simd, 5)).data;
      const b = mutualReachabilityTree(js, coreDistances(js, 5)).data;
      // Same merges; heights equal up to the rounding of the two summation orders.
      for (let r = 0; r < a.length; r += 4) {
        expect([a[r], a[r + 1], a[r + 3]]).toEqual([b[r], b[r + 1], b[r + 3]]);
        expect(a[r + 2]).toBeCloseTo(b[r + 2]!, 10);
      }
    }
  });
});
