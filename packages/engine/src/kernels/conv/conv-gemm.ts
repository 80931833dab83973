import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { gatherColumns, scatterColumns } from './columns.js';
import { disjointTapsApplies, disjointTapsInputGrad } from './disjoint-taps.js';
import {
  fusedColumnsApplies,
  fusedColumnsFilterGrad,
  fusedColumnsForward,
  fusedColumnsInputGrad,
  fusedFilterGradApplies,
  fusedInputGradApplies,
} from './fused-columns.js';
import {
  type ConvGeometry,
  columnWidth,
  filterShape,
  inputShape,
  isPointwise,
  outputRows,
  outputShape,
} from './geometry.js';
import {
  oneChannel3dApplies,
  oneChannel3dFilterApplies,
  oneChannel3dFilterGrad,
  oneChannel3dForward,
} from './one-channel-3d.js';
import {
  singleChannelApplies,
  singleChannelFilterGrad,
  singleChannelForward,
} from './single-channel.js';
import {
  depthToSpace,
  spaceToDepth,
  spaceToDepthApplies,
  spaceToDepthFilter,
  spaceToDepthFilterGrad,
  spaceToDepthGeometry,
} from './space-to-depth.js';
import { uninitialised, wasmColumns, wasmColumnsAvailable } from './wasm-columns.js';
import { matMul, matMulTransposedA } from './wasm-gemm.js';
import {
  winogradApplies,
  winogradFilterGrad,
  winogradForward,
  winogradInputGrad,
} from './winograd.js';
import {
  winograd3dApplies,
  winograd3dFilterGrad,
  winograd3dForward,
  winograd3dInputGrad,
} from './winograd3d.js';

/**
 * The three products of a convolution as column matrices times the filter, each a matrix
 * product (wasm-gemm.ts: our SIMD GEMM on both threads on the threaded wasm backend, else
 * `tf.matMul`) over row chunks of at
 * most {@link CHUNK_VALUES} column values (`chunkValues`; tests make it small), so that memory
 * stays bounded whatever the batch. On the wasm backend the columns are written straight into
 * the backend's memory. Not differentiable on their own: `convolution` and
 * `convolutionTranspose` pair them as each other's gradients.
 */

/** Column values per chunk (32 MB of float32): large products, bounded memory. */
export const CHUNK_VALUES = 2 ** 23;

/**
 * Row ranges `[r0, r1)` covering the output rows, each with at most `chunkValues` values: whole
 * blocks of 240 rows when that many fit (our GEMM takes chunks whose rows are multiples of 4).
 */
function chunks(g: ConvGeometry, chunkValues: number): Array<[number, number]> {
  const rows = outputRows(g);
  const fit = Math.max(1, Math.floor(chunkValues / columnWidth(g)));
  const step = fit >= 240 ? fit - (fit % 240) : fit;
  const out: Array<[number, number]> = [];
  for (let r0 = 0; r0 < rows; r0 += step) out.push([r0, Math.min(rows, r0 + step)]);
  return out;
}

/** The filter `[…kernel, C_in, C_out]` as the matrix `[K, C_out]`. */
function filterMatrix(filter: tf.Tensor, g: ConvGeometry): tf.Tensor2D {
  return tf.reshape(filter, [columnWidth(g), g.outChannels]);
}

/**
 * A new float32 tensor of `shape` filled by `fill` (given its values, all zero): on the wasm
 * backend written in place in the backend's memory (no copy in or out), elsewhere a new array.
 * `fill` must take any other view of wasm memory itself (an allocation may move it).
 */
function filledTensor(shape: number[], fill: (values: Float32Array) => void): tf.Tensor {
  if (tf.getBackend() === 'wasm') {
    const t = tf.zeros(shape, 'float32');
    fill(readNow(t));
    return t;
  }
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(values);
  return tf.tensor(values, shape, 'float32');
}

/** The columns of rows `[r0, r1)` of `x` as a tensor `[r1 − r0, K]`. */
function columnsTensor(x: tf.Tensor, g: ConvGeometry, r0: number, r1: number): tf.Tensor2D {
  if (wasmColumnsAvailable()) {
    const cols = uninitialised([r1 - r0, columnWidth(g)]) as tf.Tensor2D;
    wasmColumns(x, cols, g, r0, r1, 'gather');
    return cols;
  }
  return filledTensor([r1 - r0, columnWidth(g)], (cols) =>
    gatherColumns(readNow(x), g, r0, r1, cols),
  ) as tf.Tensor2D;
}

/**
 * The convolution of `x` (the geometry's input) by `filter`, plus `bias` `[C_out]` if given:
 * `[B, …out, C_out]`. On the threaded wasm backend 3×3 stride-1 (2-D and 3-D) and 5×5×5
 * stride-2 convolutions take Winograd (winograd.ts, winograd3d.ts, space-to-depth.ts), 2-D
 * one-channel ones single-channel.ts, other 3-D ones the columns fused with their product per
 * block (fused-columns.ts), the rest the columns.
 */
export function convForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = CHUNK_VALUES,
  bias?: tf.Tensor,
): tf.Tensor {
  // The Winograd and one-channel kernels add the bias as they write; the columns after the product.
  if (winogradApplies(g)) return winogradForward(x, filter, g, undefined, bias);
  if (singleChannelApplies(g)) return singleChannelForward(x, filter, g, bias);
  if (winograd3dApplies(g)) return winograd3dForward(x, filter, g, bias);
  if (spaceToDepthApplies(g))
    return tf.tidy(() =>
      winograd3dForward(
        spaceToDepth(x, g),
        spaceToDepthFilter(filter, g),
        spaceToDepthGeometry(g),
        bias,
        { spaceToDepth: true },
      ),
    );
  // The 3-D convolutions that neither Winograd form takes: one-channel ones straight from the
  // input, the others by columns and product fused.
  if (oneChannel3dApplies(g)) return oneChannel3dForward(x, filter, g, bias);
  if (fusedColumnsApplies(g) && !winograd3dApplies(g) && !spaceToDepthApplies(g))
    return fusedColumnsForward(x, filter, g, bias);
  const y = convProduct(x, filter, g, chunkValues);
  if (bias === undefined) return y;
  const out = tf.add(y, bias);
  y.dispose();
  return out;
}

