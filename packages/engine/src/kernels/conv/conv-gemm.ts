import * as tf from '@tensorflow/tfjs-core';
import { gatherColumns, scatterColumns } from './columns.js';
import {
  type ConvGeometry,
  columnWidth,
  filterShape,
  inputLength,
  inputShape,
  isPointwise,
  outputRows,
  outputShape,
} from './geometry.js';

/**
 * The three products of a convolution as column matrices times the filter, each a matrix
 * product (`tf.matMul`: XNNPACK's threaded GEMM on the wasm backend) over row chunks of at
 * most {@link CHUNK_VALUES} column values, so that memory stays bounded whatever the batch.
 * (`chunkValues`: tests make it small). Not differentiable on their own: `convolution` / `convolutionTranspose` pair them as each
 * other's gradients.
 */

/** Column values per chunk (32 MB of float32): large products, bounded memory. */
export const CHUNK_VALUES = 2 ** 23;

/** Row ranges `[r0, r1)` covering the output rows, each with at most {@link CHUNK_VALUES} values. */
function chunks(g: ConvGeometry, chunkValues: number): Array<[number, number]> {
  const rows = outputRows(g);
  const step = Math.max(1, Math.floor(chunkValues / columnWidth(g)));
  const out: Array<[number, number]> = [];
  for (let r0 = 0; r0 < rows; r0 += step) out.push([r0, Math.min(rows, r0 + step)]);
  return out;
}

/** The filter `[…kernel, C_in, C_out]` as the matrix `[K, C_out]`. */
function filterMatrix(filter: tf.Tensor, g: ConvGeometry): tf.Tensor2D {
  return tf.reshape(filter, [columnWidth(g), g.outChannels]);
}

/** The columns of rows `[r0, r1)` as a tensor `[r1 − r0, K]` (`buffer` is reused scratch). */
function columnsTensor(
  input: Float32Array,
  g: ConvGeometry,
  r0: number,
  r1: number,
  buffer: Float32Array,
): tf.Tensor2D {
  const K = columnWidth(g);
  const view = buffer.subarray(0, (r1 - r0) * K);
  gatherColumns(input, g, r0, r1, view);
  // The cpu backend keeps the array it is given: hand it a copy unless the view is all of it.
  return tf.tensor2d(tf.getBackend() === 'cpu' ? view.slice() : view, [r1 - r0, K]);
}

function scratch(g: ConvGeometry, chunkValues: number): Float32Array {
  const rows = Math.min(outputRows(g), Math.max(1, Math.floor(chunkValues / columnWidth(g))));
  return new Float32Array(rows * columnWidth(g));
}

/** The convolution of `x` (the geometry's input) by `filter`: `[B, …out, C_out]`. */
export function convForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = CHUNK_VALUES,
): tf.Tensor {
  return tf.tidy(() => {
    const w = filterMatrix(filter, g);
    if (isPointwise(g))
      return tf.reshape(
        tf.matMul(tf.reshape(x, [-1, g.inChannels]) as tf.Tensor2D, w),
        outputShape(g),
      );
    const input = x.dataSync() as Float32Array;
    const buffer = scratch(g, chunkValues);
    const parts = chunks(g, chunkValues).map(([r0, r1]) => {
      const cols = columnsTensor(input, g, r0, r1, buffer);
      const y = tf.matMul(cols, w);
      cols.dispose();
      return y;
    });
    return tf.reshape(
      parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 0),
      outputShape(g),
    );
  });
}

/**
 * The adjoint of {@link convForward} in its input ("col2vol"): `dy` `[B, …out, C_out]` →
 * `[B, …in, C_in]`, each chunk's `dy · filterᵀ` added back to the positions its columns read.
 * This is also the transposed convolution of `dy`.
 */
export function convInputGrad(
  dy: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = CHUNK_VALUES,
): tf.Tensor {
  return tf.tidy(() => {
    const wT = tf.transpose(filterMatrix(filter, g));
    const rows = tf.reshape(dy, [outputRows(g), g.outChannels]) as tf.Tensor2D;
    if (isPointwise(g)) return tf.reshape(tf.matMul(rows, wT), inputShape(g));
    const dx = new Float32Array(inputLength(g));
    for (const [r0, r1] of chunks(g, chunkValues)) {
      const part = tf.tidy(() => tf.matMul(tf.slice(rows, [r0, 0], [r1 - r0, -1]), wT));
      scatterColumns(part.dataSync() as Float32Array, g, r0, r1, dx);
      part.dispose();
    }
    return tf.tensor(dx, inputShape(g), 'float32');
  });
}

/**
 * The adjoint of {@link convForward} in its filter: `Σ_rows columns(x)ᵀ · dy`, in tfjs's filter
 * layout `[…kernel, C_in, C_out]`. Accumulated as `dyᵀ · columns` (`[C_out, K]`) per chunk: the
 * wasm backend multiplies untransposed operands fastest, and `dy`'s transpose is the small one.
 */
export function convFilterGrad(
  x: tf.Tensor,
  dy: tf.Tensor,
  g: ConvGeometry,
  chunkValues = CHUNK_VALUES,
): tf.Tensor {
  return tf.tidy(() => {
    const rows = tf.reshape(dy, [outputRows(g), g.outChannels]) as tf.Tensor2D;
    if (isPointwise(g)) {
      const xT = tf.transpose(tf.reshape(x, [-1, g.inChannels]));
      return tf.reshape(tf.matMul(xT, rows), filterShape(g));
    }
    const input = x.dataSync() as Float32Array;
    const buffer = scratch(g, chunkValues);
    let sum: tf.Tensor | undefined;
    for (const [r0, r1] of chunks(g, chunkValues)) {
      const next = tf.tidy(() => {
        const cols = columnsTensor(input, g, r0, r1, buffer);
        const part = tf.matMul(tf.transpose(tf.slice(rows, [r0, 0], [r1 - r0, -1])), cols);
        return sum === undefined ? part : tf.add(sum, part);
      });
      sum?.dispose();
      sum = next;
    }
    return tf.reshape(tf.transpose(sum as tf.Tensor), filterShape(g));
  });
}
