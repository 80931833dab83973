import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkVolumes, clampProbabilities } from './check-volumes.js';

/**
 * Binary cross-entropy, the mean over every voxel of the batch:
 * `−mean(t·log p + (1 − t)·log(1 − p))`, with p clamped to [1e-7, 1 − 1e-7] (PyTorch's
 * `F.binary_cross_entropy` with `reduction='mean'` where p is not that close to 0 or 1).
 *
 * @param target the masks, values in [0, 1] (usually 0 or 1), e.g. `[B, D, H, W, 1]`.
 * @param probabilities the decoder's output, same shape, values in [0, 1].
 */
export function bceLoss(target: Tensor, probabilities: Tensor): Scalar {
  checkVolumes('bceLoss', target, probabilities);
  return tf.tidy(() => {
    const p = clampProbabilities(probabilities);
    const positive = tf.mul(target, tf.log(p));
    const negative = tf.mul(tf.sub(1, target), tf.log1p(tf.neg(p)));
    return tf.neg(tf.mean(tf.add(positive, negative))) as Scalar;
  });
}
