import { invalidArgument, type NdArray, type Rng, shapeSize } from '@cellshape/core';
import type { Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { permuteAxes, tfjsToTorchAxes, torchToTfjsAxes } from './weight-layout.js';

/**
 * How a parameter's variable holds PyTorch's tensor:
 * * `'torch'`: as is, same shape and order (biases, batch-norm weight and bias);
 * * `'tfjs'`: a weight in tfjs's layout, PyTorch's tensor with its two channel axes swapped and
 *   moved last ({@link torchToTfjsAxes}: `[out, in]` → `[in, out]`, `[out, in, k…]` →
 *   `[k…, in, out]`, transposed convolution `[in, out, k…]` → `[k…, out, in]`), then reshaped
 *   to the variable's shape (a 1×1 convolution `[out, in, 1, 1]` may be held as the matrix
 *   `[in, out]`: the unit axes do not change the order of the values).
 */
export type ParameterLayout = 'torch' | 'tfjs';

/** A trainable tensor with the PyTorch shape and layout it corresponds to. */
export interface Parameter {
  /** The tfjs variable the forward pass uses (trainable). */
  readonly variable: Variable;
  /** The shape of the PyTorch parameter, e.g. `[out, in, 3, 3, 3]`. */
  readonly torchShape: readonly number[];
  /** How `variable` holds PyTorch's values. */
  readonly layout: ParameterLayout;
}

/**
 * PyTorch's `fan_in` of a weight: `weight.size(1) · ∏ kernel` = `∏ torchShape / torchShape[0]`.
 * For a transposed convolution (`[in, out, k…]`) PyTorch also uses `weight.size(1)`, there the
 * number of output channels, and so does this.
 */
export function fanIn(torchShape: readonly number[]): number {
  if (torchShape.length < 2 || !torchShape.every((d) => Number.isInteger(d) && d > 0))
    throw invalidArgument(
      'fanIn',
      'torchShape',
      'a weight shape of rank ≥ 2 with positive sizes',
      torchShape,
    );
  return shapeSize(torchShape) / (torchShape[0] as number);
}

/** `count` values uniform on ±bound, drawn from `rng` one after another. */
function uniformValues(rng: Rng, count: number, bound: number): Float32Array {
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = rng.uniform(-bound, bound);
  return data;
}

/**
 * A weight with PyTorch's default initialisation of `Linear`, `Conv*d` and `ConvTranspose*d`:
 * kaiming-uniform with a = √5, i.e. uniform on ±1/√{@link fanIn}, drawn from `rng` in PyTorch's
 * row-major order of `torchShape` (so a given seed gives the same weights whatever the layout),
 * held in the {@link ParameterLayout} `'tfjs'`.
 *
 * @param torchShape PyTorch's shape (`[out, in]`, `[out, in, k…]` or `[in, out, k…]`).
 * @param variableShape the variable's shape, of the same size. Default: the tfjs layout of
 *   `torchShape` (`[in, out]`, `[k…, in, out]`, `[k…, out, in]`); see {@link matrixWeight}.
 */
export function weightParameter(
  rng: Rng,
  torchShape: readonly number[],
  variableShape?: readonly number[],
): Parameter {
  const bound = 1 / Math.sqrt(fanIn(torchShape));
  const torch = uniformValues(rng, shapeSize(torchShape), bound);
  const tfjs = permuteAxes(torch, torchShape, torchToTfjsAxes(torchShape.length));
  const shape = variableShape ?? tfjs.shape;
  if (shapeSize(shape) !== torch.length)
    throw invalidArgument(
      'weightParameter',
      'variableShape',
      `a shape of ${torch.length} values`,
      variableShape,
    );
  const variable = tf.variable(tf.tensor(tfjs.data, [...shape]), true);
  return { variable, torchShape: [...torchShape], layout: 'tfjs' };
}

/**
 * A {@link weightParameter} held as the matrix `[in, out]` of `x · w`: the weight of a `Linear`
 * (`[out, in]`) or of a 1×1 convolution (`[out, in, 1]`, `[out, in, 1, 1]`) applied to
 * channels-last rows.
 */
export function matrixWeight(rng: Rng, torchShape: readonly number[]): Parameter {
  const out = torchShape[0] as number;
  return weightParameter(rng, torchShape, [fanIn(torchShape), out]);
}

/**
 * A bias with PyTorch's default initialisation: uniform on ±1/√fanIn (`fanIn` of the layer's
 * weight, see {@link fanIn}), drawn from `rng`.
 */
export function biasParameter(rng: Rng, size: number, weightFanIn: number): Parameter {
  const data = uniformValues(rng, size, 1 / Math.sqrt(weightFanIn));
  return { variable: tf.variable(tf.tensor1d(data), true), torchShape: [size], layout: 'torch' };
}

/** An existing variable held in PyTorch's layout as is (e.g. a batch-norm weight). */
export function torchParameter(variable: Variable): Parameter {
  return { variable, torchShape: [...variable.shape], layout: 'torch' };
}

/**
 * Values in the layout of `parameter.variable` → PyTorch's layout and shape (a copy), e.g. the
 * variable's values or an optimizer moment.
 */
export function parameterToTorch(parameter: Parameter, data: Float32Array): NdArray<Float32Array> {
  const torchShape = [...parameter.torchShape];
  if (parameter.layout === 'torch') return { data: data.slice(), shape: torchShape };
  // The variable is the tfjs layout reshaped: read it in the full-rank tfjs shape.
  const tfjsShape = torchToTfjsAxes(torchShape.length).map((axis) => torchShape[axis] as number);
  const torch = permuteAxes(data, tfjsShape, tfjsToTorchAxes(torchShape.length));
  return { data: torch.data, shape: torchShape };
}

/** Values in PyTorch's layout → the layout and shape of `parameter.variable` (a copy). */
export function parameterFromTorch(
  parameter: Parameter,
  data: Float32Array,
): NdArray<Float32Array> {
  const shape = [...parameter.variable.shape];
  if (parameter.layout === 'torch') return { data: data.slice(), shape };
  const tfjs = permuteAxes(
    data,
    parameter.torchShape,
    torchToTfjsAxes(parameter.torchShape.length),
  );
  return { data: tfjs.data, shape };
}
