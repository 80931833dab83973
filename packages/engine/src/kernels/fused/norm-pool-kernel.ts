import * as tf from '@tensorflow/tfjs-core';
import { type BatchNormAttrs, channelTensors, statistics } from './batch-norm-kernel.js';
import { type BackwardConstants, backwardConstants, forwardConstants } from './batch-statistics.js';
import { dropoutSeed, dropoutThreshold } from './dropout-mask.js';
import { channelSums, chunkRows, pointer, runFused, uninitialised } from './fused-wasm.js';

/**
 * (+ bias) → activation → batch norm → 2×2 max-pool (stride 2) → dropout on `[B, H, W, C]`
 * (H, W even, C a multiple of 4) as one registered tfjs kernel of the threaded wasm backend,
 * with its gradient. The bias is the preceding convolution's, added here so that the
 * convolution's output is read once. Forward: the statistics pass, then one pass that
 * normalises each window, keeps its first maximum and applies the dropout mask, writing the
 * pooled output and one code byte per output (the window position of the maximum, + 4 when
 * dropped). Backward: the batch-norm sums over the outputs only (the pool sends each output's
 * gradient to one position), then the input gradient of every position in one pass; the bias
 * gradient Σdx follows from the sums without another pass (batch-statistics.ts). Nothing of full
 * size is kept for the backward pass but the input, which the tape holds anyway.
 */

const KERNEL = 'CellshapeActivationNormPool';

/** {@link BatchNormAttrs} and the dropout of the pooled output (rate 0: none). */
export interface NormPoolAttrs extends BatchNormAttrs {
  /** False: no batch norm (k = 1, c0 = 0; the norm's inputs are ignored). */
  normalise: boolean;
  rate: number;
  /** The dropout draw's seed (see dropout-mask.ts). */
  seed: number;
}

type Inputs = Record<'x' | 'inputBias' | 'weight' | 'bias' | 'mean' | 'variance', tf.Tensor>;

function geometry(x: tf.Tensor, a: NormPoolAttrs) {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const dropping = a.training && a.rate > 0;
  return {
    channels,
    width,
    outRows: (batch * height) / 2,
    count: batch * height * width,
    outShape: [batch, height / 2, width / 2, channels],
    chunk: chunkRows(2 * width * channels),
    threshold: dropping ? dropoutThreshold(a.rate) : 0,
    keepScale: dropping ? Math.fround(1 / (1 - a.rate)) : 1,
  };
}

function forward(inputs: Inputs, a: NormPoolAttrs): tf.Tensor[] {
  const { x, inputBias, weight, bias } = inputs;
  const g = geometry(x, a);
  const { mean, variance, sums } = a.normalise
    ? statistics(x, inputBias, inputs, a)
    : {
        mean: new Float64Array(g.channels),
        variance: new Float64Array(g.channels),
        sums: undefined,
      };
  const { k, c0 } = a.normalise
    ? forwardConstants(mean, variance, weight.dataSync(), bias.dataSync(), a.eps)
    : { k: new Float32Array(g.channels).fill(1), c0: new Float32Array(g.channels) };
  const constants = channelTensors(k, c0);
  const y = uninitialised(g.outShape);
  const codes = uninitialised([Math.ceil(y.size / 4)], 'int32');
  runFused(
    'poolForward',
    [pointer(x), g.channels, g.width, pointer(inputBias)],
    [
      a.slope,
      ...constants.map(pointer),
      g.threshold,
      g.keepScale,
      dropoutSeed(a.seed),
      pointer(y),
      pointer(codes),
    ],
    g.outRows,
    g.chunk,
  );
  tf.dispose(constants);
  // Σa' and Σa'·a of the forward pass, for the gradient of the input bias (zero in evaluation).
  const zeros = new Float64Array(g.channels);
  const activationSums = tf.tensor2d(
    [...(sums?.s3 ?? zeros), ...(sums?.s4 ?? zeros)],
    [2, g.channels],
    'float32',
  );
  return [y, codes, ...channelTensors(mean, variance), activationSums];
}

