import { invalidArgument } from '@cellshape/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Checks a loss's two arguments: float32 tensors of one shape (any rank, e.g. `[B, D, H, W, 1]`),
 * not empty. Values are not read (that would synchronise); targets are expected in [0, 1] and
 * probabilities are clamped by the losses that take logarithms.
 */
export function checkVolumes(fn: string, target: Tensor, probabilities: Tensor): void {
  if (!(target instanceof tf.Tensor) || target.dtype !== 'float32')
    throw invalidArgument(fn, 'target', 'a float32 tf.Tensor', target);
  if (!(probabilities instanceof tf.Tensor) || probabilities.dtype !== 'float32')
    throw invalidArgument(fn, 'probabilities', 'a float32 tf.Tensor', probabilities);
  const same =
    target.rank === probabilities.rank &&
    target.shape.every((d, i) => d === probabilities.shape[i]);
  if (!same)
    throw invalidArgument(
      fn,
      'probabilities',
      `a tensor of the target's shape [${target.shape.join(', ')}]`,
      probabilities.shape,
    );
  if (target.size === 0) throw invalidArgument(fn, 'target', 'a non-empty tensor', target.shape);
}

/** Clamping of probabilities before a logarithm: p ∈ [ε, 1 − ε]. */
export const PROBABILITY_EPS = 1e-7;

/** `p` clamped to [{@link PROBABILITY_EPS}, 1 − ε] (zero gradient where clamped). */
export function clampProbabilities(p: Tensor): Tensor {
  // maximum/minimum rather than clipByValue: tfjs has no gradient for ClipByValue.
  return tf.minimum(tf.maximum(p, PROBABILITY_EPS), 1 - PROBABILITY_EPS);
}
