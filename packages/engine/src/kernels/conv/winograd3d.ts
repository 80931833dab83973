import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { type ConvGeometry, outputRows } from './geometry.js';
import {
  convKernels,
  uninitialised,
  wasmColumns,
  wasmColumnsAvailable,
  wasmTranspose,
} from './wasm-columns.js';
import { G, PATCH, PLANES } from './winograd.js';

/**
 * 3×3×3 stride-1 3-D convolutions by Winograd's F(4×4, 3×3) in the two inner axes and columns
 * in depth: each depth slice `[H, W, C]` of every sample is a 2-D image whose 4×4 output tiles
 * come from 36 transformed planes (Lavin & Gray, 2016; the 2-D transforms of conv-kernels.wat),
 * and the depth taps are summed inside the products: plane `ξ` of output slice `d` is
 * `[U_ξ(d − p), U_ξ(d − p + 1), U_ξ(d − p + 2)] · [V_ξ⁰; V_ξ¹; V_ξ²]` with `V_ξᵗ` the 2-D
 * transform of the filter's depth tap `t` — 36 products `[tiles, 3·C_in] · [3·C_in, C_out]`,
 * 4× fewer multiply-adds than the columns' `[rows, 27·C_in] · [27·C_in, C_out]`, the depth
 * columns built by the vol2col kernel on the transformed planes. The input gradient is the
 * same pass with the flipped filter (conv-gemm.ts); the filter gradient is `Gᵀ·dV·G` per depth
 * tap with `dV_ξ = Σ columns_ξᵀ · (A·dy·Aᵀ)_ξ`. Channel counts must be multiples of 4 (the
 * transforms run on 4 channels at once).
 *
 * The rounding differs from the direct sum as in the 2-D case: relative to the output's
 * largest magnitude about 1e-5 at 64 → 64 channels.
 */

/** The kernels' `$scratch`: float32 values, and the slot of the first plane address. */
const SCRATCH = 256;
const BASE_SLOT = 216;

/** Transformed values per chunk of whole samples (U, depth columns and M: 128 MB of float32). */
export const WINOGRAD3D_CHUNK_VALUES = 2 ** 25;

/**
 * Output positions (over the batch) from which {@link winograd3dApplies} holds: the filter
 * transform (~10³·C_in·C_out operations here in JavaScript) must be small next to the
 * multiply-adds it saves (~20·C_in·C_out per output position).
 */
export const WINOGRAD3D_MIN_POSITIONS = 2048;

/**
 * Whether the 3-D Winograd paths (this file's and space-to-depth.ts's) may run: switched off
 * only by A/B timings that compare them with the columns in one process
 * (packages/voxel/bench/ab-model.ts); not exported from the package.
 */
export const winograd3dSwitch = { enabled: true };

/**
 * Whether {@link winograd3dForward} computes `g`: a 3-D 3×3×3 convolution of stride 1, padding
 * at most 2, channel counts multiples of 4, at least {@link WINOGRAD3D_MIN_POSITIONS} output
 * positions, on the threaded wasm backend.
 */
export function winograd3dApplies(g: ConvGeometry): boolean {
  return (
    winograd3dSwitch.enabled &&
    g.dims === 3 &&
    outputRows(g) >= WINOGRAD3D_MIN_POSITIONS &&
    g.kernel.every((k) => k === 3) &&
    g.stride.every((s) => s === 1) &&
    g.padding.every((p) => p <= 2) &&
    g.inChannels % 4 === 0 &&
    g.outChannels % 4 === 0 &&
    wasmColumnsAvailable()
  );
}

/**
 * The 36 filter planes `[V_ξ⁰; V_ξ¹; V_ξ²]` `[3·C_in, C_out]` of a filter `[3, 3, 3, C_in,
 * C_out]` (row `t·C_in + c`: depth tap `t`, input channel `c` — the depth columns' order), in
 * float64.
 */
