import type { DenseMatrix } from '../dense-matrix.js';
import { type GaussianParameters, logDetCholesky } from './gaussian-parameters.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * log(w_c) + log N(x_s | μ_c, Σ_c) for every sample s and component c (`n × k`, float64), as
 * scikit-learn's `_estimate_weighted_log_prob`.
 */
export function weightedLogProb(x: DenseMatrix, p: GaussianParameters): Float64Array {
  const [n, d] = x.shape;
  const { k, type, means, precisionsCholesky: u } = p;
  const logDet = logDetCholesky(p);
  const out = new Float64Array(n * k);
  const diff = new Float64Array(d);
  const y = new Float64Array(d);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) diff[j] = x.data[s * d + j]! - means[c * d + j]!;
      let q = 0;
      switch (type) {
        case 'full':
        case 'tied': {
          // y = diff · U (U upper triangular): y_j = Σ_{i ≤ j} diff_i U_ij.
          const o = type === 'full' ? c * d * d : 0;
          y.fill(0);
          for (let i = 0; i < d; i++) {
            const di = diff[i]!;
            const row = o + i * d;
            for (let j = i; j < d; j++) y[j]! += di * u[row + j]!;
          }
          for (let j = 0; j < d; j++) q += y[j]! * y[j]!;
          break;
        }
        case 'diag':
          for (let j = 0; j < d; j++) q += (diff[j]! * u[c * d + j]!) ** 2;
          break;
        case 'spherical': {
          for (let j = 0; j < d; j++) q += diff[j]! * diff[j]!;
          q *= u[c]! * u[c]!;
          break;
        }
        default: {
          const never: never = type;
          return never;
        }
      }
      out[s * k + c] = -0.5 * (d * LOG_2PI + q) + logDet[c]! + Math.log(p.weights[c]!);
    }
  }
  return out;
}

/**
 * Turns weighted log-probabilities (`n × k`) into log-responsibilities in place and returns
 * the per-sample log-likelihood log Σ_c exp(·) (logsumexp).
 */
export function normaliseLogProb(logProb: Float64Array, n: number, k: number): Float64Array {
  const norm = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) max = Math.max(max, logProb[s * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logProb[s * k + c]! - max);
    const lse = max + Math.log(sum);
    norm[s] = lse;
    for (let c = 0; c < k; c++) logProb[s * k + c]! -= lse;
  }
  return norm;
}
