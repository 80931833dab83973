import {
  checkInteger,
  checkNumber,
  checkOneOf,
  checkPositive,
  createRng,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix, checkEnoughSamples } from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';
import { estimateGaussian } from './gaussian-estimate.js';
import { type GaussianMixtureStart, initialParameters } from './gaussian-init.js';
import {
  type LogProbWorkspace,
  logProbWorkspace,
  normaliseLogProb,
  weightedLogProb,
} from './gaussian-log-prob.js';
import {
  COVARIANCE_TYPES,
  type CovarianceType,
  covarianceShape,
  type GaussianParameters,
  parameterCount,
  precisionsOf,
} from './gaussian-parameters.js';

/** Progress of {@link gaussianMixture}: after every EM iteration. */
export interface GaussianMixtureProgress {
  /** Start (0 … nInit − 1). */
  init: number;
  /** EM iteration within the start (1-based). */
  iteration: number;
  /** Mean log-likelihood per sample before this iteration's M-step. */
  lowerBound: number;
}

/** Options of {@link gaussianMixture}; `k` is required. */
export interface GaussianMixtureOptions {
  /** Number of components (≤ number of samples). */
  k: number;
  /** Shape of the covariances. Default `'full'`. */
  covarianceType?: CovarianceType;
  /** Seeded starts; the one with the highest final lower bound wins. Default 1. */
  nInit?: number;
  /** EM iterations per start. Default 100. */
  maxIter?: number;
  /** Stop when the mean log-likelihood changes by less than this. Default 1e-3. */
  tol?: number;
  /** Added to the covariance diagonals, keeping them positive definite. Default 1e-6. */
  regCovar?: number;
  /**
   * Start: `'kmeans'` (responsibilities from one seeded k-means run, scikit-learn's default),
   * `'kmeans++'` (k seeded samples) or given `{ means, weights, precisions }`. Default `'kmeans'`.
   */
  init?: GaussianMixtureStart;
  /** Seed of the initialisations. Default 0. */
  seed?: number;
  /** Called after every EM iteration. */
  onProgress?: (progress: GaussianMixtureProgress) => void;
}

/** Defaults of {@link GaussianMixtureOptions} (scikit-learn's). */
export const DEFAULT_GAUSSIAN_MIXTURE_OPTIONS = {
  covarianceType: 'full',
  nInit: 1,
  maxIter: 100,
  tol: 1e-3,
  regCovar: 1e-6,
  init: 'kmeans',
  seed: 0,
} as const satisfies Omit<GaussianMixtureOptions, 'k'>;

/** A fitted Gaussian mixture: its parameters and how it scores new samples. */
export interface GaussianMixtureModel {
  covarianceType: CovarianceType;
  /** Component weights (k, sum 1). */
  weights: Float64Array;
  /** Component means, `k × d`. */
  means: DenseMatrix<Float64Array>;
  /** Covariances: full `[k, d, d]`, tied `[d, d]`, diag `[k, d]`, spherical `[k]`. */
  covariances: { data: Float64Array; shape: number[] };
  /** Their inverses, same layout. */
  precisions: { data: Float64Array; shape: number[] };
  /** Most likely component of each row of X (`n × d`). */
  predict(X: AnalysisMatrix): Int32Array;
  /** Posterior probability of each component for each row (`n × k`, rows sum to 1). */
  predictProba(X: AnalysisMatrix): DenseMatrix<Float64Array>;
  /** log p(x) of each row under the mixture (natural log). */
  scoreSamples(X: AnalysisMatrix): Float64Array;
  /** Bayesian information criterion on X: −2·log L + p·ln n (lower is better). */
  bicOn(X: AnalysisMatrix): number;
  /** Akaike information criterion on X: −2·log L + 2p. */
  aicOn(X: AnalysisMatrix): number;
}

/** What {@link gaussianMixture} returns: the model and its fit to the training samples. */
export interface GaussianMixtureResult extends GaussianMixtureModel {
  /** Most likely component of each training sample. */
  labels: Int32Array;
  /** Soft labels: posterior of each component, `n × k`. */
  responsibilities: DenseMatrix<Float64Array>;
  /** Total log-likelihood of the training samples under the returned model. */
  logLikelihood: number;
  /** scikit-learn's `lower_bound_`: mean log-likelihood at the last E-step of the best start. */
  lowerBound: number;
  bic: number;
  aic: number;
  /** Whether the best start stopped by `tol` (not by `maxIter`). */
  converged: boolean;
  /** EM iterations of the best start. */
  nIter: number;
}

interface Run {
  params: GaussianParameters;
  lowerBound: number;
  converged: boolean;
  nIter: number;
}

/**
 * Fits a Gaussian mixture by expectation–maximisation, as scikit-learn's `GaussianMixture`
 * (same E- and M-steps, regularisation, stopping rule and choice among starts, in float64):
 * from the same starting means, weights and precisions it gives the same log-likelihood and
 * responsibilities. Seeded and deterministic.
 *
 * ```ts
 * const gmm = gaussianMixture(X, { k: 4, covarianceType: 'diag', nInit: 5, seed: 1 });
 * gmm.labels; gmm.responsibilities; gmm.bic; gmm.predictProba(newX);
 * ```
 *
 * @param X `n × d` features, finite, n ≥ max(2, k).
 * @throws InvalidArgumentError for bad input, or when a covariance collapses (raise `regCovar`).
 */
