import { checkInteger, checkOneOf, invalidArgument, withDefaults } from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix } from '../analysis-input.js';
import {
  type GaussianMixtureOptions,
  type GaussianMixtureResult,
  gaussianMixture,
} from './gaussian-mixture.js';

/** Options of {@link chooseGaussianMixture}: the K range, the criterion, and the fit options. */
export interface ChooseGaussianMixtureOptions
  extends Omit<GaussianMixtureOptions, 'k' | 'onProgress'> {
  /** Smallest K tried. Default 1. */
  kMin?: number;
  /** Largest K tried (capped at the number of samples). Default 10. */
  kMax?: number;
  /** Criterion to minimise. Default `'bic'`. */
  criterion?: 'bic' | 'aic';
  /** Called after each K is fitted. */
  onProgress?: (progress: { k: number; bic: number; aic: number }) => void;
}

/** Defaults of {@link ChooseGaussianMixtureOptions}. */
export const DEFAULT_CHOOSE_GAUSSIAN_MIXTURE_OPTIONS = {
  kMin: 1,
  kMax: 10,
  criterion: 'bic',
} as const;

/** What {@link chooseGaussianMixture} returns. */
export interface ChooseGaussianMixtureResult {
  /** The K of lowest criterion (the smallest on ties). */
  k: number;
  /** The mixture fitted with that K. */
  best: GaussianMixtureResult;
  /** BIC and AIC of every K tried, ascending K. */
  scores: Array<{ k: number; bic: number; aic: number }>;
}

/**
 * Fits a Gaussian mixture for every K in `[kMin, kMax]` (same seed and options each) and keeps
 * the one of lowest BIC (or AIC) — the usual way to choose the number of components.
 *
 * ```ts
 * const { k, best, scores } = chooseGaussianMixture(X, { kMax: 8, covarianceType: 'diag' });
 * ```
 */
export function chooseGaussianMixture(
  X: AnalysisMatrix,
  options?: ChooseGaussianMixtureOptions,
): ChooseGaussianMixtureResult {
  const fn = 'chooseGaussianMixture';
  const x = analysisMatrix(fn, 'X', X, { minRows: 2 });
  const { kMin, kMax, criterion, onProgress, ...fit } = withDefaults(
    fn,
    DEFAULT_CHOOSE_GAUSSIAN_MIXTURE_OPTIONS,
    options,
  );
  checkInteger(fn, 'options.kMin', kMin, { min: 1 });
  checkInteger(fn, 'options.kMax', kMax, { min: kMin });
  checkOneOf(fn, 'options.criterion', criterion, ['bic', 'aic']);
  if (kMin > x.shape[0])
    throw invalidArgument(
      fn,
      'options.kMin',
      `at most the number of samples (${x.shape[0]})`,
      kMin,
    );
  const scores: ChooseGaussianMixtureResult['scores'] = [];
  let best: GaussianMixtureResult | undefined;
  let bestK = kMin;
  for (let k = kMin; k <= Math.min(kMax, x.shape[0]); k++) {
    const g = gaussianMixture(x, { ...fit, k });
    scores.push({ k, bic: g.bic, aic: g.aic });
    onProgress?.({ k, bic: g.bic, aic: g.aic });
    if (best === undefined || g[criterion] < best[criterion]) {
      best = g;
      bestK = k;
    }
  }
  return { k: bestK, best: best!, scores };
}
