import type { Rng } from '@cellshape/core';
import { shapeSize } from '@cellshape/core';
import type { Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A trainable tensor with its PyTorch name and shape. Convolution and linear weights are
 * stored transposed, as `[in, out]` (so the forward pass is an untransposed matMul), while
 * PyTorch holds them as `[out, in]`, `[out, in, 1]` or `[out, in, 1, 1]`.
 */
export interface ParameterEntry {
  /** PyTorch `named_parameters()` name, e.g. `encoder.conv1.0.weight`. */
  readonly name: string;
  /** The tfjs variable (layout `[in, out]` for weights, `[C]` for vectors). */
  readonly variable: Variable;
  /** The PyTorch shape. */
  readonly torchShape: readonly number[];
  /** True for weights stored as the transpose of the PyTorch matrix. */
  readonly transposed: boolean;
}

/** Transposes a row-major `[rows, cols]` matrix. */
function transposeMatrix(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

/** Converts an array in the variable's layout to PyTorch's layout (a new array). */
export function toTorchLayout(entry: ParameterEntry, data: Float32Array): Float32Array {
  if (!entry.transposed) return data.slice();
  const [rows, cols] = entry.variable.shape as [number, number];
  return transposeMatrix(data, rows, cols);
}

/** Converts an array in PyTorch's layout to the variable's layout (a new array). */
export function fromTorchLayout(entry: ParameterEntry, data: Float32Array): Float32Array {
  if (!entry.transposed) return data.slice();
  const [rows, cols] = entry.variable.shape as [number, number];
  return transposeMatrix(data, cols, rows);
}

/**
 * A PyTorch-initialised weight of a 1×1 convolution or linear layer: kaiming-uniform with
 * a = √5, i.e. uniform on ±1/√fan_in, drawn in PyTorch's row-major `[out, in]` order.
 */
export function weightEntry(name: string, rng: Rng, torchShape: number[]): ParameterEntry {
  const out = torchShape[0] as number;
  const fanIn = shapeSize(torchShape) / out;
  const bound = 1 / Math.sqrt(fanIn);
  const data = new Float32Array(out * fanIn);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
  const entry = { name, torchShape, transposed: true } as const;
  const variable = tf.variable(tf.tensor2d(transposeMatrix(data, out, fanIn), [fanIn, out]), true);
  return { ...entry, variable };
}

/** A PyTorch-initialised bias: uniform on ±1/√fan_in. */
export function biasEntry(name: string, rng: Rng, size: number, fanIn: number): ParameterEntry {
  const bound = 1 / Math.sqrt(fanIn);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.uniform(-bound, bound);
  return {
    name,
    torchShape: [size],
    transposed: false,
    variable: tf.variable(tf.tensor1d(data), true),
  };
}

/** Wraps an existing vector variable (batch-norm weight or bias). */
export function vectorEntry(name: string, variable: Variable): ParameterEntry {
  return { name, torchShape: [...variable.shape], transposed: false, variable };
}
