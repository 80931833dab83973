import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import type { ConvGeometry } from './geometry.js';
import { convKernelsModule, uninitialised } from './wasm-columns.js';
import { winograd3dApplies } from './winograd3d.js';

/**
 * A 5×5×5 stride-2 convolution with padding 2 as a 3×3×3 stride-1 one (which Winograd
 * computes, winograd3d.ts): input position `i = 2o − 2 + t` of output `o` and tap `t` is
 * `i = 2q + π` with `q = o − 1 + j`, `t = 2j + π` — so the "space-to-depth" input
 * `X[q, (π_d, π_h, π_w, c)] = x[2q + π, c]` (half the size, 8× the channels) convolved with
 * padding 1 by `W'[j, (π, c), z] = W[2j + π, c, z]` (zero where `2j + π = 5`) is the
 * convolution. 27·8 = 216 taps per output instead of 125 (1.7× the multiply-adds), which
 * Winograd's 4× fewer more than pays for.
 */

/**
 * Input channels from which {@link spaceToDepthApplies} holds: with fewer the Winograd
 * products have a short inner side (3·8·C_in) and ran slower than the columns (at 1 channel,
 * the encoder's first layer, 0.6×).
 */
const MIN_CHANNELS = 8;

/**
 * Whether the convolution takes this path: a 3-D 5×5×5 stride-2 convolution with padding 2
 * (per axis), at least {@link MIN_CHANNELS} input channels, whose stride-1 form Winograd
 * computes.
 */
export function spaceToDepthApplies(g: ConvGeometry): boolean {
  return (
    g.dims === 3 &&
    [0, 1, 2].every((i) => g.kernel[i] === 5 && g.stride[i] === 2 && g.padding[i] === 2) &&
    g.inChannels >= MIN_CHANNELS &&
    winograd3dApplies(spaceToDepthGeometry(g))
  );
}

/** The stride-1 geometry of {@link spaceToDepth}'s input for `g` (a 5×5×5 stride-2 convolution, padding 2). */
export function spaceToDepthGeometry(g: ConvGeometry): ConvGeometry {
  const half = g.inSize.map((n) => Math.ceil(n / 2)) as [number, number, number];
  return {
    ...g,
    inSize: half,
    inChannels: 8 * g.inChannels,
    kernel: [3, 3, 3],
    stride: [1, 1, 1],
    padding: [1, 1, 1],
  };
}

/** Rows `(b, q_d, q_h)` of the space-to-depth layout per call of the wasm kernel. */
const KERNEL_ROWS = 32;

/**
 * The wasm kernel's copy between `x` `[B, D, H, W, C]` and `s` (the space-to-depth layout), on
 * both threads: into `s` (`back` false) or back into `x`.
 */
function copyBlocks(x: tf.Tensor, s: tf.Tensor, g: ConvGeometry, back: boolean): void {
  const [hd, hh] = spaceToDepthGeometry(g).inSize;
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'spaceToDepth',
    [readNow(x).byteOffset, readNow(s).byteOffset, ...g.inSize, g.inChannels, back ? 1 : 0],
    [[], []],
    g.batch * hd * hh,
    KERNEL_ROWS,
  );
}

/**
 * `x` `[B, D, H, W, C]` → `[B, ⌈D/2⌉, ⌈H/2⌉, ⌈W/2⌉, 8·C]`, channel `((π_d·2 + π_h)·2 + π_w)·C + c`
 * holding `x[2q + π, c]` (zero past an odd size's end), by a wasm kernel in the threaded wasm
 * backend's memory (check {@link spaceToDepthApplies}).
 */
export function spaceToDepth(x: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const [hd, hh, hw] = spaceToDepthGeometry(g).inSize;
  const s = uninitialised([g.batch, hd, hh, hw, 8 * g.inChannels]);
  copyBlocks(x, s, g, false);
  return s;
}

/**
 * The 5×5×5 tap each of the space-to-depth filter's 216 taps takes, in that filter's order
 * (`j_d, j_h, j_w, π_d, π_h, π_w`): `t = 2j + π` per axis, or −1 where `2j + π = 5` (a zero tap).
 */
const SOURCE_TAPS = (() => {
  const taps = new Int32Array(216);
  let o = 0;
  for (let jd = 0; jd < 3; jd++)
    for (let jh = 0; jh < 3; jh++)
      for (let jw = 0; jw < 3; jw++)
        for (let pd = 0; pd < 2; pd++)
          for (let ph = 0; ph < 2; ph++)
            for (let pw = 0; pw < 2; pw++) {
              const [td, th, tw] = [2 * jd + pd, 2 * jh + ph, 2 * jw + pw];
              taps[o++] = td < 5 && th < 5 && tw < 5 ? (td * 5 + th) * 5 + tw : -1;
            }
  return taps;
})();

/** The filter `[3, 3, 3, 8·C_in, C_out]` of {@link spaceToDepth}'s convolution from `[5, 5, 5, C_in, C_out]`. */
export function spaceToDepthFilter(filter: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const f = readNow(filter);
  const n = g.inChannels * g.outChannels;
  const out = new Float32Array(216 * n);
  SOURCE_TAPS.forEach((t, o) => {
    if (t >= 0) out.set(f.subarray(t * n, (t + 1) * n), o * n);
  });
  return tf.tensor(out, [3, 3, 3, 8 * g.inChannels, g.outChannels], 'float32');
}

/**
 * The adjoint of {@link spaceToDepth}: `[B, ⌈D/2⌉, ⌈H/2⌉, ⌈W/2⌉, 8·C]` → `[B, D, H, W, C]`
 * (values past an odd size's end dropped). With it the input gradient of the 5×5×5 stride-2
 * convolution (the transposed convolution) is the stride-1 one's, moved back into space. By the same wasm kernel.
 */
export function depthToSpace(s: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const x = uninitialised([g.batch, ...g.inSize, g.inChannels]);
  copyBlocks(x, s, g, true);
  return x;
}

/**
 * The adjoint of {@link spaceToDepthFilter}: the gradient `[5, 5, 5, C_in, C_out]` of the
 * filter from that of the space-to-depth one `[3, 3, 3, 8·C_in, C_out]` (each tap `t = 2j + π`
 * has one `(j, π)`; the zero taps `2j + π = 5` get none).
 */
export function spaceToDepthFilterGrad(grad: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const f = readNow(grad);
  const n = g.inChannels * g.outChannels;
  const out = new Float32Array(125 * n);
  SOURCE_TAPS.forEach((t, o) => {
    if (t >= 0) out.set(f.subarray(o * n, (o + 1) * n), t * n);
  });
  return tf.tensor(out, [5, 5, 5, g.inChannels, g.outChannels], 'float32');
}
