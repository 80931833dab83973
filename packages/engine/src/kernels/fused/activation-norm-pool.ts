import { checkNumber, checkObject, invalidArgument } from '@cellshape/core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_EPS, type BatchNorm } from '../../nn/batch-norm.js';
import { biasAdd } from '../../nn/bias-add.js';
import { dropoutMask } from './dropout-mask.js';
import { fusedAvailable } from './fused-wasm.js';
import { fusedNormPool } from './norm-pool-kernel.js';

/** Options of {@link activationNormPool}. */
export interface ActivationNormPoolOptions {
  /** Batch statistics and dropout (true) or running statistics and no dropout. */
  training: boolean;
  /** Slope of the activation below zero: 0 is ReLU (default), α LeakyReLU, 1 none. */
  negativeSlope?: number;
  /** Inverted dropout of the pooled output in training mode (rate 0 or absent: none). */
  dropout?: { rate: number; seed: number };
  /**
   * A bias `[C]` added to `x` first (the preceding convolution's, so that its output is read
   * once); differentiable. Default none.
   */
  inputBias?: Tensor;
}

/**
 * The 2-D convolution block's tail, `dropout(maxPool2x2(norm(activation(x + inputBias))))`, on channels-last
 * `x` `[B, H, W, C]` → `[B, ⌊H/2⌋, ⌊W/2⌋, C]`, with PyTorch's semantics: the batch norm's
 * statistics (and, in training mode, the running-statistics update) cover every position of
 * `x`; the pool's gradient goes to the first maximum of each window (row-major); dropout keeps
 * a value with probability 1 − rate and scales it by 1 / (1 − rate), its mask drawn from
 * `dropout.seed` (`dropoutMask`: the same mask on every backend).
 *
 * On the threaded wasm backend (H, W even, C a multiple of 4) one fused kernel with a fused
 * gradient computes it (kernels/fused/norm-pool-kernel.ts), keeping one byte per output for the
 * backward pass; elsewhere the tfjs ops run one after another.
 *
 * ```ts
 * const h = activationNormPool(conv.forward(x), norm, { training: true, dropout: { rate: 0.1, seed } });
 * ```
 */
export function activationNormPool(
  x: Tensor4D,
  norm: BatchNorm,
  options: ActivationNormPoolOptions,
): Tensor4D {
  const fn = 'activationNormPool';
  checkObject(fn, 'options', options);
  const slope = checkNumber(fn, 'options.negativeSlope', options.negativeSlope ?? 0);
  const rate = options.training ? (options.dropout?.rate ?? 0) : 0;
  checkNumber(fn, 'options.dropout.rate', rate, { min: 0 });
  if (rate >= 1) throw invalidArgument(fn, 'options.dropout.rate', 'a probability in [0, 1)', rate);
  const seed = options.dropout?.seed ?? 0;
  const [, height, width, channels] = x.shape;
  if (fusedAvailable(channels) && height % 2 === 0 && width % 2 === 0) {
    const inputBias = options.inputBias ?? tf.zeros([channels]);
    const { y, mean, variance } = fusedNormPool(x, inputBias, norm.kernelParams(), {
      normalise: true,
      training: options.training,
      eps: BATCH_NORM_EPS,
      slope,
      rate,
      seed,
    });
    if (options.inputBias === undefined) inputBias.dispose();
    if (options.training) norm.trackBatch(mean, variance, x.size / channels);
    tf.dispose([mean, variance]);
    return y;
  }
  return tf.tidy(() => {
    const input = options.inputBias === undefined ? x : biasAdd(x, options.inputBias);
    const activated =
      slope === 1 ? input : slope === 0 ? tf.relu(input) : tf.leakyRelu(input, slope);
    const pooled = tf.maxPool(norm.apply(activated, options.training) as Tensor4D, 2, 2, 'valid');
    if (rate === 0) return pooled;
    return tf.mul(
      pooled,
      tf.tensor(dropoutMask(seed, pooled.size, rate), pooled.shape),
    ) as Tensor4D;
  });
}

/** Options of {@link activationPool}. */
export type ActivationPoolOptions = Omit<ActivationNormPoolOptions, 'training' | 'dropout'>;

/**
 * `maxPool2x2(activation(x + inputBias))` on channels-last `x` `[B, H, W, C]` →
 * `[B, ⌊H/2⌋, ⌊W/2⌋, C]` (a convolution's bias, activation and pooling without batch norm, as
 * the 2-D autoencoder's levels end), differentiable in `x` and `inputBias`; the gradient goes
 * to each window's first maximum. One fused kernel on the threaded wasm backend (as
 * {@link activationNormPool}), tfjs ops elsewhere.
 */
export function activationPool(x: Tensor4D, options: ActivationPoolOptions = {}): Tensor4D {
  const fn = 'activationPool';
  checkObject(fn, 'options', options);
  const slope = checkNumber(fn, 'options.negativeSlope', options.negativeSlope ?? 0, { min: 0 });
  const [, height, width, channels] = x.shape;
  if (fusedAvailable(channels) && height % 2 === 0 && width % 2 === 0)
    return tf.tidy(() => {
      const ones = tf.ones([channels]);
      const zeros = tf.zeros([channels]);
      const params = { weight: ones, bias: zeros, mean: zeros, variance: ones };
      const { y, mean, variance } = fusedNormPool(x, options.inputBias ?? zeros, params, {
        normalise: false,
        training: false,
        eps: BATCH_NORM_EPS,
        slope,
        rate: 0,
        seed: 0,
      });
      tf.dispose([mean, variance]);
      return y;
    });
  return tf.tidy(() => {
    const input = options.inputBias === undefined ? x : biasAdd(x, options.inputBias);
    const activated = slope === 0 ? tf.relu(input) : tf.leakyRelu(input, slope);
    return tf.maxPool(activated as Tensor4D, 2, 2, 'valid');
  });
}
