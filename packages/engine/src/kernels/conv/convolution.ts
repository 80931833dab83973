import { invalidArgument } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkTensor } from '../checks.js';
import { columnSum } from '../column-sum.js';
import { convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import { as3d, type ConvGeometry } from './geometry.js';

/**
 * Strides and zero padding of {@link convolution}, one per spatial axis (PyTorch's `stride`,
 * `padding`; dilation and groups 1).
 */
export interface ConvolutionStep {
  /** Stride per spatial axis. */
  stride: readonly number[];
  /** Zeros on both sides of each spatial axis. */
  padding: readonly number[];
}

/** {@link ConvolutionStep} of {@link convolutionTranspose}, with PyTorch's `output_padding`. */
export interface ConvolutionTransposeStep extends ConvolutionStep {
  /** Positions added at the end of each output axis (below the stride). */
  outputPadding: readonly number[];
}

/** The kernel names of {@link convolution} and {@link convolutionTranspose}. */
const CONVOLUTION = 'CellshapeConvolution';
const CONVOLUTION_TRANSPOSE = 'CellshapeConvolutionTranspose';

/**
 * The backends the kernels are registered for: they are built from tfjs ops (`matMul`, …), so
 * any backend runs them.
 */
const BACKENDS = ['cpu', 'wasm', 'tensorflow', 'webgl'];

type Inputs = { x: tf.Tensor; filter: tf.Tensor; bias?: tf.Tensor };
const geometryOf = (attrs: tf.NamedAttrMap) => attrs.geometry as unknown as ConvGeometry;

/**
 * Registers both ops as tfjs kernels with gradients (once): a kernel's gradient is asked only
 * for the inputs that need one (the first layer's input gradient is never computed), which
 * `tf.customGrad` cannot do. Each op's input gradient is the other op's forward.
 */
function registerKernels(): void {
  if (tf.getGradient(CONVOLUTION) !== undefined) return;
  const forward: Record<string, (i: Inputs, g: ConvGeometry) => tf.Tensor> = {
    [CONVOLUTION]: ({ x, filter, bias }, g) => convForward(x, filter, g, undefined, bias),
    [CONVOLUTION_TRANSPOSE]: ({ x, filter }, g) => convInputGrad(x, filter, g),
  };
  for (const [kernelName, f] of Object.entries(forward))
    for (const backendName of BACKENDS)
      tf.registerKernel({
        kernelName,
        backendName,
        // A kernel may return a tensor of its own ops (tfjs then uses it as the output).
        kernelFunc: ({ inputs, attrs }) =>
          f(
            inputs as unknown as Inputs,
            geometryOf(attrs as tf.NamedAttrMap),
          ) as unknown as tf.TensorInfo,
      });
  tf.registerGradient({
    kernelName: CONVOLUTION,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor, tf.Tensor];
      const g = geometryOf(attrs);
      return {
        x: () => convInputGrad(dy as tf.Tensor, filter, g),
        filter: () => convFilterGrad(x, dy as tf.Tensor, g),
        // Asked for only when the op had a bias.
        bias: () => columnSum(tf.reshape(dy as tf.Tensor, [-1, g.outChannels])),
      };
    },
  });
  tf.registerGradient({
    kernelName: CONVOLUTION_TRANSPOSE,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor, tf.Tensor];
      const g = geometryOf(attrs);
      return {
        x: () => convForward(dy as tf.Tensor, filter, g),
        filter: () => convFilterGrad(dy as tf.Tensor, x, g),
      };
    },
  });
}

function run(
  kernel: string,
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  bias?: tf.Tensor,
): tf.Tensor {
  registerKernels();
  const attrs = { geometry: g as unknown as tf.NamedAttrMap[string] };
  const inputs: tf.NamedTensorMap = bias === undefined ? { x, filter } : { x, filter, bias };
  return tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor;
}

/** The rank check shared by both ops: `x` `[B, …spatial, C]`, filter `[…k, A, Z]`. */
function shapes(fn: string, x: tf.Tensor, filter: tf.Tensor, step: ConvolutionStep) {
  const rank = x.rank === 4 || x.rank === 5 ? x.rank : 5;
  const xShape = checkTensor(fn, 'x', x, rank);
  const fShape = checkTensor(fn, 'filter', filter, rank);
  const dims = (rank - 2) as 2 | 3;
  for (const [arg, v] of [
    ['step.stride', step.stride],
    ['step.padding', step.padding],
  ] as const)
    if (v.length !== dims) throw invalidArgument(fn, arg, `${dims} sizes`, v);
  return { dims, xShape, fShape };
}

