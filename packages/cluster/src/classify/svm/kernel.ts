import { dot, dotBlock } from './dot-block.js';

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
    this.norms = rowNorms(data, d);
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
}

/** The kernel value from a dot product and the two rows' squared norms (γ unused when linear). */
export function kernelValue(
  rbf: boolean,
  gamma: number,
  ni: number,
  nj: number,
  dot: number,
): number {
  return rbf ? Math.exp(-gamma * Math.max(ni + nj - 2 * dot, 0)) : dot;
}

/** Squared norms of the rows of a row-major matrix with `d` columns. */
export function rowNorms(data: Float64Array, d: number): Float64Array {
  const out = new Float64Array(data.length / d);
  for (let i = 0; i < out.length; i++) out[i] = dot(data, i * d, data, i * d, d);
  return out;
}

/** A row-major matrix with its rows' squared norms, for {@link kernelBlock}. */
export interface NormedRows {
  data: Float64Array;
  norms: Float64Array;
}

/**
 * Kernel values of rows `rowsA` of `a` against rows `rowsB` of `b` into `out`, row-major
 * `(rowsA[1] − rowsA[0]) × (rowsB[1] − rowsB[0])`, by tiled dot products.
 */
export function kernelBlock(
  kernel: SvmKernel,
  gamma: number,
  a: NormedRows,
  b: NormedRows,
  d: number,
  rowsA: readonly [number, number],
  rowsB: readonly [number, number],
  out: Float64Array,
): void {
  dotBlock(a.data, b.data, d, rowsA, rowsB, out);
  if (kernel === 'linear') return;
  const w = rowsB[1] - rowsB[0];
  for (let i = rowsA[0]; i < rowsA[1]; i++) {
    const ni = a.norms[i]!;
    const at = (i - rowsA[0]) * w;
    for (let t = 0; t < w; t++) {
      const sq = ni + b.norms[rowsB[0] + t]! - 2 * out[at + t]!;
      out[at + t] = Math.exp(-gamma * Math.max(sq, 0));
    }
  }
}
