import { type WasmDotBlock, wasmDotBlock } from '../../metrics/wasm/dot-block.js';
import { type KernelFunction, kernelBlock, kernelValue, rowNorms } from './kernel.js';

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
  /** Compute the kernel matrix with the WebAssembly SIMD dot products where available. */
  simd: boolean;
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

/** The whole l × l kernel matrix of a problem, float32: blocks on and above the diagonal, mirrored below. */
function fullKernel(p: BinaryProblem): Float32Array {
  const { kernel, rows } = p;
  const l = rows.length;
  const d = kernel.d;
  const data = new Float64Array(l * d);
  for (let t = 0; t < l; t++)
    data.set(kernel.data.subarray(rows[t]! * d, (rows[t]! + 1) * d), t * d);
  const x = { data, norms: rowNorms(data, d) };
  const q = new Float32Array(l * l);
  const simd = p.simd ? wasmDotBlock(data, l, d, SIMD_BLOCK) : undefined;
  if (simd) {
    fullKernelSimd(kernel, x.norms, simd, l, q);
    return q;
  }
  const block = new Float64Array(Q_BLOCK * l);
  for (let t0 = 0; t0 < l; t0 += Q_BLOCK) {
    const t1 = Math.min(l, t0 + Q_BLOCK);
    const w = l - t0;
    kernelBlock(kernel.kernel, kernel.gamma, x, x, d, [t0, t1], [t0, l], block);
    for (let t = t0; t < t1; t++) q.set(block.subarray((t - t0) * w, (t - t0 + 1) * w), t * l + t0);
    // Mirror below the diagonal, row by row so that the writes are contiguous.
    for (let r = t1; r < l; r++)
      for (let t = t0; t < t1; t++) q[r * l + t] = block[(t - t0) * w + (r - t0)]!;
  }
  return q;
}

/** Square blocks of the SIMD path (a multiple of 4, as the WebAssembly kernel needs). */
const SIMD_BLOCK = 256;

/** {@link fullKernel} from the WebAssembly SIMD dot products, block by block on and above the diagonal. */
function fullKernelSimd(
  kernel: KernelFunction,
  norms: Float64Array,
  simd: WasmDotBlock,
  l: number,
  q: Float32Array,
): void {
  const rbf = kernel.kernel === 'rbf';
  const g = kernel.gamma;
  for (let t0 = 0; t0 < l; t0 += SIMD_BLOCK) {
    const t1 = Math.min(l, t0 + SIMD_BLOCK);
    for (let s0 = t0; s0 < l; s0 += SIMD_BLOCK) {
      const s1 = Math.min(l, s0 + SIMD_BLOCK);
      const { view, stride } = simd.run(t0, t1, s0, s1);
      for (let t = t0; t < t1; t++) {
        const at = (t - t0) * stride - s0;
        const nt = norms[t]!;
        for (let s = s0; s < s1; s++)
          q[t * l + s] = kernelValue(rbf, g, nt, norms[s]!, view[at + s]!);
      }
      if (s0 === t0) continue;
      for (let s = s0; s < s1; s++) for (let t = t0; t < t1; t++) q[s * l + t] = q[t * l + s]!;
    }
  }
  // The diagonal blocks computed both triangles already.
}

/**
 * Kernel rows `K_t = K(x_t, ·)` of a problem in float32 (libsvm keeps Q = y y K in float32; the
 * solver below works with K and y·G, which needs no signs in its scans). When the whole matrix
 * fits the byte budget it is computed up front by tiled blocks (about twice as fast per value
 * as one row at a time); otherwise rows are computed on demand, least recently used dropped
 * first.
 */
class KernelCache {
  private readonly rows = new Map<number, Float32Array>();
  private readonly capacity: number;
  private readonly full: Float32Array | undefined;

  constructor(
    private readonly p: BinaryProblem,
    cacheBytes: number,
  ) {
    const l = p.rows.length;
    this.capacity = Math.max(2, Math.floor(cacheBytes / (4 * l)));
    if (this.capacity >= l) this.full = fullKernel(p);
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
    const out = new Float32Array(l);
    this.p.kernel.row(this.p.rows[t]!, this.p.rows, out);
    if (this.rows.size >= this.capacity) this.rows.delete(this.rows.keys().next().value!);
    this.rows.set(t, out);
    return out;
  }
}

/** The state of the dual: α, y_t·G_t (G the gradient) and which α may still go up or down. */
interface DualState {
  alpha: Float64Array;
  yG: Float64Array;
  /** t ∈ I_up (libsvm: y = +1 below C, or y = −1 above 0): −y_t G_t is a candidate for i. */
  up: Uint8Array;
  /** t ∈ I_low: candidates for j. */
  low: Uint8Array;
}

function setBounds(s: DualState, t: number, y: Int8Array, upper: Float64Array): void {
  const belowC = s.alpha[t]! < upper[t]! ? 1 : 0;
  const above0 = s.alpha[t]! > 0 ? 1 : 0;
  s.up[t] = y[t] === 1 ? belowC : above0;
  s.low[t] = y[t] === 1 ? above0 : belowC;
}

/**
 * Solves the C-SVC dual `min ½αᵀQα − Σα, 0 ≤ α_t ≤ C_t, yᵀα = 0` (Q = y yᵀ ∘ K) by
 * sequential minimal optimisation with libsvm's second-order working-set selection (Fan, Chen
 * & Lin 2005) and its update and bias rules, without shrinking: the same iterates as libsvm up
 * to rounding. The gradient update and the search for the next i share one pass.
 */
