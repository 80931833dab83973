import type { DenseMatrix } from '../dense-matrix.js';
import {
  type CovarianceType,
  type GaussianParameters,
  precisionCholesky,
} from './gaussian-parameters.js';

/** scikit-learn adds 10·ε to each component's weight so that empty components stay finite. */
const EMPTY_GUARD = 10 * 2 ** -52;

/**
 * The M-step (scikit-learn's `_estimate_gaussian_parameters` and `_m_step`): weights, means and
 * regularised covariances from responsibilities `resp` (`n × k`), float64. Samples whose
 * responsibility is exactly 0 are skipped (they add nothing).
 */
export function estimateGaussian(
  fn: string,
  x: DenseMatrix,
  resp: Float64Array,
  k: number,
  type: CovarianceType,
  regCovar: number,
): GaussianParameters {
  const [n, d] = x.shape;
  const nk = new Float64Array(k).fill(EMPTY_GUARD);
  const means = new Float64Array(k * d);
  for (let s = 0; s < n; s++)
    for (let c = 0; c < k; c++) {
      const r = resp[s * k + c]!;
      if (r === 0) continue;
      nk[c]! += r;
      for (let j = 0; j < d; j++) means[c * d + j]! += r * x.data[s * d + j]!;
    }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j]! /= nk[c]!;
  const covariances = covariancesOf(x, resp, nk, means, type, regCovar);
  let total = 0;
  for (const v of nk) total += v;
  const weights = nk.map((v) => v / total);
  const precisionsCholesky = precisionCholesky(fn, type, covariances, k, d);
  return { type, k, d, weights, means, covariances, precisionsCholesky };
}

function covariancesOf(
  x: DenseMatrix,
  resp: Float64Array,
  nk: Float64Array,
  means: Float64Array,
  type: CovarianceType,
  reg: number,
): Float64Array {
  const [n, d] = x.shape;
  const k = nk.length;
  switch (type) {
    case 'full': {
      const cov = new Float64Array(k * d * d);
      const diff = new Float64Array(d);
      for (let c = 0; c < k; c++) {
        const o = c * d * d;
        for (let s = 0; s < n; s++) {
          const r = resp[s * k + c]!;
          if (r === 0) continue;
          for (let j = 0; j < d; j++) diff[j] = x.data[s * d + j]! - means[c * d + j]!;
          for (let i = 0; i < d; i++) {
            const ri = r * diff[i]!;
            for (let j = i; j < d; j++) cov[o + i * d + j]! += ri * diff[j]!;
          }
        }
        symmetrise(cov, o, d, nk[c]!, reg);
      }
      return cov;
    }
    case 'tied': {
      // Σ = (XᵀX − Σ_k n_k μ_k μ_kᵀ) / n, as scikit-learn.
      const cov = new Float64Array(d * d);
      for (let s = 0; s < n; s++)
        for (let i = 0; i < d; i++) {
          const xi = x.data[s * d + i]!;
          for (let j = i; j < d; j++) cov[i * d + j]! += xi * x.data[s * d + j]!;
        }
      let total = 0;
      for (let c = 0; c < k; c++) {
        total += nk[c]!;
        for (let i = 0; i < d; i++) {
          const mi = nk[c]! * means[c * d + i]!;
          for (let j = i; j < d; j++) cov[i * d + j]! -= mi * means[c * d + j]!;
        }
      }
      symmetrise(cov, 0, d, total, reg);
      return cov;
    }
    case 'diag':
    case 'spherical': {
      const v = new Float64Array(k * d);
      for (let c = 0; c < k; c++)
        for (let s = 0; s < n; s++) {
          const r = resp[s * k + c]!;
          if (r === 0) continue;
          for (let j = 0; j < d; j++)
            v[c * d + j]! += r * (x.data[s * d + j]! - means[c * d + j]!) ** 2;
        }
      for (let i = 0; i < v.length; i++) v[i] = v[i]! / nk[Math.floor(i / d)]! + reg;
      if (type === 'diag') return v;
      const sph = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += v[c * d + j]!;
        sph[c] = s / d;
      }
      return sph;
    }
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** Upper triangle / `scale` mirrored into the lower one, plus `reg` on the diagonal. */
function symmetrise(cov: Float64Array, o: number, d: number, scale: number, reg: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[o + i * d + j]! / scale;
      cov[o + i * d + j] = v;
      cov[o + j * d + i] = v;
    }
    cov[o + i * d + i]! += reg;
  }
}
