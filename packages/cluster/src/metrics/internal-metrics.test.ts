import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import {
  type Expected,
  isError,
  loadAnalysisFixture,
  type MetricsFixture,
} from '../test-utils/analysis-fixtures.js';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { calinskiHarabaszScore } from './calinski-harabasz.js';
import { daviesBouldinScore } from './davies-bouldin.js';
import { silhouetteSamples, silhouetteScore } from './silhouette.js';

const { matrices } = loadAnalysisFixture<MetricsFixture>('metrics.json');

function expectLike<A, E>(actual: () => A, expected: Expected<E>, close: (a: A, e: E) => void) {
  if (isError(expected)) {
    // scikit-learn raises "Number of labels is k. Valid values are 2 to n_samples - 1".
    expect(actual).toThrow(/'labels' must have 2 to n − 1 = \d+ distinct values/);
  } else close(actual(), expected);
}
const closeNumber = (a: number, e: number) => expect(a).toBeCloseTo(e, 10);
const closeArray = (a: Float64Array | number[], e: Float64Array | number[]) => {
  expect(a).toHaveLength(e.length);
  a.forEach((v, i) => {
    expect(v).toBeCloseTo(e[i]!, 10);
  });
};

describe('internal cluster metrics equal scikit-learn 1.2.1 (fixtures/analysis/metrics.json)', () => {
  for (const c of matrices) {
    it(c.name, () => {
      const { X, labels } = c;
      expectLike(() => silhouetteSamples(X, labels), c.silhouetteSamples, closeArray);
      expectLike(
        () => silhouetteSamples(X, labels, { metric: 'cosine' }),
        c.silhouetteSamplesCosine,
        closeArray,
      );
      expectLike(() => silhouetteScore(X, labels), c.silhouette, closeNumber);
      expectLike(
        () => silhouetteScore(X, labels, { metric: 'cosine' }),
        c.silhouetteCosine,
        closeNumber,
      );
      expectLike(() => daviesBouldinScore(X, labels), c.daviesBouldin, closeNumber);
      expectLike(() => calinskiHarabaszScore(X, labels), c.calinskiHarabasz, closeNumber);
    });
  }
});

describe('silhouetteScore', () => {
  const { points, labels } = gaussianBlobs({
    k: 3,
    perCluster: 200,
    dim: 5,
    spread: 4,
    std: 1,
    seed: 3,
  });

  it('computes across block boundaries as the mean of the samples (600 rows > one block)', () => {
    const s = silhouetteSamples(points, labels);
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    expect(silhouetteScore(points, labels)).toBeCloseTo(mean, 12);
    // Brute-force check of one sample far from the first block.
    const [n, d] = points.shape;
    const i = 517;
    const sums = [0, 0, 0];
    for (let j = 0; j < n; j++) {
      let q = 0;
      for (let c = 0; c < d; c++) q += (points.data[i * d + c]! - points.data[j * d + c]!) ** 2;
      sums[labels[j]!]! += Math.sqrt(q);
    }
    const own = labels[i]!;
    const a = sums[own]! / 199;
    const b = Math.min(...[0, 1, 2].filter((c) => c !== own).map((c) => sums[c]! / 200));
    expect(s[i]).toBeCloseTo((b - a) / Math.max(a, b), 6);
  });

  it('subsamples with a seed: deterministic, close to the full score', () => {
    const full = silhouetteScore(points, labels);
    const a = silhouetteScore(points, labels, { sampleSize: 300, seed: 4 });
    expect(silhouetteScore(points, labels, { sampleSize: 300, seed: 4 })).toBe(a);
    expect(silhouetteScore(points, labels, { sampleSize: 300, seed: 5 })).not.toBe(a);
    expect(Math.abs(a - full)).toBeLessThan(0.05);
    expect(silhouetteScore(points, labels, { sampleSize: 10_000 })).toBe(full);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    expect(() =>
      silhouetteScore(
        [
          [0, Number.NaN],
          [1, 1],
          [2, 2],
        ],
        [0, 1, 1],
      ),
    ).toThrow(/silhouetteScore: 'X' must hold finite numbers, got NaN at row 0, column 1/);
    expect(() => silhouetteScore([[0], [1], [2]], [0, 1])).toThrow(
      /'labels' must be one label per sample/,
    );
    expect(() =>
      silhouetteScore([[0], [1], [2]], [0, 1, 1], { metric: 'manhattan' as never }),
    ).toThrow(/'options.metric'/);
    expect(() => silhouetteScore([[0], [1], [2]], [0, 1, 1], { sampleSize: 1 })).toThrow(
      /'options.sampleSize'/,
    );
    try {
      daviesBouldinScore([[0], [1], [2]], [0, 0, 0]);
    } catch (e) {
      expect(isCellshapeError(e, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
