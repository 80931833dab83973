/**
 * Dense symmetric positive-definite helpers on row-major `d × d` float64 matrices, for the
 * Gaussian mixture's covariances (d is the number of features, small).
 */

/** Lower Cholesky factor L (A = L·Lᵀ) into a new array, or undefined when A is not positive definite. */
export function cholesky(a: Float64Array, d: number, offset = 0): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[offset + j * d + j]!;
    for (let k = 0; k < j; k++) s -= l[j * d + k]! * l[j * d + k]!;
    if (!(s > 0)) return undefined;
    const diag = Math.sqrt(s);
    l[j * d + j] = diag;
    for (let i = j + 1; i < d; i++) {
      let t = a[offset + i * d + j]!;
      for (let k = 0; k < j; k++) t -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = t / diag;
    }
  }
  return l;
}

/** L⁻ᵀ for a lower-triangular L: upper triangular U with U·Uᵀ = (L·Lᵀ)⁻¹. */
export function inverseTransposed(l: Float64Array, d: number): Float64Array {
  // Solve L·X = I column by column (forward substitution); U = Xᵀ, so U[j][i] = X[i][j].
  const u = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[i * d + k]! * u[c * d + k]!;
      u[c * d + i] = s / l[i * d + i]!;
    }
  }
  return u;
}

/** A⁻¹ of a symmetric positive-definite A (through its Cholesky factor), or undefined. */
export function inverseSpd(a: Float64Array, d: number, offset = 0): Float64Array | undefined {
  const l = cholesky(a, d, offset);
  if (l === undefined) return undefined;
  const u = inverseTransposed(l, d); // A⁻¹ = U·Uᵀ
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < d; k++) s += u[i * d + k]! * u[j * d + k]!;
      inv[i * d + j] = s;
      inv[j * d + i] = s;
    }
  return inv;
}
