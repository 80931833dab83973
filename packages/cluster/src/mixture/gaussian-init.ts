import { InvalidArgumentError, invalidArgument, type Rng } from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix } from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';
import { inverseSpd } from './cholesky.js';
import { estimateGaussian } from './gaussian-estimate.js';
import {
  type CovarianceType,
  covarianceShape,
  type GaussianParameters,
  precisionCholesky,
} from './gaussian-parameters.js';
import { kmeansLabels } from './kmeans-lloyd.js';
import { kmeansPlusPlus } from './kmeans-plus-plus.js';

/**
 * Given starting parameters of a Gaussian mixture (scikit-learn's `means_init`, `weights_init`,
 * `precisions_init`): `precisions` row-major in the layout of the covariance type — full
 * `k × d × d`, tied `d × d`, diag `k × d`, spherical `k` — each the inverse of a covariance.
 */
export interface GaussianMixtureInit {
  /** `k × d` component means. */
  means: AnalysisMatrix;
  /** k weights in [0, 1] summing to 1. */
  weights: ArrayLike<number>;
  /** Inverse covariances, layout as above. */
  precisions: ArrayLike<number>;
}

/** How {@link gaussianMixture} starts: k-means labels, k-means++ seeds, or given parameters. */
export type GaussianMixtureStart = 'kmeans' | 'kmeans++' | GaussianMixtureInit;

/** Parameters to start EM from (scikit-learn's `_initialize_parameters` + `_initialize`). */
export function initialParameters(
  fn: string,
  x: DenseMatrix,
  k: number,
  type: CovarianceType,
  regCovar: number,
  start: GaussianMixtureStart,
  rng: Rng,
): GaussianParameters {
  const [n] = x.shape;
  if (typeof start === 'object') return givenParameters(fn, x.shape[1], k, type, start);
  const resp = new Float64Array(n * k);
  if (start === 'kmeans') {
    kmeansLabels(x, k, rng).forEach((c, s) => {
      resp[s * k + c] = 1;
    });
  } else if (start === 'kmeans++') {
    // One-hot on the k seeds only, as scikit-learn: each component starts as one sample.
    kmeansPlusPlus(x, k, rng).forEach((s, c) => {
      resp[s * k + c] = 1;
    });
  } else
    throw invalidArgument(
      fn,
      'options.init',
      "'kmeans', 'kmeans++' or { means, weights, precisions }",
      start,
    );
  return estimateGaussian(fn, x, resp, k, type, regCovar);
}

function givenParameters(
  fn: string,
  d: number,
  k: number,
  type: CovarianceType,
  init: GaussianMixtureInit,
): GaussianParameters {
  const means = analysisMatrix(fn, 'options.init.means', init.means);
  if (means.shape[0] !== k || means.shape[1] !== d)
    throw invalidArgument(fn, 'options.init.means', `of shape [${k}, ${d}]`, means.shape);
  const weights = Float64Array.from(init.weights ?? []);
  let sum = 0;
  for (const w of weights) sum += w;
  if (weights.length !== k || weights.some((w) => !(w >= 0 && w <= 1)) || Math.abs(sum - 1) > 1e-6)
    throw invalidArgument(
      fn,
      'options.init.weights',
      `${k} weights in [0, 1] summing to 1`,
      init.weights,
    );
  const shape = covarianceShape(type, k, d);
  const size = shape.reduce((a, b) => a * b, 1);
  const precisions = Float64Array.from(init.precisions ?? []);
  if (precisions.length !== size || precisions.some((v) => !Number.isFinite(v)))
    throw invalidArgument(
      fn,
      'options.init.precisions',
      `${size} finite numbers (shape [${shape}])`,
      init.precisions,
    );
  const covariances = covariancesFromPrecisions(fn, type, precisions, k, d);
  return {
    type,
    k,
    d,
    weights,
    means: Float64Array.from(means.data),
    covariances,
    precisionsCholesky: precisionCholesky(fn, type, covariances, k, d),
  };
}

function covariancesFromPrecisions(
  fn: string,
  type: CovarianceType,
  p: Float64Array,
  k: number,
  d: number,
): Float64Array {
  if (type === 'diag' || type === 'spherical') {
    if (p.some((v) => !(v > 0)))
      throw invalidArgument(fn, 'options.init.precisions', 'positive numbers', p);
    return p.map((v) => 1 / v);
  }
  const mats = type === 'full' ? k : 1;
  const out = new Float64Array(p.length);
  for (let c = 0; c < mats; c++) {
    const inv = inverseSpd(p, d, c * d * d);
    if (inv === undefined)
      throw new InvalidArgumentError(
        `${fn}: 'options.init.precisions' must be symmetric positive definite (matrix ${c} is not)`,
        { fn, arg: 'options.init.precisions' },
      );
    out.set(inv, c * d * d);
  }
  return out;
}