/** The gradient constants without batch norm: dx = a'·g, the bias gradient Σg·a'. */
function unnormalised(gradTimesSlope: Float64Array): BackwardConstants {
  const c = gradTimesSlope.length;
  return {
    dGamma: new Float32Array(c),
    dBeta: new Float32Array(c),
    dInputBias: Float32Array.from(gradTimesSlope),
    k: new Float32Array(c).fill(1),
    c1: new Float32Array(c),
    c0: new Float32Array(c),
  };
}

/** The gradient: the backward sums over the outputs, then the constants of batch-statistics.ts. */
function gradient(dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const dy = (dys as tf.Tensor[])[0] as tf.Tensor;
  const [x, inputBias, weight, codes, mean, variance, activationSums] = saved as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
  const a = attrs as unknown as NormPoolAttrs;
  const g = geometry(x, a);
  const operands = () => [
    pointer(x),
    pointer(dy),
    pointer(codes),
    g.channels,
    g.width,
    pointer(inputBias),
  ];
  let memo: BackwardConstants | undefined;
  const constants = () => {
    if (memo === undefined) {
      const sums = channelSums(
        'poolSums',
        operands(),
        [a.slope, g.keepScale],
        g.channels,
        g.outRows,
        g.chunk,
      );
      const forwardSums = activationSums.dataSync();
      const c = g.channels;
      const activation = {
        s1: new Float64Array(c),
        s2: new Float64Array(c),
        s3: Float64Array.from(forwardSums.subarray(0, c)),
        s4: Float64Array.from(forwardSums.subarray(c)),
      };
      const stats = {
        mean: mean.dataSync(),
        variance: variance.dataSync(),
        gamma: weight.dataSync(),
      };
      memo = a.normalise
        ? backwardConstants(sums, activation, g.count, stats, a.eps, a.training)
        : unnormalised(sums.s3);
    }
    return memo;
  };
  return {
    x: () => {
      const c = channelTensors(constants().k, constants().c1, constants().c0);
      const dx = uninitialised(x.shape);
      runFused(
        'poolGrad',
        operands(),
        [a.slope, g.keepScale, ...c.map(pointer), pointer(dx)],
        g.outRows,
        g.chunk,
      );
      tf.dispose(c);
      return dx;
    },
    inputBias: () => tf.tensor1d(constants().dInputBias),
    weight: () => tf.tensor1d(constants().dGamma),
    bias: () => tf.tensor1d(constants().dBeta),
    mean: () => tf.zerosLike(mean),
    variance: () => tf.zerosLike(variance),
  };
}

function registerKernel(): void {
  if (tf.getGradient(KERNEL) !== undefined) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      forward(
        inputs as unknown as Inputs,
        attrs as unknown as NormPoolAttrs,
      ) as unknown as tf.TensorInfo[],
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['x', 'inputBias', 'weight'],
    outputsToSave: [false, true, true, true, true],
    gradFunc: (dys, saved, attrs) => gradient(dys, saved, attrs),
  });
}

/**
 * The fused block on `x` `[B, H, W, C]` plus `inputBias` `[C]` (check `fusedAvailable(C)` and
 * even H, W first): the pooled, dropped-out output `[B, H/2, W/2, C]` and the statistics used
 * (`mean`, biased `variance`). Differentiable in `x`, `inputBias`, `weight` and `bias`.
 */
export function fusedNormPool(
  x: tf.Tensor4D,
  inputBias: tf.Tensor,
  params: { weight: tf.Tensor; bias: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor },
  attrs: NormPoolAttrs,
): { y: tf.Tensor4D; mean: tf.Tensor; variance: tf.Tensor } {
  registerKernel();
  const [y, codes, mean, variance, activationSums] = tf
    .engine()
    .runKernel(
      KERNEL,
      { x, inputBias, ...params },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
  tf.dispose([codes as tf.Tensor, activationSums as tf.Tensor]);
  return { y: y as tf.Tensor4D, mean: mean as tf.Tensor, variance: variance as tf.Tensor };
}
