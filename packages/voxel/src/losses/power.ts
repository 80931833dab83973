import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** Below this a base counts as 0 in {@link power} (x^γ ≈ 0 there for the γ > 0 the losses use). */
const TINY = 1e-30;

/**
 * `x^gamma` for x ≥ 0 as `exp(γ·log(max(x, 1e-30)))`: differentiable with the engine's
 * registered gradients (tfjs's `Pow` gradient is not registered in Node) and finite at x = 0.
 */
export function power(x: Tensor, gamma: number): Tensor {
  if (gamma === 1) return x;
  return tf.tidy(() => tf.exp(tf.mul(tf.log(tf.maximum(x, TINY)), gamma)));
}