/** {@link convForward} without the bias, by the columns. */
function convProduct(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues: number,
): tf.Tensor {
  return tf.tidy(() => {
    const w = filterMatrix(filter, g);
    if (isPointwise(g))
      return tf.reshape(
        matMul(tf.reshape(x, [-1, g.inChannels]) as tf.Tensor2D, w),
        outputShape(g),
      );
    const parts = chunks(g, chunkValues).map(([r0, r1]) => {
      const cols = columnsTensor(x, g, r0, r1);
      const y = matMul(cols, w);
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
 * `[B, …in, C_in]`, each chunk's `dy · filterᵀ` added back to the positions its columns read —
 * or, where the forward takes Winograd, the stride-1 convolution of `dy` by the flipped filter
 * (moved back by depth-to-space for a 5×5×5 stride-2 one). This is also the transposed
 * convolution of `dy`.
 */
export function convInputGrad(
  dy: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = CHUNK_VALUES,
): tf.Tensor {
  return tf.tidy(() => {
    if (winogradApplies(g)) return winogradInputGrad(dy, filter, g);
    if (disjointTapsApplies(g)) return disjointTapsInputGrad(dy, filter, g);
    if (winograd3dApplies(g)) return winograd3dInputGrad(dy, filter, g);
    if (spaceToDepthApplies(g)) {
      const f = spaceToDepthFilter(filter, g);
      const s = spaceToDepthGeometry(g);
      return depthToSpace(winograd3dInputGrad(dy, f, s, { spaceToDepth: true }), g);
    }
    if (fusedInputGradApplies(g)) return fusedColumnsInputGrad(dy, filter, g);
    const wT = tf.transpose(filterMatrix(filter, g)) as tf.Tensor2D;
    const rows = tf.reshape(dy, [outputRows(g), g.outChannels]) as tf.Tensor2D;
    if (isPointwise(g)) return tf.reshape(matMul(rows, wT), inputShape(g));
    // On wasm dx lives in the backend's memory, elsewhere in an array of ours.
    const wasm = tf.getBackend() === 'wasm';
    const dx = wasm ? tf.zeros(inputShape(g), 'float32') : undefined;
    const host = wasm ? undefined : new Float32Array(inputShape(g).reduce((a, b) => a * b, 1));
    for (const [r0, r1] of chunks(g, chunkValues)) {
      const part = tf.tidy(() => matMul(tf.slice(rows, [r0, 0], [r1 - r0, -1]), wT));
      if (wasmColumnsAvailable()) wasmColumns(dx as tf.Tensor, part, g, r0, r1, 'scatter');
      // Views taken after the product's allocation (which may move the wasm memory).
      else scatterColumns(readNow(part), g, r0, r1, host ?? readNow(dx as tf.Tensor));
      part.dispose();
    }
    return dx ?? tf.tensor(host as Float32Array, inputShape(g), 'float32');
  });
}

/**
 * The adjoint of {@link convForward} in its filter: `Σ_rows columns(x)ᵀ · dy`, in tfjs's filter
 * layout `[…kernel, C_in, C_out]`, summed over chunks (`matMulTransposedA`: our GEMM reads the
 * columns transposed in place; for tfjs's `matMul` they are transposed first).
 */
export function convFilterGrad(
  x: tf.Tensor,
  dy: tf.Tensor,
  g: ConvGeometry,
  chunkValues = CHUNK_VALUES,
): tf.Tensor {
  return tf.tidy(() => {
    if (winogradApplies(g)) return winogradFilterGrad(x, dy, g);
    if (singleChannelApplies(g)) return singleChannelFilterGrad(x, dy, g);
    if (winograd3dApplies(g)) return winograd3dFilterGrad(x, dy, g);
    if (spaceToDepthApplies(g)) {
      const stride1 = winograd3dFilterGrad(spaceToDepth(x, g), dy, spaceToDepthGeometry(g), {
        spaceToDepth: true,
      });
      return spaceToDepthFilterGrad(stride1, g);
    }
    if (oneChannel3dFilterApplies(g)) return oneChannel3dFilterGrad(x, dy, g);
    if (fusedFilterGradApplies(g)) return fusedColumnsFilterGrad(x, dy, g);
    const rows = tf.reshape(dy, [outputRows(g), g.outChannels]) as tf.Tensor2D;
    if (isPointwise(g)) {
      const x2d = tf.reshape(x, [-1, g.inChannels]) as tf.Tensor2D;
      return tf.reshape(matMulTransposedA(x2d, rows), filterShape(g));
    }
    let sum: tf.Tensor | undefined;
    for (const [r0, r1] of chunks(g, chunkValues)) {
      const next = tf.tidy(() => {
        const cols = columnsTensor(x, g, r0, r1);
        const part = matMulTransposedA(cols, tf.slice(rows, [r0, 0], [r1 - r0, -1]));
        return sum === undefined ? part : tf.add(sum, part);
      });
      sum?.dispose();
      sum = next;
    }
    return tf.reshape(sum as tf.Tensor, filterShape(g));
  });
}
