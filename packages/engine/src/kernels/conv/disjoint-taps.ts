import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import { type ConvGeometry, inputShape } from './geometry.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';

/**
 * The input gradient of a 2-D convolution whose kernel is its stride (no padding, e.g. 2×2
 * stride 2): its taps never overlap, so it is — as the forward pass of the transposed
 * convolution, U-Net's 2×2 up-convolution — one product `dy_row [W', C_out] · w_tapᵀ
 * [C_out, C_in]` per input row and tap, which the SIMD GEMM of conv-kernels.wat writes straight
 * to the tap's interleaved positions, rows shared between both threads. The columns path
 * instead multiplies `[rows, C_out] · [C_out, k·C_in]` (short inner side, slow in XNNPACK) and
 * scatters the product back (docs/performance.md, "2D convolution").
 */

/**
 * Whether {@link disjointTapsInputGrad} computes this geometry: 2-D, kernel equal to the
 * stride, no padding, input exactly covered by the taps, output width and input channels
 * multiples of 4, on the threaded wasm backend.
 */
export function disjointTapsApplies(g: ConvGeometry): boolean {
  return (
    g.dims === 2 &&
    ([1, 2] as const).every(
      (i) =>
        g.kernel[i] === g.stride[i] &&
        g.padding[i] === 0 &&
        g.inSize[i] === g.outSize[i] * g.kernel[i],
    ) &&
    g.outSize[2] % 4 === 0 &&
    g.inChannels % 4 === 0 &&
    wasmColumnsAvailable()
  );
}

/** The filter's taps transposed: `[k_h, k_w, C_out, C_in]` from `[k_h, k_w, C_in, C_out]`. */
function tapsTransposed(filter: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const [ci, co] = [g.inChannels, g.outChannels];
  const f = filter.dataSync() as Float32Array;
  const t = new Float32Array(f.length);
  for (let tap = 0; tap < g.kernel[1] * g.kernel[2]; tap++)
    for (let c = 0; c < ci; c++)
      for (let o = 0; o < co; o++)
        t[(tap * co + o) * ci + c] = f[(tap * ci + c) * co + o] as number;
  return tf.tensor1d(t);
}

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/**
 * `dy` `[B, H', W', C_out]` → `[B, H, W, C_in]`, the input gradient of the convolution by
 * `filter` `[k_h, k_w, C_in, C_out]` (check {@link disjointTapsApplies}).
 */
export function disjointTapsInputGrad(
  dy: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
): tf.Tensor {
  const wt = tapsTransposed(filter, g);
  const dx = uninitialised(inputShape(g));
  const [h, w] = [g.outSize[1], g.outSize[2]];
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'disjointTapsInputGrad',
    [dy, wt, dx].map(address).concat([h, w, g.outChannels, g.inChannels, g.kernel[1], g.kernel[2]]),
    [[], []],
    g.batch * h,
    Math.max(1, Math.ceil(16384 / (w * g.outChannels))),
  );
  wt.dispose();
  return dx;
}
