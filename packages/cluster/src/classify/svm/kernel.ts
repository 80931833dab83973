/** The kernels of the support vector classifier. */
export type SvmKernel = 'rbf' | 'linear';

/**
 * Kernel values of rows of a row-major float64 matrix: `K(x, y) = exp(−γ‖x − y‖²)` (RBF) or
 * `x·y` (linear). The squared norms are kept so an RBF value costs one dot product.
 */
export class KernelFunction {
  private readonly norms: Float64Array;

  constructor(
    readonly kernel: SvmKernel,
    readonly gamma: number,
    readonly data: Float64Array,
    readonly d: number,
  ) {
    const n = data.length / d;
    this.norms = new Float64Array(n);
    for (let i = 0; i < n; i++) this.norms[i] = dot(data, i * d, data, i * d, d);
  }

  /** `out[t] = K(row i, row rows[t])` for every t. */
  row(i: number, rows: Int32Array, out: Float32Array | Float64Array): void {
    const { data, d, norms, gamma } = this;
    const a = i * this.d;
    if (this.kernel === 'linear') {
      for (let t = 0; t < rows.length; t++) out[t] = dot(data, a, data, rows[t]! * d, d);
      return;
    }
    const ni = norms[i]!;
    for (let t = 0; t < rows.length; t++) {
      const j = rows[t]!;
      const sq = ni + norms[j]! - 2 * dot(data, a, data, j * d, d);
      out[t] = Math.exp(-gamma * Math.max(sq, 0));
    }
  }

  /** K(row i of this matrix, row j of `other`) given that row's squared norm. */
  against(i: number, other: Float64Array, offset: number, otherNorm: number): number {
    const v = dot(this.data, i * this.d, other, offset, this.d);
    if (this.kernel === 'linear') return v;
    const sq = this.norms[i]! + otherNorm - 2 * v;
    return Math.exp(-this.gamma * Math.max(sq, 0));
  }
}

/** Dot product of `d` values of `a` from `ia` and `b` from `ib` (unrolled by 4). */
export function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += a[ia + k]! * b[ib + k]!;
    s1 += a[ia + k + 1]! * b[ib + k + 1]!;
    s2 += a[ia + k + 2]! * b[ib + k + 2]!;
    s3 += a[ia + k + 3]! * b[ib + k + 3]!;
  }
  for (; k < d; k++) s0 += a[ia + k]! * b[ib + k]!;
  return s0 + s1 + s2 + s3;
}
