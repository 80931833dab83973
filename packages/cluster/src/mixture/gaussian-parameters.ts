import { InvalidArgumentError } from '@cellshape/core';
import { cholesky, inverseTransposed } from './cholesky.js';

/**
 * Shapes of the covariance of a Gaussian mixture (scikit-learn's `covariance_type`): `'full'`
 * one d × d matrix per component, `'tied'` one d × d matrix shared by all, `'diag'` one
 * variance per component and feature, `'spherical'` one variance per component.
 */
export type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';

export const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/**
 * The parameters of a Gaussian mixture, row-major float64. `covariances` and `precisionsCholesky`
 * share a layout: full `k × d × d`, tied `d × d`, diag `k × d`, spherical `k`. For full and tied
 * `precisionsCholesky` holds the upper-triangular U = L⁻ᵀ of the covariance's Cholesky factor L
 * (precision = U·Uᵀ); for diag and spherical 1/√variance.
 */
export interface GaussianParameters {
  type: CovarianceType;
  k: number;
  d: number;
  weights: Float64Array;
  means: Float64Array;
  covariances: Float64Array;
  precisionsCholesky: Float64Array;
}

/** The shape of the covariance (and precision) array of each covariance type. */
export function covarianceShape(type: CovarianceType, k: number, d: number): number[] {
  switch (type) {
    case 'full':
      return [k, d, d];
    case 'tied':
      return [d, d];
    case 'diag':
      return [k, d];
    case 'spherical':
      return [k];
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** Free parameters of the model (scikit-learn's `_n_parameters`), for BIC and AIC. */
export function parameterCount(type: CovarianceType, k: number, d: number): number {
  const cov = { full: (k * d * (d + 1)) / 2, tied: (d * (d + 1)) / 2, diag: k * d, spherical: k }[
    type
  ];
  return cov + k * d + k - 1;
}

/**
 * `precisionsCholesky` from `covariances` (scikit-learn's `_compute_precision_cholesky`).
 *
 * @throws InvalidArgumentError when a covariance is not positive definite, naming `regCovar`.
 */
export function precisionCholesky(
  fn: string,
  type: CovarianceType,
  cov: Float64Array,
  k: number,
  d: number,
): Float64Array {
  const fail = (component: string) =>
    new InvalidArgumentError(
      `${fn}: the covariance of ${component} is not positive definite (a collapsed or ` +
        `single-sample component); increase 'options.regCovar' or use fewer components`,
      { fn, arg: 'options.regCovar' },
    );
  if (type === 'diag' || type === 'spherical') {
    const out = new Float64Array(cov.length);
    cov.forEach((v, i) => {
      if (!(v > 0)) throw fail(`component ${type === 'diag' ? Math.floor(i / d) : i}`);
      out[i] = 1 / Math.sqrt(v);
    });
    return out;
  }
  const mats = type === 'full' ? k : 1;
  const out = new Float64Array(mats * d * d);
  for (let c = 0; c < mats; c++) {
    const l = cholesky(cov, d, c * d * d);
    if (l === undefined) throw fail(type === 'full' ? `component ${c}` : 'the tied covariance');
    out.set(inverseTransposed(l, d), c * d * d);
  }
  return out;
}

/** log det of each component's precision Cholesky factor (scikit-learn's `_compute_log_det_cholesky`). */
export function logDetCholesky(p: GaussianParameters): Float64Array {
  const { type, k, d, precisionsCholesky: u } = p;
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    switch (type) {
      case 'full':
        for (let j = 0; j < d; j++) s += Math.log(u[c * d * d + j * d + j]!);
        break;
      case 'tied':
        for (let j = 0; j < d; j++) s += Math.log(u[j * d + j]!);
        break;
      case 'diag':
        for (let j = 0; j < d; j++) s += Math.log(u[c * d + j]!);
        break;
      case 'spherical':
        s = d * Math.log(u[c]!);
        break;
      default: {
        const never: never = type;
        return never;
      }
    }
    out[c] = s;
  }
  return out;
}

/** The precisions (inverse covariances) in the layout of `covariances` (scikit-learn's `precisions_`). */
export function precisionsOf(p: GaussianParameters): Float64Array {
  const { type, k, d, precisionsCholesky: u } = p;
  if (type === 'diag' || type === 'spherical') return u.map((v) => v * v);
  const mats = type === 'full' ? k : 1;
  const out = new Float64Array(mats * d * d);
  for (let c = 0; c < mats; c++) {
    const o = c * d * d;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let t = Math.max(i, j); t < d; t++) s += u[o + i * d + t]! * u[o + j * d + t]!;
        out[o + i * d + j] = s;
        out[o + j * d + i] = s;
      }
  }
  return out;
}
