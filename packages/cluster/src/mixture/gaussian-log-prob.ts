import type { DenseMatrix } from '../dense-matrix.js';
import { MAX_BLOCK } from '../metrics/pairwise-distance.js';
import { wasmDotBlock } from '../metrics/wasm/dot-block.js';
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
  const triangular = type === 'full' || type === 'tied';
  const simd = triangular ? mahalanobisSimd(x, p) : undefined;
  for (let c = 0; c < k; c++) {
    const q =
      simd?.[c] ?? (triangular ? mahalanobisTriangular(x, p, c) : mahalanobisDiagonal(x, p, c));
    const constant = -0.5 * d * LOG_2PI + logDet[c]! + Math.log(p.weights[c]!);
    for (let s = 0; s < n; s++) out[s * k + c] = constant - 0.5 * q[s]!;
  }
  return out;
}

/**
 * ‖x_s·U_c − μ_c·U_c‖² for every sample and component (full or tied), as scikit-learn computes
 * it: one product X·[U_1 … U_k] in WebAssembly SIMD blocks (the rows of each Uᵀ placed after
 * the samples), float64. Undefined where WebAssembly SIMD is missing.
 */
export function mahalanobisSimd(x: DenseMatrix, p: GaussianParameters): Float64Array[] | undefined {
  const [n, d] = x.shape;
  const { k, type, means, precisionsCholesky: u } = p;
  const mats = type === 'full' ? k : 1;
  const first = Math.ceil(n / 4) * 4; // the kernel wants column blocks on multiples of 4
  const rows = new Float64Array((first + mats * d) * d);
  rows.set(x.data);
  for (let m = 0; m < mats; m++)
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) rows[(first + m * d + j) * d + i] = u[m * d * d + i * d + j]!;
  const kernel = wasmDotBlock(rows, first + mats * d, d, MAX_BLOCK);
  if (kernel === undefined) return undefined;
  const muU = new Float64Array(k * d); // μ_c·U_c
  for (let c = 0; c < k; c++) {
    const o = type === 'full' ? c * d * d : 0;
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) muU[c * d + j]! += means[c * d + i]! * u[o + i * d + j]!;
  }
  const q = Array.from({ length: k }, () => new Float64Array(n));
  const cols = mats * d;
  for (let i0 = 0; i0 < n; i0 += MAX_BLOCK) {
    const i1 = Math.min(n, i0 + MAX_BLOCK);
    for (let j0 = 0; j0 < cols; j0 += MAX_BLOCK) {
      const j1 = Math.min(cols, j0 + MAX_BLOCK);
      const { view, stride } = kernel.run(i0, i1, first + j0, first + j1);
      for (let s = i0; s < i1; s++) {
        const row = (s - i0) * stride - j0;
        if (type === 'full') addSquaredFull(view, row, j0, j1, d, muU, q, s);
        else addSquaredTied(view, row, j0, j1, d, muU, q, s);
      }
    }
  }
  return q;
}

/**
 * Full: columns j0…j1 of sample s's product row hold x_s·U_m for components m = ⌊j/d⌋; adds
 * (x_s·U_m − μ_m·U_m)_j² to q_m(s), in column order.
 */
function addSquaredFull(
  view: Float64Array,
  row: number,
  j0: number,
  j1: number,
  d: number,
  muU: Float64Array,
  q: Float64Array[],
  s: number,
): void {
  for (let j = j0; j < j1; ) {
    const m = Math.floor(j / d);
    const end = Math.min(j1, (m + 1) * d);
    const qm = q[m]!;
    let acc = qm[s]!;
    for (; j < end; j++) {
      const y = view[row + j]! - muU[j]!;
      acc += y * y;
    }
    qm[s] = acc;
  }
}

/** Tied: one product x_s·U for all components; adds (x_s·U − μ_c·U)_j² to every q_c(s). */
function addSquaredTied(
  view: Float64Array,
  row: number,
  j0: number,
  j1: number,
  d: number,
  muU: Float64Array,
  q: Float64Array[],
  s: number,
): void {
  for (let c = 0; c < q.length; c++) {
    const qc = q[c]!;
    let acc = qc[s]!;
    for (let j = j0; j < j1; j++) {
      const y = view[row + j]! - muU[c * d + j]!;
      acc += y * y;
    }
    qc[s] = acc;
  }
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
export function mahalanobisTriangular(
  x: DenseMatrix,
  p: GaussianParameters,
  c: number,
): Float64Array {
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
