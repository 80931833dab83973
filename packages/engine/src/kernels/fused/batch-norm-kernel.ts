import * as tf from '@tensorflow/tfjs-core';
import {
  type BackwardConstants,
  backwardConstants,
  batchMoments,
  forwardConstants,
} from './batch-statistics.js';
import {
  type ChannelSums,
  channelSums,
  chunkRows,
  pointer,
  runFused,
  uninitialised,
} from './fused-wasm.js';

/**
 * Batch normalisation over the last axis of a channels-last tensor as one registered tfjs
 * kernel of the threaded wasm backend, with its gradient: the channel statistics in one
 * float64 pass over the input (both threads), the normalisation in a second; backward, the two
 * channel sums in one pass and the input gradient in another. An optional activation
 * a(v) = v > 0 ? v : s·v is applied to the input first (slope s = 1: none). The tfjs
 * composition in nn/batch-norm.ts is the same computation on every other backend.
 */

const KERNEL = 'CellshapeBatchNorm';

/** What the kernel computes: batch or running statistics, eps, the input activation's slope. */
export interface BatchNormAttrs {
  /** Batch statistics (true) or the given running ones. */
  training: boolean;
  eps: number;
  /** Slope of the input activation below zero (1: none, 0: ReLU). */
  slope: number;
  /**
   * Slope of an activation after the normalisation (1: none). Forward only: the kernel's
   * gradient covers `post = 1`, so callers apply another activation outside a gradient tape only.
   */
  post?: number;
}

type Inputs = Record<'x' | 'weight' | 'bias' | 'mean' | 'variance', tf.Tensor>;

const rowsOf = (x: tf.Tensor) => {
  const channels = x.shape[x.rank - 1] as number;
  return { channels, rows: x.size / channels, chunk: chunkRows(channels) };
};

/**
 * The batch (training) or given statistics of a(x + bias) (`bias` [C], zeros for none): mean
 * and biased variance per channel over every position of `x`, and in training mode the forward
 * sums of the pass (`sums`: S3 = Σa', S4 = Σa'·a, for the gradient of the bias).
 */
export function statistics(
  x: tf.Tensor,
  bias: tf.Tensor,
  inputs: { mean: tf.Tensor; variance: tf.Tensor },
  a: BatchNormAttrs,
): { mean: Float64Array; variance: Float64Array; sums?: ChannelSums } {
  if (!a.training)
    return {
      mean: Float64Array.from(inputs.mean.dataSync()),
      variance: Float64Array.from(inputs.variance.dataSync()),
    };
  const { channels, rows, chunk } = rowsOf(x);
  const sums = channelSums(
    'sums',
    [pointer(x), 0, pointer(bias), channels],
    [a.slope, 0],
    channels,
    rows,
    chunk,
  );
  return { ...batchMoments(sums.s1, sums.s2, rows), sums };
}

/** The [C] float32 tensors of per-channel values (small; kernels read them by pointer). */
export function channelTensors(...values: Array<ArrayLike<number>>): tf.Tensor[] {
  return values.map((v) => tf.tensor1d(Float32Array.from(v), 'float32'));
}

function forward(inputs: Inputs, a: BatchNormAttrs): tf.Tensor[] {
  const { x, weight, bias } = inputs;
  const zeros = tf.zeros([x.shape[x.rank - 1] as number]);
  const { mean, variance } = statistics(x, zeros, inputs, a);
  zeros.dispose();
  const { k, c0 } = forwardConstants(mean, variance, weight.dataSync(), bias.dataSync(), a.eps);
  const constants = channelTensors(k, c0);
  const y = uninitialised(x.shape);
  const { channels, rows, chunk } = rowsOf(x);
  runFused(
    'normalise',
    [pointer(x), channels],
    [a.slope, a.post ?? 1, ...constants.map(pointer), pointer(y)],
    rows,
    chunk,
  );
  tf.dispose(constants);
  return [y, ...channelTensors(mean, variance)];
}

function registerKernel(): void {
  if (tf.getGradient(KERNEL) !== undefined) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      forward(
        inputs as unknown as Inputs,
        attrs as unknown as BatchNormAttrs,
      ) as unknown as tf.TensorInfo[],
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['x', 'weight'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = (dys as tf.Tensor[])[0] as tf.Tensor;
      const [x, weight, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const a = attrs as unknown as BatchNormAttrs;
      const { channels, rows, chunk } = rowsOf(x);
      let memo: BackwardConstants | undefined;
      const constants = () => {
        if (memo === undefined) {
          const zeros = tf.zeros([channels]);
          const sums = channelSums(
            'sums',
            [pointer(x), pointer(dy), pointer(zeros), channels],
            [a.slope, 1],
            channels,
            rows,
            chunk,
          );
          zeros.dispose();
          const stats = {
            mean: mean.dataSync(),
            variance: variance.dataSync(),
            gamma: weight.dataSync(),
          };
          memo = backwardConstants(sums, undefined, rows, stats, a.eps, a.training);
        }
        return memo;
      };
      return {
        x: () => {
          const c = channelTensors(constants().k, constants().c1, constants().c0);
          const dx = uninitialised(x.shape);
          runFused(
            'normaliseGrad',
            [pointer(x), pointer(dy), channels],
            [a.slope, ...c.map(pointer), pointer(dx)],
            rows,
            chunk,
          );
          tf.dispose(c);
          return dx;
        },
        weight: () => tf.tensor1d(constants().dGamma),
        bias: () => tf.tensor1d(constants().dBeta),
        mean: () => tf.zerosLike(mean),
        variance: () => tf.zerosLike(variance),
      };
    },
  });
}

/**
 * Batch normalisation of `x` `[..., C]` (C a multiple of 4) by the fused wasm kernel (check
 * `fusedAvailable(C)` first): `y` and the statistics used (`mean`, biased `variance`, [C]).
 * Differentiable in `x`, `weight` and `bias`.
 */
export function fusedBatchNorm(
  x: tf.Tensor,
  params: { weight: tf.Tensor; bias: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor },
  attrs: BatchNormAttrs,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  registerKernel();
  const [y, mean, variance] = tf
    .engine()
    .runKernel(KERNEL, { x, ...params }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y: y as tf.Tensor, mean: mean as tf.Tensor, variance: variance as tf.Tensor };
}
