import { type KernelFunction, kernelBlock, rowNorms } from './kernel.js';

/** A binary C-SVC problem over some rows of the training matrix. */
export interface BinaryProblem {
  kernel: KernelFunction;
  /** The training rows of the problem. */
  rows: Int32Array;
  /** +1 or −1 per problem sample. */
  y: Int8Array;
  /** Upper bound of each sample's α: C times its class weight. */
  upper: Float64Array;
  /** Stopping tolerance on the maximal KKT violation (libsvm's eps). */
  tolerance: number;
  /** Kernel cache budget in bytes. */
  cacheBytes: number;
  maxIterations: number;
}

/** The dual solution: `f(x) = Σ α_t y_t K(x_t, x) − rho`. */
export interface BinarySolution {
  alpha: Float64Array;
  rho: number;
  iterations: number;
  converged: boolean;
}

const TAU = 1e-12;

/** Rows of Q computed per block when the whole matrix is built. */
const Q_BLOCK = 32;

/** The whole l × l matrix Q of a problem, float32: blocks on and above the diagonal, mirrored below. */
function fullQ(p: BinaryProblem): Float32Array {
  const { kernel, rows, y } = p;
  const l = rows.length;
  const d = kernel.d;
  const data = new Float64Array(l * d);
  for (let t = 0; t < l; t++)
    data.set(kernel.data.subarray(rows[t]! * d, (rows[t]! + 1) * d), t * d);
  const x = { data, norms: rowNorms(data, d) };
  const q = new Float32Array(l * l);
  const block = new Float64Array(Q_BLOCK * l);
  for (let t0 = 0; t0 < l; t0 += Q_BLOCK) {
    const t1 = Math.min(l, t0 + Q_BLOCK);
    const w = l - t0;
    kernelBlock(kernel.kernel, kernel.gamma, x, x, d, [t0, t1], [t0, l], block);
    for (let t = t0; t < t1; t++) {
      const yt = y[t]!;
      const at = (t - t0) * w - t0;
      for (let s = t0; s < l; s++) {
        const v = yt * y[s]! * block[at + s]!;
        q[t * l + s] = v;
        q[s * l + t] = v;
      }
    }
  }
  return q;
}

/**
 * Rows `Q_t = y_t y_s K(x_t, x_s)` in float32 (as libsvm). When the whole matrix fits the byte
 * budget it is computed up front by tiled blocks (about twice as fast per value as one row at
 * a time); otherwise rows are computed on demand, least recently used dropped first.
 */
class QCache {
  private readonly rows = new Map<number, Float32Array>();
  private readonly capacity: number;
  private readonly full: Float32Array | undefined;

  constructor(
    private readonly p: BinaryProblem,
    cacheBytes: number,
  ) {
    const l = p.rows.length;
    this.capacity = Math.max(2, Math.floor(cacheBytes / (4 * l)));
    if (this.capacity >= l) this.full = fullQ(p);
  }

  get(t: number): Float32Array {
    const l = this.p.rows.length;
    if (this.full) return this.full.subarray(t * l, (t + 1) * l);
    const hit = this.rows.get(t);
    if (hit) {
      this.rows.delete(t);
      this.rows.set(t, hit);
      return hit;
    }
    const { kernel, rows, y } = this.p;
    const out = new Float32Array(rows.length);
    kernel.row(rows[t]!, rows, out);
    const yt = y[t]!;
    for (let s = 0; s < out.length; s++) out[s]! *= yt * y[s]!;
    if (this.rows.size >= this.capacity) this.rows.delete(this.rows.keys().next().value!);
    this.rows.set(t, out);
    return out;
  }
}

/**
 * Solves the C-SVC dual `min ½αᵀQα − Σα, 0 ≤ α_t ≤ C_t, yᵀα = 0` by sequential minimal
 * optimisation with libsvm's second-order working-set selection (Fan, Chen & Lin 2005) and
 * its update and bias rules, without shrinking: the same iterates as libsvm up to rounding.
 */
export function solveBinary(p: BinaryProblem): BinarySolution {
  const l = p.rows.length;
  const { y, upper } = p;
  const q = new QCache(p, p.cacheBytes);
  const qd = new Float64Array(l);
  const diag = new Float64Array(1);
  for (let t = 0; t < l; t++) {
    p.kernel.row(p.rows[t]!, p.rows.subarray(t, t + 1), diag);
    qd[t] = diag[0]!;
  }
  const alpha = new Float64Array(l);
  const G = new Float64Array(l).fill(-1);
  let iterations = 0;
  let converged = false;
  while (iterations < p.maxIterations) {
    const pair = selectWorkingSet(G, alpha, y, upper, qd, q, p.tolerance);
    if (!pair) {
      converged = true;
      break;
    }
    iterations++;
    const [i, j] = pair;
    const Qi = q.get(i);
    const Qj = q.get(j);
    const [oldI, oldJ] = [alpha[i]!, alpha[j]!];
    updatePair(i, j, alpha, G, y, upper, qd, Qi[j]!);
    const dI = alpha[i]! - oldI;
    const dJ = alpha[j]! - oldJ;
    for (let t = 0; t < l; t++) G[t]! += Qi[t]! * dI + Qj[t]! * dJ;
  }
  return { alpha, rho: bias(G, alpha, y, upper), iterations, converged };
}

