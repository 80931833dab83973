import type { DenseMatrix } from '../dense-matrix.js';
import { MAX_BLOCK } from '../metrics/pairwise-distance.js';
import { wasmDotBlock } from '../metrics/wasm/dot-block.js';
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
        if (scatterSimd(x, resp, k, c, means, cov)) {
          symmetrise(cov, c * d * d, d, nk[c]!, reg);
          continue;
        }
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

/** Rows of the covariance per product: bands along the diagonal skip most of the lower triangle. */
const BAND = 16;

/**
 * The upper triangle of Σ_s r_sc·(x_s − μ_c)(x_s − μ_c)ᵀ into `cov` (component c), as
 * scikit-learn's `np.dot(resp[:, c] * diffᵀ, diff)`: the d columns of r·diff and of diff, over
 * the samples with r ≠ 0 only, as rows of one WebAssembly SIMD dot-product block. False (nothing
 * written) where WebAssembly SIMD is missing.
 */
function scatterSimd(
  x: DenseMatrix,
  resp: Float64Array,
  k: number,
  c: number,
  means: Float64Array,
  cov: Float64Array,
): boolean {
  const [n, d] = x.shape;
  const members: number[] = [];
  for (let s = 0; s < n; s++) if (resp[s * k + c] !== 0) members.push(s);
  const m = members.length;
  if (m === 0) return true; // an empty component scatters nothing (the kernel wants m ≥ 1)
  const second = Math.ceil(d / 4) * 4; // the kernel wants column blocks on multiples of 4
  const rows = new Float64Array((second + d) * m); // rows 0…d−1: r·diff; second…: diff
  const mu = means.subarray(c * d, (c + 1) * d);
  for (let t = 0; t < m; t++) {
    const s = members[t]!;
    const r = resp[s * k + c]!;
    for (let j = 0; j < d; j++) {
      const v = x.data[s * d + j]! - mu[j]!;
      rows[j * m + t] = r * v;
      rows[(second + j) * m + t] = v;
    }
  }
  const kernel = wasmDotBlock(rows, second + d, m, MAX_BLOCK);
  if (kernel === undefined) return false;
  const o = c * d * d;
  for (let i0 = 0; i0 < d; i0 += BAND) {
    const i1 = Math.min(d, i0 + BAND);
    for (let j0 = i0; j0 < d; j0 += MAX_BLOCK) {
      const j1 = Math.min(d, j0 + MAX_BLOCK);
      const { view, stride } = kernel.run(i0, i1, second + j0, second + j1);
      for (let i = i0; i < i1; i++)
        for (let j = Math.max(i, j0); j < j1; j++)
          cov[o + i * d + j] = view[(i - i0) * stride + j - j0]!;
    }
  }
  return true;
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
