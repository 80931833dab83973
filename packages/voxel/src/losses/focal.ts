import { checkNumber, withDefaults } from '@cellshape/core';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkVolumes, clampProbabilities } from './check-volumes.js';
import { power } from './power.js';

/** Options of {@link focalLoss}. */
export interface FocalOptions {
  /** Weight of the foreground voxels (the background gets 1 − alpha), in [0, 1]. Default 0.8. */
  alpha?: number;
  /** Focusing exponent: well-classified voxels are down-weighted by (1 − p_t)^gamma. Default 2. */
  gamma?: number;
}

/** Defaults of {@link FocalOptions} (cellshape-voxel's α and γ). */
export const DEFAULT_FOCAL_OPTIONS = Object.freeze({ alpha: 0.8, gamma: 2 });

/**
 * The focal loss (Lin et al. 2017), per voxel then averaged over every voxel of the batch:
 * `mean(−α·t·(1 − p)^γ·log p − (1 − α)·(1 − t)·p^γ·log(1 − p))`, p clamped to
 * [1e-7, 1 − 1e-7]. With α = 0.5, γ = 0 it is half the binary cross-entropy. (cellshape-voxel
 * applied the focal factor once to the batch's mean BCE instead; see the README.)
 */
export function focalLoss(
  target: Tensor,
  probabilities: Tensor,
  options: FocalOptions = {},
): Scalar {
  const fn = 'focalLoss';
  checkVolumes(fn, target, probabilities);
  const { alpha, gamma } = withDefaults(fn, DEFAULT_FOCAL_OPTIONS, options);
  checkNumber(fn, 'options.alpha', alpha, { min: 0, max: 1 });
  checkNumber(fn, 'options.gamma', gamma, { min: 0 });
  return tf.tidy(() => {
    const p = clampProbabilities(probabilities);
    const q = tf.sub(1, p);
    const positive = tf.mul(tf.mul(target, power(q, gamma)), tf.log(p));
    const negative = tf.mul(tf.mul(tf.sub(1, target), power(p, gamma)), tf.log(q));
    const perVoxel = tf.add(tf.mul(positive, alpha), tf.mul(negative, 1 - alpha));
    return tf.neg(tf.mean(perVoxel)) as Scalar;
  });
}