function geometry(
  dims: 2 | 3,
  batch: number,
  inSize: number[],
  outSize: number[],
  fShape: number[],
  step: ConvolutionStep,
): ConvGeometry {
  return {
    dims,
    batch,
    inSize: as3d(inSize, 1),
    inChannels: fShape[dims] as number,
    outSize: as3d(outSize, 1),
    outChannels: fShape[dims + 1] as number,
    kernel: as3d(fShape.slice(0, dims), 1),
    stride: as3d(step.stride, 1),
    padding: as3d(step.padding, 0),
  };
}

/**
 * PyTorch's convolution (cross-correlation) on channels-last tensors, differentiable in both
 * inputs: `x` `[B, …spatial, C_in]` (2 or 3 spatial axes) by tfjs's filter
 * `[…kernel, C_in, C_out]`, zeros padded on both sides → `[B, …spatial', C_out]` with
 * `spatial' = ⌊(n + 2p − k)/s⌋ + 1`, plus `bias` `[C_out]` if given (the 2-D kernels add it as
 * they write the output; its gradient is `Σ dy` in two levels, `columnSum`). Computed as
 * columns × filter products (see `conv-gemm.ts`); its input gradient is
 * {@link convolutionTranspose}'s forward.
 */
export function convolution(
  x: tf.Tensor,
  filter: tf.Tensor,
  step: ConvolutionStep,
  bias?: tf.Tensor,
): tf.Tensor {
  const fn = 'convolution';
  const { dims, xShape, fShape } = shapes(fn, x, filter, step);
  if (xShape[dims + 1] !== fShape[dims])
    throw invalidArgument(fn, 'x', `${fShape[dims]} channels (the filter's)`, xShape);
  const inSize = xShape.slice(1, dims + 1);
  const outSize = inSize.map(
    (n, i) =>
      Math.floor(
        (n + 2 * (step.padding[i] as number) - (fShape[i] as number)) / (step.stride[i] as number),
      ) + 1,
  );
  if (outSize.some((n) => n < 1))
    throw invalidArgument(fn, 'x', 'spatial sizes with a non-empty output', xShape);
  const g = geometry(dims, xShape[0] as number, inSize, outSize, fShape, step);
  if (bias !== undefined && checkTensor(fn, 'bias', bias, 1)[0] !== g.outChannels)
    throw invalidArgument(
      fn,
      'bias',
      `[${g.outChannels}] (the filter's output channels)`,
      bias.shape,
    );
  return run(CONVOLUTION, x, filter, g, bias);
}

/**
 * PyTorch's transposed convolution on channels-last tensors, differentiable in both inputs:
 * `x` `[B, …spatial, C_in]` by tfjs's transposed filter `[…kernel, C_out, C_in]` →
 * `[B, …spatial', C_out]`, `spatial' = (n − 1)·s − 2p + k + outputPadding`. It is the input
 * gradient of the convolution from `spatial'` to `spatial` by the same filter ("col2vol"), and
 * its own input gradient is that convolution.
 */
export function convolutionTranspose(
  x: tf.Tensor,
  filter: tf.Tensor,
  step: ConvolutionTransposeStep,
): tf.Tensor {
  const fn = 'convolutionTranspose';
  const { dims, xShape, fShape } = shapes(fn, x, filter, step);
  if (xShape[dims + 1] !== fShape[dims + 1])
    throw invalidArgument(fn, 'x', `${fShape[dims + 1]} channels (the filter's last axis)`, xShape);
  if (step.outputPadding.length !== dims)
    throw invalidArgument(fn, 'step.outputPadding', `${dims} sizes`, step.outputPadding);
  const inSize = xShape.slice(1, dims + 1);
  const outSize = inSize.map(
    (n, i) =>
      (n - 1) * (step.stride[i] as number) -
      2 * (step.padding[i] as number) +
      (fShape[i] as number) +
      (step.outputPadding[i] as number),
  );
  if (outSize.some((n) => n < 1))
    throw invalidArgument(fn, 'x', 'spatial sizes with a non-empty output', xShape);
  // The convolution read backwards: from this op's output (its input) to this op's input.
  const g = geometry(dims, xShape[0] as number, outSize, inSize, fShape, step);
  return run(CONVOLUTION_TRANSPOSE, x, filter, g);
}
