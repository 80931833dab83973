import { invalidArgument } from '@cellshape/core';
import type * as tf from '@tensorflow/tfjs-core';
import { checkTensor, readNow } from './checks.js';
import { runRowsOnBothThreads } from './parallel.js';
import { simdKernels } from './wasm/simd-kernels.js';

/** What {@link channelExtremes} returns: `[B, C]` values and the points attaining them. */
export interface ChannelExtremes {
  /** float32 `B·C`: per sample and channel the max over the points (the min where `lower`). */
  values: Float32Array;
  /** int32 `B·C`: the first point (index within its sample) attaining it. */
  arg: Int32Array;
}

/**
 * Per sample and channel of `x` (float32 `[B, N, C]`), the max over the N points — or the min,
 * on the channels where `lower[c]` is true — and the first point attaining it (WebAssembly SIMD,
 * samples shared out between two threads). A max-pool over points through any per-channel
 * monotone map (batch norm, whose scale may be negative, then an increasing activation) is
 * this map applied to these extremes: N times fewer values to transform.
 */
export function channelExtremes(x: tf.Tensor, lower: ArrayLike<boolean>): ChannelExtremes {
  const fn = 'channelExtremes';
  const [b, n, c] = checkTensor(fn, 'x', x, 3) as [number, number, number];
  if (b === 0 || n === 0 || c === 0) throw invalidArgument(fn, 'x', 'non-empty', [b, n, c]);
  if (lower?.length !== c)
    throw invalidArgument(fn, 'lower', `${c} booleans (one per channel)`, lower?.length);
  const simd = simdKernels();
  simd.reset();
  const src = simd.f32(b * n * c);
  src.set(readNow(x));
  const sign = simd.f32(c);
  for (let o = 0; o < c; o++) sign[o] = lower[o] ? -1 : 1;
  const best = simd.f32(b * c);
  const arg = simd.i32(b * c);
  const tail = [best.byteOffset, arg.byteOffset];
  runRowsOnBothThreads(
    'channelExtremes',
    [src.byteOffset, n, c, sign.byteOffset],
    [tail, tail],
    b,
    1,
  );
  return { values: best.slice(), arg: arg.slice() };
}
