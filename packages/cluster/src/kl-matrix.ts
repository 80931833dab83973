import {
  checkPositive,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';

/** Options of {@link klMatrix} and {@link klAgainst}. */
export interface KlOptions {
  /**
   * Added to every entry of every signature before the rows are renormalised to sum to 1, so
   * that a cluster absent from one group gives a large but finite divergence instead of
   * Infinity. Default 1e-10.
   */
  epsilon?: number;
}

/** Defaults of {@link KlOptions}. */
export const DEFAULT_KL_OPTIONS: Readonly<Required<KlOptions>> = { epsilon: 1e-10 };

/** Validates distributions (rows ≥ 0, positive sums) and returns them ε-smoothed, renormalised. */
function smoothed(fn: string, arg: string, m: DenseMatrix, epsilon: number): Float64Array {
  checkMatrix(fn, arg, m);
  const [g, k] = m.shape;
  const out = new Float64Array(g * k);
  for (let i = 0; i < g; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = m.data[i * k + j]!;
      if (v < 0)
        throw new InvalidArgumentError(
          `${fn}: '${arg}' must be ≥ 0 (distributions), got ${v} in row ${i}`,
          { fn, arg },
        );
      sum += v + epsilon;
    }
    if (!(sum > 0))
      throw new InvalidArgumentError(`${fn}: row ${i} of '${arg}' sums to 0; set 'epsilon' > 0`, {
        fn,
        arg,
      });
    for (let j = 0; j < k; j++) out[i * k + j] = (m.data[i * k + j]! + epsilon) / sum;
  }
  return out;
}

function divergences(
  fn: string,
  a: DenseMatrix,
  b: DenseMatrix,
  options: KlOptions | undefined,
): DenseMatrix<Float64Array> {
  const { epsilon } = withDefaults(fn, DEFAULT_KL_OPTIONS, options);
  checkPositive(fn, 'options.epsilon', epsilon, true);
  const pa = smoothed(fn, 'signatures', a, epsilon);
  const pb = smoothed(fn, 'references', b, epsilon);
  const k = a.shape[1];
  if (b.shape[1] !== k)
    throw invalidArgument(
      fn,
      'references',
      `to have ${k} columns (clusters) as 'signatures'`,
      b.shape,
    );
  const [ga] = a.shape;
  const [gb] = b.shape;
  const out = new Float64Array(ga * gb);
  for (let i = 0; i < ga; i++) {
    for (let r = 0; r < gb; r++) {
      let kl = 0;
      for (let j = 0; j < k; j++) {
        const p = pa[i * k + j]!;
        if (p > 0) kl += p * Math.log(p / pb[r * k + j]!);
      }
      out[i * gb + r] = kl;
    }
  }
  return { data: out, shape: [ga, gb] };
}

/**
 * Pairwise Kullback–Leibler divergences between group signatures (rows: distributions over the
 * K clusters, e.g. from `signatures`): entry (a, b) is `KL(S_a ‖ S_b) = Σ_j s_aj log(s_aj / s_bj)`
 * in nats, after ε-smoothing (see {@link KlOptions}). Not symmetric; the diagonal is 0.
 *
 * @param signatures `G × K`, entries ≥ 0.
 * @returns `G × G`.
 */
export function klMatrix(signatures: DenseMatrix, options?: KlOptions): DenseMatrix<Float64Array> {
  return divergences('klMatrix', signatures, signatures, options);
}

/**
 * KL divergence of each signature from each reference signature (e.g. every knockdown against
 * two reference drugs): entry (g, r) is `KL(S_g ‖ R_r)` in nats, ε-smoothed as {@link klMatrix}.
 *
 * @param signatures `G × K`.
 * @param references `R × K`.
 * @returns `G × R`.
 */
export function klAgainst(
  signatures: DenseMatrix,
  references: DenseMatrix,
  options?: KlOptions,
): DenseMatrix<Float64Array> {
  return divergences('klAgainst', signatures, references, options);
}