export function gaussianMixture(
  X: AnalysisMatrix,
  options: GaussianMixtureOptions,
): GaussianMixtureResult {
  const fn = 'gaussianMixture';
  const x = analysisMatrix(fn, 'X', X, { minRows: 2 });
  const o = withDefaults(fn, DEFAULT_GAUSSIAN_MIXTURE_OPTIONS, options);
  checkInteger(fn, 'options.k', o.k, { min: 1 });
  checkEnoughSamples(fn, 'X', x.shape[0], o.k, `one per component, k = ${o.k}`);
  checkOneOf(fn, 'options.covarianceType', o.covarianceType, COVARIANCE_TYPES);
  checkInteger(fn, 'options.nInit', o.nInit, { min: 1 });
  checkInteger(fn, 'options.maxIter', o.maxIter, { min: 0 });
  checkPositive(fn, 'options.tol', o.tol, true);
  checkPositive(fn, 'options.regCovar', o.regCovar, true);
  checkNumber(fn, 'options.seed', o.seed);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    throw invalidArgument(fn, 'options.onProgress', 'a function', o.onProgress);
  const rng = createRng(o.seed);
  const starts = typeof o.init === 'object' ? 1 : o.nInit; // a given start is the same every time
  let best: Run | undefined;
  // The samples go into WebAssembly memory once per fit, not at every E-step.
  const triangular = o.covarianceType === 'full' || o.covarianceType === 'tied';
  const workspace = triangular
    ? logProbWorkspace(x, o.covarianceType === 'full' ? o.k : 1)
    : undefined;
  for (let init = 0; init < starts; init++) {
    const start = initialParameters(fn, x, o.k, o.covarianceType, o.regCovar, o.init, rng);
    const run = runEm(fn, x, start, o, workspace, (iteration, lowerBound) =>
      o.onProgress?.({ init, iteration, lowerBound }),
    );
    if (best === undefined || run.lowerBound > best.lowerBound) best = run;
  }
  return fitted(x, best!, workspace);
}

function runEm(
  fn: string,
  x: DenseMatrix,
  start: GaussianParameters,
  o: { maxIter: number; tol: number; regCovar: number },
  workspace: LogProbWorkspace | undefined,
  progress: (iteration: number, lowerBound: number) => void,
): Run {
  const [n] = x.shape;
  let params = start;
  let lowerBound = Number.NEGATIVE_INFINITY;
  for (let iteration = 1; iteration <= o.maxIter; iteration++) {
    const previous = lowerBound;
    const logResp = weightedLogProb(x, params, workspace);
    const norm = normaliseLogProb(logResp, n, params.k);
    for (let i = 0; i < logResp.length; i++) logResp[i] = Math.exp(logResp[i]!);
    params = estimateGaussian(fn, x, logResp, params.k, params.type, o.regCovar);
    lowerBound = mean(norm);
    progress(iteration, lowerBound);
    if (Math.abs(lowerBound - previous) < o.tol)
      return { params, lowerBound, converged: true, nIter: iteration };
  }
  return { params, lowerBound, converged: false, nIter: o.maxIter };
}

function mean(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

/** The model of fitted parameters (also used to score new samples). */
export function gaussianMixtureModel(params: GaussianParameters): GaussianMixtureModel {
  const { type, k, d } = params;
  const shape = covarianceShape(type, k, d);
  const input = (fn: string, X: AnalysisMatrix) => {
    const x = analysisMatrix(fn, 'X', X);
    if (x.shape[1] !== d) throw invalidArgument(fn, 'X', `${d} columns (features)`, x.shape);
    return x;
  };
  const posterior = (x: DenseMatrix) => {
    const resp = weightedLogProb(x, params);
    const norm = normaliseLogProb(resp, x.shape[0], k);
    return { resp, norm };
  };
  const criterion = (fn: string, X: AnalysisMatrix, perParameter: (n: number) => number) => {
    const x = input(fn, X);
    const logL = posterior(x).norm.reduce((a, b) => a + b, 0);
    return -2 * logL + parameterCount(type, k, d) * perParameter(x.shape[0]);
  };
  return {
    covarianceType: type,
    weights: params.weights,
    means: { data: params.means, shape: [k, d] },
    covariances: { data: params.covariances, shape },
    precisions: { data: precisionsOf(params), shape },
    predict: (X) => argmaxRows(posterior(input('predict', X)).resp, k),
    predictProba: (X) => {
      const x = input('predictProba', X);
      const { resp } = posterior(x);
      return { data: resp.map(Math.exp), shape: [x.shape[0], k] };
    },
    scoreSamples: (X) => posterior(input('scoreSamples', X)).norm,
    bicOn: (X) => criterion('bicOn', X, Math.log),
    aicOn: (X) => criterion('aicOn', X, () => 2),
  };
}

function argmaxRows(a: Float64Array, k: number): Int32Array {
  const out = new Int32Array(a.length / k);
  for (let s = 0; s < out.length; s++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (a[s * k + c]! > a[s * k + best]!) best = c;
    out[s] = best;
  }
  return out;
}

function fitted(
  x: DenseMatrix,
  run: Run,
  workspace: LogProbWorkspace | undefined,
): GaussianMixtureResult {
  const model = gaussianMixtureModel(run.params);
  const { k, type, d } = run.params;
  const n = x.shape[0];
  const resp = weightedLogProb(x, run.params, workspace);
  const norm = normaliseLogProb(resp, n, k);
  const logLikelihood = norm.reduce((a, b) => a + b, 0);
  const p = parameterCount(type, k, d);
  return {
    ...model,
    labels: argmaxRows(resp, k),
    responsibilities: { data: resp.map(Math.exp), shape: [n, k] },
    logLikelihood,
    lowerBound: run.lowerBound,
    bic: -2 * logLikelihood + p * Math.log(n),
    aic: -2 * logLikelihood + 2 * p,
    converged: run.converged,
    nIter: run.nIter,
  };
}
