import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import { type ConvGeometry, outputShape } from './geometry.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';

/**
 * The forward pass of one-channel 3-D convolutions (the voxel encoders' first layers: 5³ and
 * 7³, stride 2), straight from the zero-padded input: each kernel call keeps 4 output pixels ×
 * 8 channels in registers over all k³ taps, reading the taps where they lie in the padded
 * volume, rows of output shared by both threads. With one input channel the columns path
 * (even fused per block, fused-columns.ts) spends about a third of its time gathering the
 * k³-wide columns; here there are none. The filter gradient and the input gradient (the
 * decoder's one-output-channel transposed convolution) keep the fused columns.
 */

/** Switches the path off (tests and A/B timings compare it with the columns); not exported from the package. */
export const oneChannel3dSwitch = { enabled: true };

/**
 * Whether {@link oneChannel3dForward} computes this geometry: 3-D, one input channel, a cubic
 * kernel and the same stride on every axis, output width a multiple of 4 and output channels
 * of 8, on the threaded wasm backend.
 */
export function oneChannel3dApplies(g: ConvGeometry): boolean {
  return (
    oneChannel3dSwitch.enabled &&
    g.dims === 3 &&
    g.inChannels === 1 &&
    g.kernel.every((k) => k === g.kernel[0]) &&
    g.stride.every((s) => s === g.stride[0]) &&
    g.outSize[2] % 4 === 0 &&
    g.outChannels % 8 === 0 &&
    wasmColumnsAvailable()
  );
}

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

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
  // Zeros before each axis, and after it as far as the taps read.
  const zeros = g.inSize.map((n, i) => {
    const before = g.padding[i] as number;
    return [before, Math.max(0, ((g.outSize[i] as number) - 1) * s + k - n - before)];
  }) as Array<[number, number]>;
  const padded = tf.tidy(() => tf.pad(tf.reshape(x, [g.batch, ...g.inSize]), [[0, 0], ...zeros]));
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
