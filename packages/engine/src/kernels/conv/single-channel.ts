import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import { type ConvGeometry, filterShape, outputShape } from './geometry.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';

/**
 * Stride-1 2-D convolutions of one-channel images (the first layer of an image model, e.g.
 * 3×3 on 128×128 crops), one image at a time on each thread: the image is zero-padded into a
 * buffer of the thread, whose rows read at the taps' offsets are the image's columns, so the
 * forward pass is `k_h` products `[W', k_w] · [k_w, C_out]` per output row and the filter
 * gradient `k_h` products `[4, W'] · [W', C_out]` — the SIMD GEMM of conv-kernels.wat on data
 * in cache. The columns path instead writes 9 values per output position and multiplies
 * `[rows, 9] · [9, C_out]`, a shape XNNPACK runs at a fraction of its speed
 * (docs/performance.md, "2D convolution"). The input gradient of a first layer is never needed; other
 * geometries use the columns.
 */

/**
 * Whether {@link singleChannelForward} and {@link singleChannelFilterGrad} compute this
 * geometry: 2-D, one input channel, stride 1, kernel width at most 4, output width and
 * channels multiples of 4, on the threaded wasm backend.
 */
export function singleChannelApplies(g: ConvGeometry): boolean {
  return (
    g.dims === 2 &&
    g.inChannels === 1 &&
    g.stride[1] === 1 &&
    g.stride[2] === 1 &&
    g.kernel[2] <= 4 &&
    g.outSize[2] % 4 === 0 &&
    g.outChannels % 4 === 0 &&
    wasmColumnsAvailable()
  );
}

/** The kernels' geometry arguments (depth dropped). */
function sizes(g: ConvGeometry): number[] {
  return [
    g.inSize[1],
    g.inSize[2],
    g.outSize[1],
    g.outSize[2],
    g.outChannels,
    g.kernel[1],
    g.kernel[2],
    g.padding[1],
    g.padding[2],
  ];
}

/** A padded image buffer (the kernels' layout: `[H' + k_h − 1, W' + k_w + 3]`). */
const padBuffer = (g: ConvGeometry): tf.Tensor =>
  uninitialised([(g.outSize[1] + g.kernel[1] - 1) * (g.outSize[2] + g.kernel[2] + 3)]);

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/**
 * The convolution of `x` `[B, H, W, 1]` by `filter` `[k_h, k_w, 1, C_out]`, plus `bias`
 * `[C_out]` if given (check {@link singleChannelApplies}).
 */
export function singleChannelForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  bias?: tf.Tensor,
): tf.Tensor {
  const b = bias ?? tf.zeros([g.outChannels], 'float32');
  const y = uninitialised(outputShape(g));
  const pads = [padBuffer(g), padBuffer(g)];
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'singleChannelForward',
    [x, filter, y, b].map(address).concat(sizes(g)),
    pads.map((p) => [address(p)]) as [number[], number[]],
    g.batch,
    1,
  );
  tf.dispose(pads);
  if (b !== bias) b.dispose();
  return y;
}

/**
 * The filter gradient of that convolution, `[k_h, k_w, 1, C_out]`, each thread summing its
 * images into its own `[k_h, 4, C_out]`.
 */
export function singleChannelFilterGrad(x: tf.Tensor, dy: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const [kh, kw, co] = [g.kernel[1], g.kernel[2], g.outChannels];
  const pads = [padBuffer(g), padBuffer(g)];
  const dw = pads.map(() => tf.zeros([kh * 4 * co], 'float32'));
  const { workerShare } = runWasmRowsOnBothThreads(
    convKernelsModule(),
    'singleChannelFilter',
    [x, dy].map(address).concat(sizes(g)),
    pads.map((p, i) => [address(p), address(dw[i] as tf.Tensor)]) as [number[], number[]],
    g.batch,
    1,
    () => readNow(dw[0] as tf.Tensor).fill(0),
  );
  const sum = new Float32Array(kh * kw * co);
  for (const part of workerShare ? dw : dw.slice(0, 1)) {
    const values = readNow(part);
    for (let ky = 0; ky < kh; ky++)
      for (let e = 0; e < kw * co; e++)
        sum[ky * kw * co + e] =
          (sum[ky * kw * co + e] as number) + (values[ky * 4 * co + e] as number);
  }
  tf.dispose([...pads, ...dw]);
  return tf.tensor(sum, filterShape(g), 'float32');
}