function filterPlanes(filter: tf.Tensor): tf.Tensor2D[] {
  const [, , , ci, co] = filter.shape as number[];
  const f = readNow(filter);
  const n = (ci as number) * (co as number);
  const planes: tf.Tensor2D[] = [];
  const tap = new Float64Array(9);
  for (let a = 0; a < PATCH; a++)
    for (let b = 0; b < PATCH; b++) {
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) tap[3 * i + j] = (G[a]?.[i] as number) * (G[b]?.[j] as number);
      const plane = new Float32Array(3 * n);
      for (let t = 0; t < 3; t++)
        for (let e = 0; e < n; e++) {
          let s = 0;
          for (let k = 0; k < 9; k++) s += (tap[k] as number) * (f[(t * 9 + k) * n + e] as number);
          plane[t * n + e] = s;
        }
      planes.push(tf.tensor2d(plane, [3 * (ci as number), co as number]));
    }
  return planes;
}

/** Points the kernels' plane table (from {@link BASE_SLOT} of `scratch` on) at `planes`. */
function setPlanes(scratch: tf.Tensor, planes: tf.Tensor[]): void {
  const view = readNow(scratch);
  const slots = new Int32Array(view.buffer, view.byteOffset + 4 * BASE_SLOT, planes.length);
  planes.forEach((p, i) => {
    slots[i] = readNow(p).byteOffset;
  });
}

/**
 * The 4×4 tile grid of one depth slice, the tiles per sample, and the samples per chunk: the
 * transformed input and output planes of a chunk (one plane's depth columns at a time) hold at
 * most `chunkValues` values.
 */
function layout(g: ConvGeometry, chunkValues: number) {
  const [tH, tW] = [Math.ceil(g.outSize[1] / 4), Math.ceil(g.outSize[2] / 4)];
  const inTiles = g.inSize[0] * tH * tW;
  const outTiles = g.outSize[0] * tH * tW;
  const perSample =
    PLANES * (inTiles * g.inChannels + outTiles * g.outChannels) + outTiles * 3 * g.inChannels;
  const samples = Math.max(1, Math.min(g.batch, Math.floor(chunkValues / perSample)));
  return { tH, tW, inTiles, outTiles, samples };
}

/** The depth columns of one plane: `[n, D, tiles]` → `[n, D', tiles]` by 3 taps. */
function depthGeometry(g: ConvGeometry, n: number, tiles: number): ConvGeometry {
  return {
    dims: 3,
    batch: n,
    inSize: [g.inSize[0], tiles, 1],
    inChannels: g.inChannels,
    outSize: [g.outSize[0], tiles, 1],
    outChannels: g.outChannels,
    kernel: [3, 1, 1],
    stride: [1, 1, 1],
    padding: [g.padding[0], 0, 0],
  };
}

/**
 * The convolution of `x` `[B, D, H, W, C_in]` by `filter` `[3, 3, 3, C_in, C_out]` (check
 * {@link winograd3dApplies}), over chunks of whole samples of at most `chunkValues`
 * transformed values.
 */
export function winograd3dForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD3D_CHUNK_VALUES,
): tf.Tensor {
  const { tH, tW, inTiles, outTiles, samples } = layout(g, chunkValues);
  const [, H, W] = g.inSize;
  const [oD, oH, oW] = g.outSize;
  const w = filterPlanes(filter);
  const y = uninitialised([g.batch, oD, oH, oW, g.outChannels]);
  const scratch = uninitialised([SCRATCH]);
  const zero = tf.zeros([g.inChannels], 'float32');
  const sink = uninitialised([g.outChannels]); // where outputs past the grid's end go
  for (let b0 = 0; b0 < g.batch; b0 += samples) {
    const n = Math.min(samples, g.batch - b0);
    // U_ξ [n·D·tiles, C_in]: the 2-D transforms of the chunk's n·D slices.
    const u = Array.from({ length: PLANES }, () => uninitialised([n * inTiles, g.inChannels]));
    setPlanes(scratch, u);
    convKernels().winograd4Input(
      ...[x, scratch, zero].map((t) => readNow(t).byteOffset),
      b0 * inTiles,
      (b0 + n) * inTiles,
      ...[H, W, g.inChannels, tH, tW, g.padding[1], g.padding[2]],
    );
    // The depth columns of each plane ([n, D, tiles] → [n, D', tiles] by 3 taps), times V_ξ.
    const depth = depthGeometry(g, n, tH * tW);
    const m = u.map((ui, i) => {
      const cols = uninitialised([n * outTiles, 3 * g.inChannels]);
      wasmColumns(ui, cols, depth, 0, n * outTiles, 'gather');
      ui.dispose();
      const mi = tf.matMul(cols as tf.Tensor2D, w[i] as tf.Tensor2D);
      cols.dispose();
      return mi;
    });
    setPlanes(scratch, m);
    convKernels().winograd4Output(
      ...[scratch, y, sink].map((t) => readNow(t).byteOffset),
      b0 * outTiles,
      (b0 + n) * outTiles,
      ...[oH, oW, g.outChannels, tH, tW],
    );
    tf.dispose(m);
  }
  tf.dispose([...w, scratch, zero, sink]);
  return y;
}

