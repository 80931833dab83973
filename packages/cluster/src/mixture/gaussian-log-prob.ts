import type { DenseMatrix } from '../dense-matrix.js';
import { MAX_BLOCK } from '../metrics/pairwise-distance.js';
import { type WasmDotBlock, wasmDotBlock } from '../metrics/wasm/dot-block.js';
import { type GaussianParameters, logDetCholesky } from './gaussian-parameters.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * log(w_c) + log N(x_s | μ_c, Σ_c) for every sample s and component c (`n × k`, float64), as
 * scikit-learn's `_estimate_weighted_log_prob`. A {@link LogProbWorkspace} of `x` (one per fit)
 * saves copying the samples into WebAssembly memory at every E-step.
 */
export function weightedLogProb(
  x: DenseMatrix,
  p: GaussianParameters,
  workspace?: LogProbWorkspace,
): Float64Array {
  const [n, d] = x.shape;
  const { k, type } = p;
  const logDet = logDetCholesky(p);
  const out = new Float64Array(n * k);
  const triangular = type === 'full' || type === 'tied';
  const simd = triangular ? mahalanobisSimd(x, p, workspace) : undefined;
  for (let c = 0; c < k; c++) {
    const q =
      simd?.[c] ?? (triangular ? mahalanobisTriangular(x, p, c) : mahalanobisDiagonal(x, p, c));
    const constant = -0.5 * d * LOG_2PI + logDet[c]! + Math.log(p.weights[c]!);
    for (let s = 0; s < n; s++) out[s * k + c] = constant - 0.5 * q[s]!;
  }
  return out;
}

/** Columns of U per WebAssembly product (see {@link mahalanobisSimd}): a multiple of 4. */
const PIECE = 8;

/**
 * The samples of one fit in WebAssembly memory, followed by room for the columns of the
 * precision factors (`mats` triangular d × d matrices), which each E-step rewrites.
 */
export interface LogProbWorkspace {
  readonly x: DenseMatrix;
  readonly mats: number;
  /** Memory row of the first factor column (the samples take rows 0 … n − 1, padded to 4). */
  readonly first: number;
  readonly kernel: WasmDotBlock;
}

/**
 * A workspace for the E-steps of a fit of `x` with `mats` precision factors (k for full
 * covariances, 1 for tied); undefined where WebAssembly SIMD is missing.
 */
export function logProbWorkspace(x: DenseMatrix, mats: number): LogProbWorkspace | undefined {
  const [n, d] = x.shape;
  const first = Math.ceil(n / 4) * 4; // the kernel wants column blocks on multiples of 4
  const data = x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
  const kernel = wasmDotBlock(data, first + mats * d + 4, d, MAX_BLOCK);
  return kernel && { x, mats, first, kernel };
}

/**
 * ‖x_s·U_c − μ_c·U_c‖² for every sample and component (full or tied), as scikit-learn computes
 * it: the products X·[U_1 … U_k] in WebAssembly SIMD blocks, float64. U is upper triangular, so
 * columns j0…j1 of each U only meet the first j1 features: the columns go in pieces of
 * {@link PIECE}, each a product over the first j1 features only (about (1 + 8/d)/2 of the
 * work; the skipped terms are exact zeros, so the sums are the same). Undefined where WebAssembly SIMD
 * is missing.
 */
export function mahalanobisSimd(
  x: DenseMatrix,
  p: GaussianParameters,
  workspace?: LogProbWorkspace,
): Float64Array[] | undefined {
  const [n, d] = x.shape;
  const { k, type, means, precisionsCholesky: u } = p;
  const mats = type === 'full' ? k : 1;
  const ws = workspace?.x === x && workspace.mats === mats ? workspace : logProbWorkspace(x, mats);
  if (ws === undefined) return undefined;
  const muU = new Float64Array(k * d); // μ_c·U_c
  for (let c = 0; c < k; c++) {
    const o = type === 'full' ? c * d * d : 0;
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) muU[c * d + j]! += means[c * d + i]! * u[o + i * d + j]!;
  }
  writeFactorColumns(ws, u, d);
  const q = Array.from({ length: k }, () => new Float64Array(n));
  for (let j0 = 0; j0 < d; j0 += PIECE) addPiece(ws, p, muU, q, j0, Math.min(d, j0 + PIECE));
  return q;
}

