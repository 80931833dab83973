import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import { type ConvGeometry, filterShape, outputShape } from './geometry.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';

/**
 * The forward pass of one-channel 3-D convolutions (the voxel encoders' first layers: 5³ and
 * 7³, stride 2), straight from the zero-padded input: each kernel call keeps 4 output pixels ×
 * 8 channels in registers over all k³ taps, reading the taps where they lie in the padded
 * volume, rows of output shared by both threads; the filter gradient keeps 4 taps × 8 channels
 * in registers over a whole output plane. With one input channel the columns path (even fused
 * per block, fused-columns.ts) spends about a third of its time gathering the k³-wide columns;
 * here there are none. The input gradient (the decoder's one-output-channel transposed
 * convolution) keeps the fused columns.
 */

/** Switches the path off (tests and A/B timings compare it with the columns); not exported from the package. */
export const oneChannel3dSwitch = { enabled: true };

/**
 * Whether {@link oneChannel3dFilterGrad} computes this geometry: 3-D, one input channel, a cubic
 * kernel and the same stride on every axis, output channels a multiple of 8, on the threaded
 * wasm backend.
 */
export function oneChannel3dFilterApplies(g: ConvGeometry): boolean {
  return (
    oneChannel3dSwitch.enabled &&
    g.dims === 3 &&
    g.inChannels === 1 &&
    g.kernel.every((k) => k === g.kernel[0]) &&
    g.stride.every((s) => s === g.stride[0]) &&
    g.outChannels % 8 === 0 &&
    wasmColumnsAvailable()
  );
}

/**
 * Whether {@link oneChannel3dForward} computes this geometry: as
 * {@link oneChannel3dFilterApplies}, with an output width a multiple of 4.
 */
export function oneChannel3dApplies(g: ConvGeometry): boolean {
  return oneChannel3dFilterApplies(g) && g.outSize[2] % 4 === 0;
}

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/**
 * `x` `[B, D, H, W, 1]` as `[B, D', H', W']` with the geometry's zeros before each axis and
 * after it as far as the taps read.
 */
function paddedInput(x: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const [k, s] = [g.kernel[0], g.stride[0]];
  const zeros = g.inSize.map((n, i) => {
    const before = g.padding[i] as number;
    return [before, Math.max(0, ((g.outSize[i] as number) - 1) * s + k - n - before)];
  }) as Array<[number, number]>;
  return tf.tidy(() => tf.pad(tf.reshape(x, [g.batch, ...g.inSize]), [[0, 0], ...zeros]));
}

/**
 * The convolution of `x` `[B, D, H, W, 1]` by `filter` `[k, k, k, 1, C_out]`, plus `bias`
 * `[C_out]` if given (check {@link oneChannel3dApplies}).
 */
export function oneChannel3dForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  bias?: tf.Tensor,
): tf.Tensor {
  const [k, s] = [g.kernel[0], g.stride[0]];
  const padded = paddedInput(x, g);
  const b = bias ?? tf.zeros([g.outChannels], 'float32');
  const y = uninitialised(outputShape(g));
  const [oD, oH, oW] = g.outSize;
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'oneChannel3dForward',
    [padded, filter, y, b]
      .map(address)
      .concat([...padded.shape.slice(1), oD, oH, oW, g.outChannels, k, s]),
    [[], []],
    g.batch * oD * oH,
    Math.max(1, Math.ceil(2 ** 17 / (oW * g.outChannels * k ** 3))),
  );
  tf.dispose(padded);
  if (b !== bias) b.dispose();
  return y;
}

/**
 * The byte offsets of the k³ taps (and 0 up to a multiple of 4) in the padded input `[D', H',
 * W']` from a pixel's first tap, as int32 in the wasm backend's memory.
 */
function tapOffsets(k: number, padded: tf.Tensor): tf.Tensor {
  const [, , hp, wp] = padded.shape as number[];
  const taps = Math.ceil(k ** 3 / 4) * 4;
  const t = tf.zeros([taps], 'float32');
  const view = readNow(t);
  const offsets = new Int32Array(view.buffer, view.byteOffset, taps);
  for (let kd = 0, i = 0; kd < k; kd++)
    for (let kh = 0; kh < k; kh++)
      for (let kw = 0; kw < k; kw++)
        offsets[i++] = ((kd * (hp as number) + kh) * (wp as number) + kw) * 4;
  return t;
}

/**
 * The filter gradient `[k, k, k, 1, C_out]` of that convolution, each thread summing its output
 * planes into its own `[k³ rounded up to 4, C_out]` (check {@link oneChannel3dFilterApplies}).
 */
export function oneChannel3dFilterGrad(x: tf.Tensor, dy: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const [k, s, co] = [g.kernel[0], g.stride[0], g.outChannels];
  const taps = Math.ceil(k ** 3 / 4) * 4;
  const padded = paddedInput(x, g);
  const offsets = tapOffsets(k, padded);
  const dw = [tf.zeros([taps * co], 'float32'), tf.zeros([taps * co], 'float32')];
  const [oD, oH, oW] = g.outSize;
  const { workerShare } = runWasmRowsOnBothThreads(
    convKernelsModule(),
    'oneChannel3dFilter',
    [padded, dy, offsets].map(address).concat([...padded.shape.slice(1), oD, oH, oW, co, taps, s]),
    dw.map((t) => [address(t)]) as [number[], number[]],
    g.batch * oD,
    1,
    () => readNow(dw[0] as tf.Tensor).fill(0),
  );
  const sum = tf.tidy(() => {
    const parts = (workerShare ? dw : dw.slice(0, 1)).map((t) => tf.slice(t, 0, k ** 3 * co));
    return tf.reshape(
      parts.length === 1 ? (parts[0] as tf.Tensor) : tf.addN(parts),
      filterShape(g),
    );
  });
  tf.dispose([padded, offsets, ...dw]);
  return sum;
}