/**
 * The filter gradient of that convolution, `[3, 3, 3, C_in, C_out]`: per plane
 * `dV_ξ = Σ columns_ξᵀ · Ŷ_ξ` with the depth columns of the input's transform and `Ŷ = A·dy·Aᵀ`
 * the output gradient's (`[3·C_in, C_out]`, summed over chunks), then `dg = Gᵀ·dV·G` per depth
 * tap (float64).
 */
export function winograd3dFilterGrad(
  x: tf.Tensor,
  dy: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD3D_CHUNK_VALUES,
): tf.Tensor {
  const { tH, tW, inTiles, outTiles, samples } = layout(g, chunkValues);
  const [, H, W] = g.inSize;
  const [, oH, oW] = g.outSize;
  const scratch = uninitialised([SCRATCH]);
  const zero = tf.zeros([Math.max(g.inChannels, g.outChannels)], 'float32');
  let sums: tf.Tensor[] | undefined;
  for (let b0 = 0; b0 < g.batch; b0 += samples) {
    const n = Math.min(samples, g.batch - b0);
    const u = Array.from({ length: PLANES }, () => uninitialised([n * inTiles, g.inChannels]));
    setPlanes(scratch, u);
    convKernels().winograd4Input(
      ...[x, scratch, zero].map((t) => readNow(t).byteOffset),
      b0 * inTiles,
      (b0 + n) * inTiles,
      ...[H, W, g.inChannels, tH, tW, g.padding[1], g.padding[2]],
    );
    const yh = Array.from({ length: PLANES }, () => uninitialised([n * outTiles, g.outChannels]));
    setPlanes(scratch, yh);
    convKernels().winograd4GradOutput(
      ...[dy, scratch, zero].map((t) => readNow(t).byteOffset),
      b0 * outTiles,
      (b0 + n) * outTiles,
      ...[oH, oW, g.outChannels, tH, tW],
    );
    const depth = depthGeometry(g, n, tH * tW);
    const parts = u.map((ui, i) => {
      const cols = uninitialised([n * outTiles, 3 * g.inChannels]);
      wasmColumns(ui, cols, depth, 0, n * outTiles, 'gather');
      const colsT = wasmTranspose(cols as tf.Tensor2D);
      const part = tf.matMul(colsT, yh[i] as tf.Tensor2D);
      tf.dispose([cols, colsT]);
      return part;
    });
    tf.dispose([...u, ...yh]);
    const next =
      sums === undefined ? parts : parts.map((q, i) => tf.add(sums?.[i] as tf.Tensor, q));
    if (sums !== undefined) tf.dispose([...sums, ...parts]);
    sums = next;
  }
  tf.dispose([scratch, zero]);
  const dv = (sums as tf.Tensor[]).map((s) => readNow(s).slice());
  tf.dispose(sums as tf.Tensor[]);
  return tf.tensor(filterFromPlanes(dv, g), [3, 3, 3, g.inChannels, g.outChannels], 'float32');
}

/** `dg[t, i, j] = Σ_{a,b} G[a, i]·G[b, j]·dV_{6a+b}[t]` (float64), each `[C_in, C_out]`. */
function filterFromPlanes(dv: Float32Array[], g: ConvGeometry): Float32Array {
  const n = g.inChannels * g.outChannels;
  const dw = new Float32Array(27 * n);
  const sum = new Float64Array(n);
  for (let t = 0; t < 3; t++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        sum.fill(0);
        for (let a = 0; a < PATCH; a++)
          for (let b = 0; b < PATCH; b++) {
            const w = (G[a]?.[i] as number) * (G[b]?.[j] as number);
            if (w === 0) continue;
            const plane = dv[a * PATCH + b] as Float32Array;
            for (let e = 0; e < n; e++)
              sum[e] = (sum[e] as number) + w * (plane[t * n + e] as number);
          }
        dw.set(sum, ((t * 3 + i) * 3 + j) * n);
      }
  return dw;
}