/**
 * The columns of every factor U_m, each as a memory row (U_0j … U_jj, then zeros), piece by
 * piece: column j0 + c of U_m at row `first + j0·mats + m·cw + c`, so a piece's columns of all
 * factors are contiguous.
 */
function writeFactorColumns(ws: LogProbWorkspace, u: Float64Array, d: number): void {
  const { mats, first, kernel } = ws;
  const rows = new Float64Array(mats * PIECE * d);
  for (let j0 = 0; j0 < d; j0 += PIECE) {
    const cw = Math.min(d, j0 + PIECE) - j0;
    rows.fill(0);
    for (let m = 0; m < mats; m++)
      for (let c = 0; c < cw; c++)
        for (let i = 0; i <= j0 + c; i++)
          rows[(m * cw + c) * d + i] = u[m * d * d + i * d + j0 + c]!;
    kernel.setRows(first + j0 * mats, rows, mats * cw);
  }
}

/** Adds (x_s·U_m − μ_m·U_m)_j² for columns j0 ≤ j < j1 of every U_m to q. */
function addPiece(
  ws: LogProbWorkspace,
  p: GaussianParameters,
  muU: Float64Array,
  q: Float64Array[],
  j0: number,
  j1: number,
): void {
  const [n, d] = ws.x.shape;
  const cw = j1 - j0;
  const cols = ws.mats * cw;
  const start = ws.first + j0 * ws.mats;
  for (let i0 = 0; i0 < n; i0 += MAX_BLOCK) {
    const i1 = Math.min(n, i0 + MAX_BLOCK);
    for (let c0 = 0; c0 < cols; c0 += MAX_BLOCK) {
      const c1 = Math.min(cols, c0 + MAX_BLOCK);
      const { view, stride } = ws.kernel.runPrefix(j1, i0, i1, start + c0, start + c1);
      const block = { view, c0, c1, cw, j0, d, muU, q };
      for (let s = i0; s < i1; s++) {
        const row = (s - i0) * stride - c0;
        if (p.type === 'full') addSquaredFull(block, row, s);
        else addSquaredTied(block, row, s);
      }
    }
  }
}

/** One block of products: columns c0…c1 of a piece (`cw` columns per U, from column j0). */
interface PieceBlock {
  view: Float64Array;
  c0: number;
  c1: number;
  cw: number;
  j0: number;
  d: number;
  muU: Float64Array;
  q: Float64Array[];
}

/** Full: column c of sample s's row is column j0 + c mod cw of U_m, m = ⌊c/cw⌋; in column order. */
function addSquaredFull(b: PieceBlock, row: number, s: number): void {
  const { view, c1, cw, muU } = b;
  for (let c = b.c0; c < c1; ) {
    const m = Math.floor(c / cw);
    const end = Math.min(c1, (m + 1) * cw);
    const shift = m * b.d + b.j0 - m * cw; // muU index of column c
    const qm = b.q[m]!;
    let acc = qm[s]!;
    for (; c < end; c++) {
      const y = view[row + c]! - muU[c + shift]!;
      acc += y * y;
    }
    qm[s] = acc;
  }
}

/** Tied: one product x_s·U for all components; adds (x_s·U − μ_c·U)_j² to every q_c(s). */
function addSquaredTied(b: PieceBlock, row: number, s: number): void {
  const { view, c0, c1, muU } = b;
  for (let k = 0; k < b.q.length; k++) {
    const qk = b.q[k]!;
    const shift = k * b.d + b.j0;
    let acc = qk[s]!;
    for (let c = c0; c < c1; c++) {
      const y = view[row + c]! - muU[c + shift]!;
      acc += y * y;
    }
    qk[s] = acc;
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
