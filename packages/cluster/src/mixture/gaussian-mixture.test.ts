import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { loadAnalysisFixture } from '../test-utils/analysis-fixtures.js';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { gaussianMixture } from './gaussian-mixture.js';
import type { CovarianceType } from './gaussian-parameters.js';

interface GmmCase {
  name: string;
  covarianceType: CovarianceType;
  maxIter: number;
  tol: number;
  init: { means: number[][]; weights: number[]; precisions: number[] };
  weights: number[];
  means: number[];
  covariances: number[];
  precisions: number[];
  lowerBound: number;
  nIter: number;
  converged: boolean;
  logLikelihood: number;
  bic: number;
  aic: number;
  responsibilities: number[];
  labels: number[];
}
const fixture = loadAnalysisFixture<{ X: number[][]; cases: GmmCase[] }>('gmm.json');

function expectClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(
      worst,
      Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)),
    );
  expect(worst, what).toBeLessThan(tol);
}

describe('gaussianMixture equals scikit-learn 1.2.1 GaussianMixture from the same start (fixtures/analysis/gmm.json)', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const g = gaussianMixture(fixture.X, {
        k: 3,
        covarianceType: c.covarianceType,
        maxIter: c.maxIter,
        tol: c.tol,
        init: c.init,
      });
      expect(g.nIter).toBe(c.nIter);
      expect(g.converged).toBe(c.converged);
      expect(g.lowerBound).toBeCloseTo(c.lowerBound, 8);
      expect(g.logLikelihood).toBeCloseTo(c.logLikelihood, 7);
      expect(g.bic).toBeCloseTo(c.bic, 6);
      expect(g.aic).toBeCloseTo(c.aic, 6);
      expectClose(g.weights, c.weights, 1e-9, 'weights');
      expectClose(g.means.data, c.means, 1e-9, 'means');
      expectClose(g.covariances.data, c.covariances, 1e-9, 'covariances');
      expectClose(g.precisions.data, c.precisions, 1e-8, 'precisions');
      expectClose(g.responsibilities.data, c.responsibilities, 1e-9, 'responsibilities');
      expect(Array.from(g.labels)).toEqual(c.labels);
      expectClose(g.predictProba(fixture.X).data, c.responsibilities, 1e-9, 'predictProba');
      expect(g.scoreSamples(fixture.X).reduce((a, b) => a + b, 0)).toBeCloseTo(c.logLikelihood, 7);
      expect(g.bicOn(fixture.X)).toBeCloseTo(c.bic, 6);
    });
  }
});

describe('gaussianMixture', () => {
  const blobs = gaussianBlobs({ k: 3, perCluster: 60, dim: 3, spread: 8, std: 0.6, seed: 2 });

  it('is seeded and deterministic, and finds separated blobs with every covariance type and start', () => {
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const)
      for (const init of ['kmeans', 'kmeans++'] as const) {
        const a = gaussianMixture(blobs.points, { k: 3, covarianceType, init, nInit: 2, seed: 5 });
        const b = gaussianMixture(blobs.points, { k: 3, covarianceType, init, nInit: 2, seed: 5 });
        expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
        expect(a.logLikelihood).toBe(b.logLikelihood);
        // Same partition as the truth up to renaming: each true cluster maps to one label.
        const map = new Map<number, number>();
        blobs.labels.forEach((t, i) => {
          expect(map.get(t) ?? a.labels[i]).toBe(a.labels[i]);
          map.set(t, a.labels[i]!);
        });
        expect(new Set(map.values()).size).toBe(3);
        const rows = a.responsibilities.data;
        for (let s = 0; s < 5; s++)
          expect(rows[s * 3]! + rows[s * 3 + 1]! + rows[s * 3 + 2]!).toBeCloseTo(1, 12);
      }
  });

  it('reports progress and predicts new samples', () => {
    const seen: number[] = [];
    const g = gaussianMixture(blobs.points, { k: 3, onProgress: (p) => seen.push(p.iteration) });
    expect(seen).toEqual(Array.from({ length: g.nIter }, (_, i) => i + 1));
    expect(Array.from(g.predict(blobs.points))).toEqual(Array.from(g.labels));
    expect(() => g.predict([[1, 2]])).toThrow(/predict: 'X' must be 3 columns/);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    expect(() => gaussianMixture([[0], [1]], { k: 3 })).toThrow(
      /gaussianMixture: 'X' must have at least 3 samples \(one per component, k = 3\), got 2/,
    );
    expect(() => gaussianMixture([[0], [Number.POSITIVE_INFINITY]], { k: 1 })).toThrow(
      /'X' must hold finite/,
    );
    expect(() => gaussianMixture([[0], [1]], { k: 1, covarianceType: 'round' as never })).toThrow(
      /'options.covarianceType'/,
    );
    const init = { means: [[0], [1]], weights: [0.7, 0.7], precisions: [1, 1] };
    expect(() =>
      gaussianMixture([[0], [1], [2]], { k: 2, covarianceType: 'spherical', init }),
    ).toThrow(/'options.init.weights'/);
    try {
      // Identical points and no regularisation: the covariance is singular.
      gaussianMixture(
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        { k: 1, regCovar: 0 },
      );
      expect.unreachable();
    } catch (e) {
      expect(isCellshapeError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect(String(e)).toMatch(/'options.regCovar'/);
    }
  });
});
