import {
  checkPositive,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';

/** Options of {@link softAssignment}. */
export interface SoftAssignmentOptions {
  /** Degrees of freedom α of the Student-t kernel (> 0). Default 1 (as DEC and cellshape). */
  alpha?: number;
}

/** Defaults of {@link SoftAssignmentOptions}. */
export const DEFAULT_SOFT_ASSIGNMENT_OPTIONS: Readonly<Required<SoftAssignmentOptions>> = {
  alpha: 1,
};

/** Validates α (shared with the tfjs ops and the clustering layer). */
export function checkAlpha(fn: string, alpha: unknown): number {
  return checkPositive(fn, 'alpha', alpha);
}

/**
 * Student-t soft assignment of cells to cluster centres (DEC, eq. 2 of the cellshape paper):
 * `q_ij ∝ (1 + ‖z_i − μ_j‖² / α)^(−(α+1)/2)`, normalised over the clusters j, computed in
 * float64 in the log domain (no underflow for far points).
 *
 * @param features `z`, `n × F` (one row per cell).
 * @param centres `μ`, `K × F`.
 * @returns `q`, `n × K`, rows sum to 1 — the 3D quantitative morphological signature (3DQMS)
 *   of each cell.
 */
export function softAssignment(
  features: DenseMatrix,
  centres: DenseMatrix,
  options?: SoftAssignmentOptions,
): DenseMatrix<Float64Array> {
  const fn = 'softAssignment';
  checkMatrix(fn, 'features', features);
  const f = features.shape[1];
  checkMatrix(fn, 'centres', centres, { cols: f });
  const { alpha } = withDefaults(fn, DEFAULT_SOFT_ASSIGNMENT_OPTIONS, options);
  checkAlpha(fn, alpha);
  const [n] = features.shape;
  const k = centres.shape[0];
  const power = (alpha + 1) / 2;
  const z = features.data;
  const mu = centres.data;
  const q = new Float64Array(n * k);
  const logKern = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) {
      let d2 = 0;
      for (let c = 0; c < f; c++) {
        const d = z[i * f + c]! - mu[j * f + c]!;
        d2 += d * d;
      }
      const v = -power * Math.log1p(d2 / alpha);
      logKern[j] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logKern[j]! - max);
    for (let j = 0; j < k; j++) q[i * k + j] = Math.exp(logKern[j]! - max) / sum;
  }
  return { data: q, shape: [n, k] };
}

/** Validates a soft-assignment matrix: finite, ≥ 0, rows summing to 1 (within 1e-4). */
export function checkAssignment(fn: string, arg: string, q: DenseMatrix, rows?: number): void {
  checkMatrix(fn, arg, q, rows === undefined ? {} : { rows });
  const [n, k] = q.shape;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = q.data[i * k + j]!;
      if (v < 0)
        throw new InvalidArgumentError(`${fn}: '${arg}' must be ≥ 0, got ${v} at row ${i}`, {
          fn,
          arg,
        });
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-4) {
      throw new InvalidArgumentError(
        `${fn}: the rows of '${arg}' must sum to 1 (a soft assignment), row ${i} sums to ${sum}`,
        { fn, arg },
      );
    }
  }
}

/**
 * The DEC target distribution (eq. 3 of the cellshape paper):
 * `p_ij = (q_ij² / f_j) / Σ_j' (q_ij'² / f_j')` with cluster frequencies `f_j = Σ_i q_ij` over
 * all rows given. Squaring sharpens confident assignments; dividing by `f_j` keeps large
 * clusters from taking over.
 *
 * @param q soft assignment, `n × K`, rows summing to 1.
 * @returns `p`, `n × K` (float64), rows summing to 1.
 */
export function targetDistribution(q: DenseMatrix): DenseMatrix<Float64Array> {
  const fn = 'targetDistribution';
  checkAssignment(fn, 'q', q);
  const [n, k] = q.shape;
  const freq = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) freq[j]! += q.data[i * k + j]!;
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = q.data[i * k + j]!;
      // A cluster no cell belongs to at all (f_j = 0) gets no target mass.
      const w = freq[j]! > 0 ? (v * v) / freq[j]! : 0;
      p[i * k + j] = w;
      sum += w;
    }
    for (let j = 0; j < k; j++) p[i * k + j]! /= sum;
  }
  return { data: p, shape: [n, k] };
}

/**
 * `KL(P‖Q)` as PyTorch's `KLDivLoss(reduction='batchmean')(log q, p)`:
 * `Σ_ij p_ij (log p_ij − log q_ij) / n`, where terms with `p_ij = 0` count 0. Returns
 * `Infinity` when some `q_ij = 0` has `p_ij > 0`.
 *
 * @param p target distribution, `n × K`.
 * @param q soft assignment, `n × K`.
 */
export function klDivergence(p: DenseMatrix, q: DenseMatrix): number {
  const fn = 'klDivergence';
  checkAssignment(fn, 'p', p);
  checkAssignment(fn, 'q', q, p.shape[0]);
  if (q.shape[1] !== p.shape[1])
    throw invalidArgument(fn, 'q', `to have the shape of 'p' ${JSON.stringify(p.shape)}`, q.shape);
  let total = 0;
  for (let i = 0; i < p.data.length; i++) {
    const pv = p.data[i]!;
    if (pv > 0) total += pv * (Math.log(pv) - Math.log(q.data[i]!));
  }
  return total / p.shape[0];
}

/** The hard cluster label of each row: the index of its largest entry (first on ties). */
export function hardLabels(q: DenseMatrix): Int32Array {
  const fn = 'hardLabels';
  checkMatrix(fn, 'q', q);
  const [n, k] = q.shape;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (q.data[i * k + j]! > q.data[i * k + best]!) best = j;
    labels[i] = best;
  }
  return labels;
}

/**
 * The share (0–1) of cells whose hard label differs between two labelings of the same cells
 * in the same order — the IDEC stopping criterion δ.
 */
export function labelChangeShare(previous: ArrayLike<number>, current: ArrayLike<number>): number {
  const fn = 'labelChangeShare';
  const isArray = (v: unknown) =>
    Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (!isArray(previous)) throw invalidArgument(fn, 'previous', 'an array of labels', previous);
  if (!isArray(current)) throw invalidArgument(fn, 'current', 'an array of labels', current);
  if (previous.length !== current.length || previous.length === 0) {
    throw invalidArgument(
      fn,
      'current',
      `a non-empty array as long as 'previous' (${previous.length})`,
      `length ${current.length}`,
    );
  }
  let changed = 0;
  for (let i = 0; i < previous.length; i++) if (previous[i] !== current[i]) changed++;
  return changed / previous.length;
}
