import { checkInteger } from '@cellshape/core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { gradientsRecorded } from '../kernels/checks.js';
import { fusedBatchNorm } from '../kernels/fused/batch-norm-kernel.js';
import { fusedAvailable } from '../kernels/fused/fused-wasm.js';
import { columnSum } from './column-sum.js';
import { type StateEntry, stateKey } from './module-state.js';
import { torchParameter } from './parameter.js';

/** PyTorch's batch-norm epsilon (added to the variance). */
export const BATCH_NORM_EPS = 1e-5;
/** PyTorch's batch-norm momentum: running = (1 − m)·running + m·batch. */
export const BATCH_NORM_MOMENTUM = 0.1;

/** LeakyReLU slopes (0: ReLU) applied with a batch norm: see {@link BatchNorm.apply}. */
export interface BatchNormActivation {
  /** Slope of the activation of the input, before normalising. Default none. */
  before?: number;
  /** Slope of the activation of the output. Default none. */
  after?: number;
}

/** LeakyReLU of slope `s` (ReLU for 0, `x` itself for 1). */
function leaky(x: Tensor, s: number): Tensor {
  if (s === 0) return tf.relu(x);
  return s === 1 ? x : tf.leakyRelu(x, s);
}

/**
 * Batch normalisation with PyTorch's semantics (`BatchNorm1d`, `2d`, `3d`) over the last axis,
 * for channels-last inputs `[B, C]`, `[B, L, C]`, `[B, H, W, C]` or `[B, D, H, W, C]`:
 * * training mode normalises with the biased variance of the batch over all other axes,
 *   updates `runningMean` and `runningVar` (with the unbiased variance) by momentum
 *   {@link BATCH_NORM_MOMENTUM} and counts `numBatchesTracked`;
 * * evaluation mode uses the running statistics.
 * eps = {@link BATCH_NORM_EPS}; `weight` starts at 1, `bias` at 0, as PyTorch's.
 *
 * On the threaded wasm backend (C a multiple of 4) one fused kernel computes it, statistics in a
 * single float64 pass on both threads (kernels/fused). Elsewhere a tfjs composition runs, whose
 * training-mode backward pass accumulates its channel sums in two levels ({@link columnSum}) so
 * that they stay within float32 rounding of PyTorch's.
 *
 * ```ts
 * const norm = new BatchNorm(4);
 * const y = norm.apply(x, true);               // x: [B, D, H, W, 4]; running statistics updated
 * const entries = norm.stateEntries('encoder.1'); // encoder.1.weight, .bias, .running_mean, .running_var, .num_batches_tracked
 * ```
 */
export class BatchNorm {
  /** γ `[C]`, trainable. */
  readonly weight: Variable;
  /** β `[C]`, trainable. */
  readonly bias: Variable;
  /** Running mean `[C]` (a buffer). */
  readonly runningMean: Variable;
  /** Running (unbiased) variance `[C]` (a buffer). */
  readonly runningVar: Variable;
  /** Training-mode batches seen (PyTorch's int64 `num_batches_tracked`). */
  numBatchesTracked = 0;

  /** @param channels C, a positive integer. */
  constructor(readonly channels: number) {
    checkInteger('BatchNorm', 'channels', channels, { min: 1 });
    this.weight = tf.variable(tf.ones([channels]), true);
    this.bias = tf.variable(tf.zeros([channels]), true);
    this.runningMean = tf.variable(tf.zeros([channels]), false);
    this.runningVar = tf.variable(tf.ones([channels]), false);
  }

  /**
   * Normalises `x` `[..., C]` (a new tensor). In training mode the caller guarantees more than
   * one value per channel (PyTorch refuses a single one). `activation` adds a LeakyReLU of the
   * given slope (0: ReLU) before the normalisation (`before`, as the voxel simple encoder's
   * LeakyReLU → BatchNorm3d) and/or after it (`after`, as the ResNets' BatchNorm → ReLU), in the
   * same pass where the fused kernel runs.
   */
  apply(x: Tensor, training: boolean, activation: BatchNormActivation = {}): Tensor {
    const { before, after } = activation;
    if (fusedAvailable(this.channels) && x.shape[x.rank - 1] === this.channels) {
      // The kernel's gradient covers the activation before; one after is fused outside a tape.
      const fuseAfter = after !== undefined && !gradientsRecorded();
      const y = this.applyFused(x, training, before ?? 1, fuseAfter ? after : 1);
      return after === undefined || fuseAfter ? y : tf.tidy(() => leaky(y, after));
    }
    return tf.tidy(() => {
      const input = before === undefined ? x : leaky(x, before);
      const y = this.applyPlain(input, training);
      return after === undefined ? y : leaky(y, after);
    });
  }

  /** {@link BatchNorm.apply} by tfjs ops. */
  private applyPlain(x: Tensor, training: boolean): Tensor {
    if (!training)
      return tf.tidy(() => {
        const scale = tf.mul(this.weight, tf.rsqrt(tf.add(this.runningVar, BATCH_NORM_EPS)));
        const shift = tf.sub(this.bias, tf.mul(this.runningMean, scale));
        return tf.add(tf.mul(x, scale), shift);
      });
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
      this.trackBatch(mean, variance, count);
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

  /** {@link BatchNorm.apply} by the fused kernel (activation slopes, 1 for none). */
  private applyFused(x: Tensor, training: boolean, slope: number, post: number): Tensor {
    const { y, mean, variance } = fusedBatchNorm(x, this.kernelParams(), {
      training,
      eps: BATCH_NORM_EPS,
      slope,
      post,
    });
    if (training) this.trackBatch(mean, variance, x.size / this.channels);
    tf.dispose([mean, variance]);
    return y;
  }

  /** The parameters and running statistics as the fused kernels take them. */
  kernelParams(): { weight: Tensor; bias: Tensor; mean: Tensor; variance: Tensor } {
    return {
      weight: this.weight,
      bias: this.bias,
      mean: this.runningMean,
      variance: this.runningVar,
    };
  }

  /**
   * Records a training batch: the running statistics move toward the batch `mean` and biased
   * `variance` (`[C]`, over `count` values per channel; stored unbiased, ×count/(count − 1)) by
   * the momentum, and `numBatchesTracked` grows by one. For fused layers that compute the batch
   * statistics themselves.
   */
  trackBatch(mean: Tensor, variance: Tensor, count: number): void {
    const m = BATCH_NORM_MOMENTUM;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(
        tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * count) / (count - 1))),
      );
    });
    this.numBatchesTracked += 1;
  }

  /**
   * The five state-dict entries of PyTorch's `BatchNorm*d` under `prefix`: `weight`, `bias`
   * (parameters), `running_mean`, `running_var` (buffers), `num_batches_tracked` (counter).
   */
  stateEntries(prefix: string): StateEntry[] {
    return [
      {
        kind: 'parameter',
        key: stateKey(prefix, 'weight'),
        parameter: torchParameter(this.weight),
      },
      { kind: 'parameter', key: stateKey(prefix, 'bias'), parameter: torchParameter(this.bias) },
      { kind: 'buffer', key: stateKey(prefix, 'running_mean'), variable: this.runningMean },
      { kind: 'buffer', key: stateKey(prefix, 'running_var'), variable: this.runningVar },
      {
        kind: 'counter',
        key: stateKey(prefix, 'num_batches_tracked'),
        get: () => this.numBatchesTracked,
        set: (value: number) => {
          this.numBatchesTracked = value;
        },
      },
    ];
  }

  /** Frees the four variables. */
  dispose(): void {
    for (const v of [this.weight, this.bias, this.runningMean, this.runningVar]) v.dispose();
  }
}
