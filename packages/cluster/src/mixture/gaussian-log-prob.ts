import type { DenseMatrix } from '../dense-matrix.js';
import { type GaussianParameters, logDetCholesky } from './gaussian-parameters.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * log(w_c) + log N(x_s | μ_c, Σ_c) for every sample s and component c (`n × k`, float64), as
 * scikit-learn's `_estimate_weighted_log_prob`.
 */
export function weightedLogProb(x: DenseMatrix, p: GaussianParameters): Float64Array {
  const [n, d] = x.shape;
  const { k, type } = p;
  const logDet = logDetCholesky(p);
  const out = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const q =
      type === 'full' || type === 'tied'
        ? mahalanobisTriangular(x, p, c)
        : mahalanobisDiagonal(x, p, c);
    const constant = -0.5 * d * LOG_2PI + logDet[c]! + Math.log(p.weights[c]!);
    for (let s = 0; s < n; s++) out[s * k + c] = constant - 0.5 * q[s]!;
  }
  return out;
}

/** ‖(x_s − μ_c)·U‖² for every sample, diag or spherical precisions. */
function mahalanobisDiagonal(x: DenseMatrix, p: GaussianParameters, c: number): Float64Array {
  const [n, d] = x.shape;
  const u = p.precisionsCholesky;
  const q = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const scale = p.type === 'diag' ? u[c * d + j]! : u[c]!;
      sum += ((x.data[s * d + j]! - p.means[c * d + j]!) * scale) ** 2;
    }
    q[s] = sum;
  }
  return q;
}

/**
 * ‖(x_s − μ_c)·U‖² for every sample, U upper triangular (full or tied): y_j = Σ_{i ≤ j}
 * diff_i·U_ij as dot products with the rows of Uᵀ, four samples at a time (each row of Uᵀ
 * loaded once per four samples).
 */
function mahalanobisTriangular(x: DenseMatrix, p: GaussianParameters, c: number): Float64Array {
  const [n, d] = x.shape;
  const o = p.type === 'full' ? c * d * d : 0;
  const ut = new Float64Array(d * d); // Uᵀ: row j holds U_0j … U_jj
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) ut[j * d + i] = p.precisionsCholesky[o + i * d + j]!;
  const q = new Float64Array(n);
  const diff = new Float64Array(4 * d);
  for (let s0 = 0; s0 < n; s0 += 4) {
    const m = Math.min(4, n - s0);
    diff.fill(0);
    for (let r = 0; r < m; r++)
      for (let i = 0; i < d; i++) diff[r * d + i] = x.data[(s0 + r) * d + i]! - p.means[c * d + i]!;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    for (let j = 0; j < d; j++) {
      const row = j * d;
      let y0 = 0;
      let y1 = 0;
      let y2 = 0;
      let y3 = 0;
      for (let i = 0; i <= j; i++) {
        const v = ut[row + i]!;
        y0 += diff[i]! * v;
        y1 += diff[d + i]! * v;
        y2 += diff[2 * d + i]! * v;
        y3 += diff[3 * d + i]! * v;
      }
      q0 += y0 * y0;
      q1 += y1 * y1;
      q2 += y2 * y2;
      q3 += y3 * y3;
    }
    const qs = [q0, q1, q2, q3];
    for (let r = 0; r < m; r++) q[s0 + r] = qs[r]!;
  }
  return q;
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
