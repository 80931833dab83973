import { checkNumber, withDefaults } from '@cellshape/core';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { bceLoss } from './bce.js';
import { checkVolumes } from './check-volumes.js';

/** Options of {@link diceLoss} and {@link diceBceLoss}. */
export interface DiceOptions {
  /** Added to the numerator and denominator (keeps empty masks finite). Default 1. */
  smooth?: number;
}

/** Defaults of {@link DiceOptions}, as cellshape-voxel. */
export const DEFAULT_DICE_OPTIONS = Object.freeze({ smooth: 1 });

/**
 * The soft Dice loss over the whole batch (every voxel of every volume in one sum, as
 * cellshape-voxel): `1 − (2·Σ p·t + smooth) / (Σ p + Σ t + smooth)`. In [0, 1); 0 when p = t
 * is binary.
 */
export function diceLoss(target: Tensor, probabilities: Tensor, options: DiceOptions = {}): Scalar {
  const fn = 'diceLoss';
  checkVolumes(fn, target, probabilities);
  const { smooth } = withDefaults(fn, DEFAULT_DICE_OPTIONS, options);
  checkNumber(fn, 'options.smooth', smooth, { min: 0 });
  return tf.tidy(() => {
    const overlap = tf.sum(tf.mul(probabilities, target));
    const total = tf.add(tf.sum(probabilities), tf.sum(target));
    return tf.sub(1, tf.div(tf.add(tf.mul(overlap, 2), smooth), tf.add(total, smooth))) as Scalar;
  });
}

/** {@link bceLoss} + {@link diceLoss}: per-voxel accuracy and overlap together (cellshape-voxel's `DiceBCELoss`). */
export function diceBceLoss(
  target: Tensor,
  probabilities: Tensor,
  options: DiceOptions = {},
): Scalar {
  checkVolumes('diceBceLoss', target, probabilities);
  return tf.tidy(
    () =>
      tf.add(bceLoss(target, probabilities), diceLoss(target, probabilities, options)) as Scalar,
  );
}
