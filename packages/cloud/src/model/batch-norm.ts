import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { columnSum } from './bias-add.js';

/** PyTorch's batch-norm constants. */
export const BATCH_NORM_EPS = 1e-5;
export const BATCH_NORM_MOMENTUM = 0.1;

/**
 * Batch normalisation over the last axis (channels-last), with PyTorch semantics: in training
 * mode it normalises with the biased batch variance over all other axes and updates
 * `runningMean` / `runningVar` (unbiased variance) with momentum 0.1 and counts
 * `numBatchesTracked`; in evaluation mode it uses the running statistics. eps = 1e-5.
 * Training mode has a hand-written backward pass whose channel sums are accumulated in two
 * levels ({@link columnSum}), as PyTorch accumulates them in double precision.
 */
export class BatchNorm {
  readonly weight: Variable;
  readonly bias: Variable;
  readonly runningMean: Variable;
  readonly runningVar: Variable;
  numBatchesTracked = 0;

  constructor(readonly channels: number) {
    this.weight = tf.variable(tf.ones([channels]), true);
    this.bias = tf.variable(tf.zeros([channels]), true);
    this.runningMean = tf.variable(tf.zeros([channels]), false);
    this.runningVar = tf.variable(tf.ones([channels]), false);
  }

  /** Normalises `x` `[..., C]`. The caller guarantees more than one value per channel in training. */
  apply(x: Tensor, training: boolean): Tensor {
    if (!training)
      return tf.tidy(() => {
        const scale = tf.mul(this.weight, tf.rsqrt(tf.add(this.runningVar, BATCH_NORM_EPS)));
        const shift = tf.sub(this.bias, tf.mul(this.runningMean, scale));
        return tf.add(tf.mul(x, scale), shift);
      });
    const m = BATCH_NORM_MOMENTUM;
    const channels = this.channels;
    const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
      const [input, weight, bias, save] = args as [Tensor, Tensor, Tensor, tf.GradSaveFunc];
      const rows = tf.reshape(input, [-1, channels]);
      const count = rows.shape[0] as number;
      const mean = tf.div(columnSum(rows), count);
      const centred = tf.sub(rows, mean);
      const variance = tf.div(columnSum(tf.square(centred)), count);
      const inv = tf.rsqrt(tf.add(variance, BATCH_NORM_EPS));
      const normalised = tf.mul(centred, inv);
      tf.tidy(() => {
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        this.runningVar.assign(
          tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * count) / (count - 1))),
        );
      });
      this.numBatchesTracked += 1;
      save([normalised, inv, weight]);
      return {
        value: tf.reshape(tf.add(tf.mul(normalised, weight), bias), input.shape),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xhat, invStd, gamma] = saved as [Tensor, Tensor, Tensor];
          const dyRows = tf.reshape(dy, [-1, channels]);
          const dBias = columnSum(dyRows);
          const dWeight = columnSum(tf.mul(dyRows, xhat));
          // dx = γ·inv/n · (n·dy − Σdy − x̂·Σ(dy·x̂))
          const inner = tf.sub(tf.sub(tf.mul(dyRows, count), dBias), tf.mul(xhat, dWeight));
          const dx = tf.mul(inner, tf.div(tf.mul(gamma, invStd), count));
          return [tf.reshape(dx, input.shape), dWeight, dBias];
        },
      };
    });
    return op(x, this.weight, this.bias);
  }

  dispose(): void {
    for (const v of [this.weight, this.bias, this.runningMean, this.runningVar]) v.dispose();
  }
}