/** libsvm's WSS 2: i the maximal violator, j the best second-order gain; null when optimal. */
function selectWorkingSet(
  G: Float64Array,
  alpha: Float64Array,
  y: Int8Array,
  upper: Float64Array,
  qd: Float64Array,
  q: QCache,
  eps: number,
): [number, number] | null {
  const l = G.length;
  let gmax = Number.NEGATIVE_INFINITY;
  let gmax2 = Number.NEGATIVE_INFINITY;
  let iBest = -1;
  for (let t = 0; t < l; t++) {
    if (y[t] === 1) {
      if (alpha[t]! < upper[t]! && -G[t]! >= gmax) {
        gmax = -G[t]!;
        iBest = t;
      }
    } else if (alpha[t]! > 0 && G[t]! >= gmax) {
      gmax = G[t]!;
      iBest = t;
    }
  }
  if (iBest < 0) return null;
  const Qi = q.get(iBest);
  const yi = y[iBest]!;
  let jBest = -1;
  let objMin = Number.POSITIVE_INFINITY;
  for (let t = 0; t < l; t++) {
    let diff: number;
    let quad: number;
    if (y[t] === 1) {
      if (!(alpha[t]! > 0)) continue;
      if (G[t]! >= gmax2) gmax2 = G[t]!;
      diff = gmax + G[t]!;
      quad = qd[iBest]! + qd[t]! - 2 * yi * Qi[t]!;
    } else {
      if (!(alpha[t]! < upper[t]!)) continue;
      if (-G[t]! >= gmax2) gmax2 = -G[t]!;
      diff = gmax - G[t]!;
      quad = qd[iBest]! + qd[t]! + 2 * yi * Qi[t]!;
    }
    if (diff > 0) {
      const obj = -(diff * diff) / (quad > 0 ? quad : TAU);
      if (obj <= objMin) {
        objMin = obj;
        jBest = t;
      }
    }
  }
  if (gmax + gmax2 < eps || jBest < 0) return null;
  return [iBest, jBest];
}

/** libsvm's analytic two-variable update with clipping to the box [0, C_i] × [0, C_j]. */
function updatePair(
  i: number,
  j: number,
  a: Float64Array,
  G: Float64Array,
  y: Int8Array,
  upper: Float64Array,
  qd: Float64Array,
  Qij: number,
): void {
  const [Ci, Cj] = [upper[i]!, upper[j]!];
  if (y[i] !== y[j]) {
    const quad = qd[i]! + qd[j]! + 2 * Qij;
    const delta = (-G[i]! - G[j]!) / (quad > 0 ? quad : TAU);
    const diff = a[i]! - a[j]!;
    a[i]! += delta;
    a[j]! += delta;
    if (diff > 0) {
      if (a[j]! < 0) [a[j], a[i]] = [0, diff];
    } else if (a[i]! < 0) [a[i], a[j]] = [0, -diff];
    if (diff > Ci - Cj) {
      if (a[i]! > Ci) [a[i], a[j]] = [Ci, Ci - diff];
    } else if (a[j]! > Cj) [a[j], a[i]] = [Cj, Cj + diff];
  } else {
    const quad = qd[i]! + qd[j]! - 2 * Qij;
    const delta = (G[i]! - G[j]!) / (quad > 0 ? quad : TAU);
    const sum = a[i]! + a[j]!;
    a[i]! -= delta;
    a[j]! += delta;
    if (sum > Ci) {
      if (a[i]! > Ci) [a[i], a[j]] = [Ci, sum - Ci];
    } else if (a[j]! < 0) [a[j], a[i]] = [0, sum];
    if (sum > Cj) {
      if (a[j]! > Cj) [a[j], a[i]] = [Cj, sum - Cj];
    } else if (a[i]! < 0) [a[i], a[j]] = [0, sum];
  }
}

/** libsvm's rho: the mean of y_t G_t over free α, else the middle of the feasible interval. */
function bias(G: Float64Array, alpha: Float64Array, y: Int8Array, upper: Float64Array): number {
  let ub = Number.POSITIVE_INFINITY;
  let lb = Number.NEGATIVE_INFINITY;
  let free = 0;
  let sumFree = 0;
  for (let t = 0; t < G.length; t++) {
    const yG = y[t]! * G[t]!;
    const atUpper = alpha[t]! >= upper[t]!;
    const atLower = alpha[t]! <= 0;
    if ((atUpper && y[t] === -1) || (atLower && y[t] === 1)) ub = Math.min(ub, yG);
    else if (atUpper || atLower) lb = Math.max(lb, yG);
    else {
      free++;
      sumFree += yG;
    }
  }
  return free > 0 ? sumFree / free : (ub + lb) / 2;
}
