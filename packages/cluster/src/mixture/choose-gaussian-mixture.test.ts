import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { chooseGaussianMixture } from './choose-gaussian-mixture.js';

describe('chooseGaussianMixture', () => {
  it('BIC picks the true K on separated blobs for every covariance type (AIC: the argmin)', () => {
    for (const k of [2, 4]) {
      const { points } = gaussianBlobs({
        k,
        perCluster: 50,
        dim: 3,
        spread: 10,
        std: 0.5,
        seed: k,
      });
      for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
        const r = chooseGaussianMixture(points, { kMax: 6, covarianceType, seed: 1 });
        expect(r.k, `${covarianceType}, k = ${k}`).toBe(k);
        expect(r.scores.map((s) => s.k)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(r.best.means.shape).toEqual([k, 3]);
      }
      const aic = chooseGaussianMixture(points, {
        kMax: 6,
        criterion: 'aic',
        covarianceType: 'spherical',
      });
      expect(aic.scores[aic.k - 1]!.aic).toBe(Math.min(...aic.scores.map((s) => s.aic)));
    }
  });

  it('rejects a bad range', () => {
    expect(() => chooseGaussianMixture([[0], [1]], { kMin: 3, kMax: 2 })).toThrow(/'options.kMax'/);
    expect(() => chooseGaussianMixture([[0], [1]], { kMin: 3, kMax: 4 })).toThrow(/'options.kMin'/);
    expect(() => chooseGaussianMixture([[0], [1]], { criterion: 'icl' as never })).toThrow(
      /'options.criterion'/,
    );
  });
});
