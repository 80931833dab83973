import { checkNumber, invalidArgument, withDefaults } from '@cellshape/core';
import { BATCH_NORM_EPS } from '@cellshape/engine';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link barlowTwinsLoss}. */
export interface BarlowTwinsLossOptions {
  /**
   * λ, the weight of the off-diagonal (redundancy-reduction) term. Default 0.005 (Zbontar et
   * al. 2021; the GBM thesis tried 0.005–0.1).
   */
  lambda?: number;
  /**
   * Added to the variance before the square root, as `BatchNorm1d(affine=False)`. Default the
   * engine's `BATCH_NORM_EPS` (1e-5, PyTorch's).
   */
  eps?: number;
}

/** Defaults of {@link BarlowTwinsLossOptions}. */
export const DEFAULT_BARLOW_TWINS_LOSS_OPTIONS = { lambda: 0.005, eps: BATCH_NORM_EPS } as const;

/** The two terms of the Barlow Twins loss and their weighted sum. */
export interface BarlowTwinsTerms {
  /** `Σ_i (1 − C_ii)²` + λ `Σ_{i≠j} C_ij²`. */
  total: Scalar;
  /** The invariance term `Σ_i (1 − C_ii)²`. */
  onDiagonal: Scalar;
  /** The redundancy-reduction term `Σ_{i≠j} C_ij²` (unweighted). */
  offDiagonal: Scalar;
}

const FN = 'barlowTwinsLoss';

function checkEmbeddings(fn: string, z1: Tensor, z2: Tensor): void {
  const expected = 'a float32 tensor [B, F] with B ≥ 2';
  for (const [arg, z] of [
    ['z1', z1],
    ['z2', z2],
  ] as const) {
    if (!(z instanceof tf.Tensor)) throw invalidArgument(fn, arg, expected, z);
    if (z.rank !== 2 || z.dtype !== 'float32' || (z.shape[0] as number) < 2 || z.shape[1] === 0)
      throw invalidArgument(fn, arg, expected, z.shape);
  }
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1])
    throw invalidArgument(fn, 'z2', `the shape of z1 [${z1.shape}]`, z2.shape);
}

/** Each column of `z` `[B, F]` minus its batch mean, over √(biased variance + eps). */
function normaliseColumns(z: Tensor, eps: number): Tensor2D {
  const { mean, variance } = tf.moments(z, 0);
  return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, eps))) as Tensor2D;
}

/**
 * The Barlow Twins loss and its two terms (see {@link barlowTwinsLoss}); the training logs the
 * terms.
 */
export function barlowTwinsTerms(
  z1: Tensor,
  z2: Tensor,
  options: BarlowTwinsLossOptions = {},
): BarlowTwinsTerms {
  checkEmbeddings(FN, z1, z2);
  const o = withDefaults(FN, DEFAULT_BARLOW_TWINS_LOSS_OPTIONS, options);
  const lambda = checkNumber(FN, 'options.lambda', o.lambda, { min: 0 });
  const eps = checkNumber(FN, 'options.eps', o.eps, { min: 0 });
  return tf.tidy(() => {
    const batch = z1.shape[0] as number;
    const features = z1.shape[1] as number;
    const c = tf.div(
      tf.matMul(normaliseColumns(z1, eps), normaliseColumns(z2, eps), true, false),
      batch,
    );
    const eye = tf.eye(features);
    const diagonal = tf.sum(tf.mul(c, eye), 1);
    const onDiagonal = tf.sum(tf.square(tf.sub(1, diagonal))) as Scalar;
    const offDiagonal = tf.sum(tf.mul(tf.square(c), tf.sub(1, eye))) as Scalar;
    const total = tf.add(onDiagonal, tf.mul(offDiagonal, lambda)) as Scalar;
    return { total, onDiagonal, offDiagonal };
  });
}

/**
 * The Barlow Twins loss (Zbontar et al. 2021) of the embeddings `z1`, `z2` `[B, F]` of two
 * views of the same B images: each embedding dimension is normalised with the batch's mean and
 * biased standard deviation (as `BatchNorm1d(affine=False)` in training, eps inside the root),
 * the cross-correlation is `C = z̃1ᵀ z̃2 / B` (`[F, F]`), and the loss is
 * `Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²`: the views agree on every dimension while the dimensions
 * stay decorrelated. A scalar, differentiable in both inputs.
 *
 * ```ts
 * const loss = barlowTwinsLoss(encoder.encode(view1), encoder.encode(view2), { lambda: 0.005 });
 * ```
 *
 * @throws InvalidArgumentError for inputs that are not float32 `[B, F]` with B ≥ 2 and equal
 *   shapes, or a negative `lambda` / `eps`.
 */
export function barlowTwinsLoss(
  z1: Tensor,
  z2: Tensor,
  options: BarlowTwinsLossOptions = {},
): Scalar {
  const { total, onDiagonal, offDiagonal } = barlowTwinsTerms(z1, z2, options);
  tf.dispose([onDiagonal, offDiagonal]);
  return total;
}
