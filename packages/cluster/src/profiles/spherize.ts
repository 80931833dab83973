import { InvalidArgumentError } from '@cellshape/core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { DenseMatrix } from '../dense-matrix.js';

/** A fitted whitening: `out = ((x − mean) / scale) · W`, with `W` `F × F` row-major. */
export interface SpherizeFit {
  mean: Float64Array;
  scale: Float64Array;
  w: Float64Array;
}

/**
 * Fits ZCA-cor whitening on the rows `rows` of `m`, as pycytominer's
 * `Spherize(method='ZCA-cor', center=True, epsilon)`: standardise every feature (population
 * std), take the SVD Z = U S Vᵀ of the standardised rows and set W = V diag(√(n−1)/(S+ε)) Vᵀ, so
 * the reference rows come out with (nearly) identity covariance while staying as close as
 * possible to the standardised features (ZCA rotates back; PCA whitening would not). S comes
 * from the eigenvalues of ZᵀZ. `where` names the batch in errors.
 *
 * @throws InvalidArgumentError when a feature is constant in the reference rows, or the
 *   standardised reference rows are not of full rank `F` (fewer than `F + 1` rows, or linearly
 *   dependent features) — whitening is then undefined, as in pycytominer.
 */
export function fitSpherize(
  fn: string,
  m: DenseMatrix,
  rows: readonly number[],
  epsilon: number,
  where: string,
): SpherizeFit {
  const f = m.shape[1];
  const n = rows.length;
  const mean = new Float64Array(f);
  const scale = new Float64Array(f);
  for (let c = 0; c < f; c++) {
    let s = 0;
    for (const i of rows) s += m.data[i * f + c]!;
    mean[c] = s / n;
    let ss = 0;
    for (const i of rows) ss += (m.data[i * f + c]! - mean[c]!) ** 2;
    scale[c] = Math.sqrt(ss / n);
    if (!(scale[c]! > 0))
      throw new InvalidArgumentError(
        `${fn}: feature ${c} is constant in the reference rows of ${where}; spherize needs every feature to vary (drop it first, e.g. selectFeatures with 'variance_threshold')`,
        { fn, arg: 'x' },
      );
  }
  if (n <= f)
    throw new InvalidArgumentError(
      `${fn}: spherize needs more reference rows than features, ${where} has ${n} rows for ${f} features (select fewer features or use more reference rows)`,
      { fn, arg: 'options.reference' },
    );
  const gram = new Matrix(f, f);
  for (const i of rows) {
    for (let a = 0; a < f; a++) {
      const za = (m.data[i * f + a]! - mean[a]!) / scale[a]!;
      for (let b = a; b < f; b++)
        gram.set(a, b, gram.get(a, b) + za * ((m.data[i * f + b]! - mean[b]!) / scale[b]!));
    }
  }
  for (let a = 0; a < f; a++) for (let b = 0; b < a; b++) gram.set(a, b, gram.get(b, a));
  const evd = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const v = evd.eigenvectorMatrix;
  const top = Math.max(...lambda);
  // Rank from the Gram matrix: its eigenvalues are exact only to ~ε·λmax, so a condition number
  // above 1e12 (singular values apart by 1e6) counts as rank-deficient.
  if (Math.min(...lambda) <= top * 1e-12)
    throw new InvalidArgumentError(
      `${fn}: the reference rows of ${where} are not of full rank (linearly dependent features); spherize is undefined — remove dependent features first (selectFeatures with 'correlation_threshold')`,
      { fn, arg: 'x' },
    );
  const sigma = lambda.map((l) => Math.sqrt(l));
  const w = new Float64Array(f * f);
  const gain = sigma.map((s) => Math.sqrt(n - 1) / (s + epsilon));
  for (let a = 0; a < f; a++)
    for (let b = 0; b < f; b++) {
      let s = 0;
      for (let k = 0; k < f; k++) s += v.get(a, k) * gain[k]! * v.get(b, k);
      w[a * f + b] = s;
    }
  return { mean, scale, w };
}

/** Applies a {@link SpherizeFit} to the rows `rows` of `m`, writing them into `out`. */
export function applySpherize(
  fit: SpherizeFit,
  m: DenseMatrix,
  rows: readonly number[],
  out: Float64Array,
): void {
  const f = m.shape[1];
  const z = new Float64Array(f);
  for (const i of rows) {
    for (let c = 0; c < f; c++) z[c] = (m.data[i * f + c]! - fit.mean[c]!) / fit.scale[c]!;
    for (let b = 0; b < f; b++) {
      let s = 0;
      for (let a = 0; a < f; a++) s += z[a]! * fit.w[a * f + b]!;
      out[i * f + b] = s;
    }
  }
}
