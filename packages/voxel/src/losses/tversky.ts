import { checkNumber, withDefaults } from '@cellshape/core';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkVolumes } from './check-volumes.js';
import { power } from './power.js';

/** Options of {@link tverskyLoss} and {@link focalTverskyLoss}. */
export interface TverskyOptions {
  /** Weight of the false positives Σ p·(1 − t). Default 0.3. */
  alpha?: number;
  /** Weight of the false negatives Σ (1 − p)·t. Default 0.7. */
  beta?: number;
  /** Added to the numerator and denominator. Default 1. */
  smooth?: number;
  /** Exponent of the focal Tversky loss (unused by the plain one). Default 2. */
  gamma?: number;
}

/** Defaults of {@link TverskyOptions}, as cellshape-voxel. */
export const DEFAULT_TVERSKY_OPTIONS = Object.freeze({
  alpha: 0.3,
  beta: 0.7,
  smooth: 1,
  gamma: 2,
});

function tverskyIndex(fn: string, target: Tensor, p: Tensor, options: TverskyOptions) {
  checkVolumes(fn, target, p);
  const o = withDefaults(fn, DEFAULT_TVERSKY_OPTIONS, options);
  checkNumber(fn, 'options.alpha', o.alpha, { min: 0 });
  checkNumber(fn, 'options.beta', o.beta, { min: 0 });
  checkNumber(fn, 'options.smooth', o.smooth, { min: 0 });
  checkNumber(fn, 'options.gamma', o.gamma, { min: 0 });
  const index = (): Tensor => {
    const tp = tf.sum(tf.mul(p, target));
    const fp = tf.sum(tf.mul(p, tf.sub(1, target)));
    const fnCount = tf.sum(tf.mul(tf.sub(1, p), target));
    const denominator = tf.add(tf.add(tp, tf.mul(fp, o.alpha)), tf.mul(fnCount, o.beta));
    return tf.div(tf.add(tp, o.smooth), tf.add(denominator, o.smooth));
  };
  return { index, gamma: o.gamma };
}

/**
 * The Tversky loss over the whole batch: `1 − (TP + smooth) / (TP + α·FP + β·FN + smooth)` with
 * TP = Σ p·t, FP = Σ p·(1 − t), FN = Σ (1 − p)·t. α = β = 0.5 gives the Dice loss.
 */
export function tverskyLoss(
  target: Tensor,
  probabilities: Tensor,
  options: TverskyOptions = {},
): Scalar {
  const { index } = tverskyIndex('tverskyLoss', target, probabilities, options);
  return tf.tidy(() => tf.sub(1, index()) as Scalar);
}

/** The focal Tversky loss: {@link tverskyLoss} to the power γ (cellshape-voxel's form). */
export function focalTverskyLoss(
  target: Tensor,
  probabilities: Tensor,
  options: TverskyOptions = {},
): Scalar {
  const { index, gamma } = tverskyIndex('focalTverskyLoss', target, probabilities, options);
  return tf.tidy(() => power(tf.sub(1, index()), gamma) as Scalar);
}