export function solveBinary(p: BinaryProblem): BinarySolution {
  const l = p.rows.length;
  const { y, upper } = p;
  const cache = new KernelCache(p, p.cacheBytes);
  const kd = new Float64Array(l);
  for (let t = 0; t < l; t++) {
    p.kernel.row(p.rows[t]!, p.rows.subarray(t, t + 1), kd.subarray(t, t + 1));
  }
  const s: DualState = {
    alpha: new Float64Array(l),
    yG: Float64Array.from(y, (v) => -v), // G = −1 at α = 0
    up: new Uint8Array(l),
    low: new Uint8Array(l),
  };
  for (let t = 0; t < l; t++) setBounds(s, t, y, upper);
  const violation = new Float64Array(1);
  const none = new Float32Array(l);
  let i = updateGradient(s, none, none, 0, 0, violation);
  let gmax = violation[0]!;
  let iterations = 0;
  let converged = false;
  while (iterations < p.maxIterations) {
    const Ki = i >= 0 ? cache.get(i) : undefined;
    const j = Ki ? secondIndex(s, i, gmax, Ki, kd, p.tolerance) : -1;
    if (!Ki || j < 0) {
      converged = true;
      break;
    }
    iterations++;
    const Kj = cache.get(j);
    const oldI = s.alpha[i]!;
    const oldJ = s.alpha[j]!;
    updatePair(
      i,
      j,
      s.alpha,
      y[i]! * s.yG[i]!,
      y[j]! * s.yG[j]!,
      y,
      upper,
      kd,
      y[i]! * y[j]! * Ki[j]!,
    );
    setBounds(s, i, y, upper);
    setBounds(s, j, y, upper);
    const ci = y[i]! * (s.alpha[i]! - oldI);
    const cj = y[j]! * (s.alpha[j]! - oldJ);
    i = updateGradient(s, Ki, Kj, ci, cj, violation);
    gmax = violation[0]!;
  }
  return { alpha: s.alpha, rho: bias(s), iterations, converged };
}

/**
 * Adds `Ki·ci + Kj·cj` to y·G (the gradient update after a pair step) and returns libsvm's next maximal violator i = argmax over I_up of −y_t G_t,
 * writing its value to `gmax[0]` (−∞ and −1 when I_up is empty).
 */
function updateGradient(
  s: DualState,
  Ki: Float32Array,
  Kj: Float32Array,
  ci: number,
  cj: number,
  gmax: Float64Array,
): number {
  const { yG, up } = s;
  let best = Number.NEGATIVE_INFINITY;
  let i = -1;
  for (let t = 0; t < yG.length; t++) {
    const v = yG[t]! + Ki[t]! * ci + Kj[t]! * cj;
    yG[t] = v;
    if (up[t] === 1 && -v >= best) {
      best = -v;
      i = t;
    }
  }
  gmax[0] = best;
  return i;
}

/**
 * libsvm's WSS 2, second half: j in I_low with the largest second-order decrease of the
 * objective; −1 when the maximal KKT violation `gmax + max y_t G_t` is below `eps` (optimal).
 */
function secondIndex(
  s: DualState,
  i: number,
  gmax: number,
  Ki: Float32Array,
  kd: Float64Array,
  eps: number,
): number {
  const { yG, low } = s;
  const kii = kd[i]!;
  let gmax2 = Number.NEGATIVE_INFINITY;
  let j = -1;
  let objMin = Number.POSITIVE_INFINITY;
  for (let t = 0; t < yG.length; t++) {
    if (low[t] !== 1) continue;
    const v = yG[t]!;
    if (v >= gmax2) gmax2 = v;
    const diff = gmax + v;
    if (diff > 0) {
      const quad = kii + kd[t]! - 2 * Ki[t]!;
      const obj = -(diff * diff) / (quad > 0 ? quad : TAU);
      if (obj <= objMin) {
        objMin = obj;
        j = t;
      }
    }
  }
  return gmax + gmax2 < eps ? -1 : j;
}

/** libsvm's analytic two-variable update with clipping to the box [0, C_i] × [0, C_j]. */
function updatePair(
  i: number,
  j: number,
  a: Float64Array,
  Gi: number,
  Gj: number,
  y: Int8Array,
  upper: Float64Array,
  qd: Float64Array,
  Qij: number,
): void {
  const [Ci, Cj] = [upper[i]!, upper[j]!];
  if (y[i] !== y[j]) {
    const quad = qd[i]! + qd[j]! + 2 * Qij;
    const delta = (-Gi - Gj) / (quad > 0 ? quad : TAU);
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
    const delta = (Gi - Gj) / (quad > 0 ? quad : TAU);
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
function bias(s: DualState): number {
  let ub = Number.POSITIVE_INFINITY;
  let lb = Number.NEGATIVE_INFINITY;
  let free = 0;
  let sumFree = 0;
  for (let t = 0; t < s.yG.length; t++) {
    const yG = s.yG[t]!;
    const isFree = s.up[t] === 1 && s.low[t] === 1;
    if (isFree) {
      free++;
      sumFree += yG;
    } else if (s.up[t] === 1)
      ub = Math.min(ub, yG); // at the bound that lets y_t G_t only fall
    else lb = Math.max(lb, yG);
  }
  return free > 0 ? sumFree / free : (ub + lb) / 2;
}
