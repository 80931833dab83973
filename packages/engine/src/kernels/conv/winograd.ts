import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import type { ConvGeometry } from './geometry.js';
import { convKernels, uninitialised, wasmColumnsAvailable, wasmTranspose } from './wasm-columns.js';

/**
 * 3×3 stride-1 2-D convolutions by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray,
 * 2016): each 4×4 output tile is `Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A` of its 6×6 input patch `d`, so
 * over a batch the convolution is 36 independent products `U_ξ [tiles, C_in] · V_ξ [C_in,
 * C_out]` — 4× fewer multiply-adds than the columns' `[rows, 9·C_in] · [9·C_in, C_out]`, in
 * products with a short inner side (XNNPACK's fastest shape). The input gradient is the same
 * pass with the flipped filter; the filter gradient is `dg = Gᵀ·dV·G` with
 * `dV_ξ = Σ_tiles U_ξᵀ · (A·dy·Aᵀ)_ξ`. The data and output transforms are SIMD kernels of
 * conv-kernels.wat in the threaded wasm backend's memory; the products are `tf.matMul`
 * (XNNPACK on every core); the filter transforms (small) run here in float64. Both channel
 * counts must be multiples of 4 (the kernels transform 4 channels at once); other shapes use
 * the columns.
 *
 * The rounding differs from the direct sum: the transforms scale and combine up to 6 values
 * before and after the products. Relative to the result's largest magnitude the difference
 * stays below 1e-5 at 64 → 128 channels (the tests' tolerance is 1e-5 on small layers).
 */

/** Side of the input patch of a 4×4 output tile, and the number of planes (`PATCH²`). */
const PATCH = 6;
const PLANES = PATCH * PATCH;

/** The filter transform `G` (6×3) of F(4×4, 3×3), Lavin & Gray's points 0, ±1, ±2. */
const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
] as const;

/** The `$scratch` slot of the first plane base address (the kernels' layout). */
const BASE_SLOT = 216;

/** Float32 values of the kernels' `$scratch`. */
const SCRATCH = 256;

/**
 * Transformed input and output values per chunk (U and M together; 128 MB of float32): few
 * large products, since each `tf.matMul` ends at a barrier of XNNPACK's thread pool (on a
 * loaded machine 2²⁶ ran a 32 → 64 layer 1.5× faster than 2²⁴, 2²² 1.4× slower).
 */
export const WINOGRAD_CHUNK_VALUES = 2 ** 25;

/**
 * Whether {@link winogradConvolution} computes this geometry: a 2-D 3×3 convolution of
 * stride 1 and padding at most 2, channel counts multiples of 4, on the threaded wasm backend.
 */
export function winogradApplies(g: ConvGeometry): boolean {
  return (
    g.dims === 2 &&
    g.kernel[1] === 3 &&
    g.kernel[2] === 3 &&
    g.stride[1] === 1 &&
    g.stride[2] === 1 &&
    g.padding[1] <= 2 &&
    g.padding[2] <= 2 &&
    g.inChannels % 4 === 0 &&
    g.outChannels % 4 === 0 &&
    wasmColumnsAvailable()
  );
}

/**
 * The planes `V_ξ = (G·g·Gᵀ)_ξ` `[C_in, C_out]` of a filter `[3, 3, C_in, C_out]`, or, with
 * `flipped`, of the filter of the input gradient (rotated 180°, channels swapped:
 * `g'[i, j, o, c] = g[2 − i, 2 − j, c, o]`, `[C_out, C_in]`). Computed in float64.
 */
function filterPlanes(filter: tf.Tensor, flipped: boolean): tf.Tensor2D[] {
  const [, , ci, co] = filter.shape as [number, number, number, number];
  const f = filter.dataSync() as Float32Array;
  const [rows, cols] = flipped ? [co, ci] : [ci, co];
  const n = ci * co;
  const planes: tf.Tensor2D[] = [];
  const tap = new Float64Array(9);
  for (let a = 0; a < PATCH; a++)
    for (let b = 0; b < PATCH; b++) {
      const plane = new Float32Array(n);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          tap[3 * i + j] = flipped
            ? (G[a]?.[2 - i] as number) * (G[b]?.[2 - j] as number)
            : (G[a]?.[i] as number) * (G[b]?.[j] as number);
      for (let e = 0; e < n; e++) {
        // e = c·co + o in the filter; the flipped plane is [co, ci], index o·ci + c.
        let s = 0;
        for (let t = 0; t < 9; t++) s += (tap[t] as number) * (f[t * n + e] as number);
        plane[flipped ? (e % co) * ci + Math.floor(e / co) : e] = s;
      }
      planes.push(tf.tensor2d(plane, [rows, cols]));
    }
  return planes;
}

/** The shape a Winograd pass needs: input, output and padding of one 2-D convolution. */
interface Pass {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  padH: number;
  padW: number;
}

/** Tile rows `[t0, t1)` of at most `chunkValues` transformed values (U and M). */
function tileChunks(tiles: number, p: Pass, chunkValues: number): Array<[number, number]> {
  const step = Math.max(1, Math.floor(chunkValues / (PLANES * (p.inC + p.outC))));
  const out: Array<[number, number]> = [];
  for (let t0 = 0; t0 < tiles; t0 += step) out.push([t0, Math.min(tiles, t0 + step)]);
  return out;
}

/** The kernels' pointer table: the planes' addresses from slot {@link BASE_SLOT} of `scratch` on. */
function setPlanes(scratch: tf.Tensor, planes: tf.Tensor[]): void {
  const view = readNow(scratch);
  const slots = new Int32Array(view.buffer, view.byteOffset + 4 * BASE_SLOT, planes.length);
  planes.forEach((p, i) => {
    slots[i] = readNow(p).byteOffset;
  });
}

/** The tile grid of a pass: tiles per column and row, and in all. */
function tileGrid(p: Pass) {
  const [tH, tW] = [Math.ceil(p.outH / 4), Math.ceil(p.outW / 4)];
  return { tH, tW, tiles: p.batch * tH * tW };
}

/** The planes `U_ξ` `[t1 − t0, C_in]` of the tiles `[t0, t1)` of `x` (new tensors). */
function inputPlanes(
  x: tf.Tensor,
  p: Pass,
  t0: number,
  t1: number,
  scratch: tf.Tensor,
  zero: tf.Tensor,
): tf.Tensor2D[] {
  const { tH, tW } = tileGrid(p);
  const u = Array.from({ length: PLANES }, () => uninitialised([t1 - t0, p.inC]) as tf.Tensor2D);
  setPlanes(scratch, u);
  convKernels().winograd4Input(
    ...[x, scratch, zero].map((t) => readNow(t).byteOffset),
    t0,
    t1,
    ...[p.inH, p.inW, p.inC, tH, tW, p.padH, p.padW],
  );
  return u;
}

/** One Winograd pass of `x` by the planes `w` (`[inC, outC]` each) into a new output tensor. */
function run(x: tf.Tensor, w: tf.Tensor2D[], p: Pass, chunkValues: number): tf.Tensor {
  const { tH, tW, tiles } = tileGrid(p);
  const y = uninitialised([p.batch, p.outH, p.outW, p.outC]);
  const scratch = uninitialised([SCRATCH]);
  const zero = tf.zeros([p.inC], 'float32');
  const sink = uninitialised([p.outC]); // where outputs past the grid's end go
  for (const [t0, t1] of tileChunks(tiles, p, chunkValues)) {
    const u = inputPlanes(x, p, t0, t1, scratch, zero);
    const m = u.map((ui, i) => tf.matMul(ui, w[i] as tf.Tensor2D));
    tf.dispose(u);
    setPlanes(scratch, m);
    convKernels().winograd4Output(
      ...[scratch, y, sink].map((t) => readNow(t).byteOffset),
      t0,
      t1,
      ...[p.outH, p.outW, p.outC, tH, tW],
    );
    tf.dispose(m);
  }
  tf.dispose([scratch, zero, sink]);
  return y;
}

/** The pass of the convolution itself. */
function forwardPass(g: ConvGeometry): Pass {
  return {
    batch: g.batch,
    inH: g.inSize[1],
    inW: g.inSize[2],
    inC: g.inChannels,
    outH: g.outSize[1],
    outW: g.outSize[2],
    outC: g.outChannels,
    padH: g.padding[1],
    padW: g.padding[2],
  };
}

/**
 * The convolution of `x` `[B, H, W, C_in]` by `filter` `[3, 3, C_in, C_out]` (check
 * {@link winogradApplies}).
 */
export function winogradForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD_CHUNK_VALUES,
): tf.Tensor {
  const w = filterPlanes(filter, false);
  const y = run(x, w, forwardPass(g), chunkValues);
  tf.dispose(w);
  return y;
}

/**
 * The input gradient of that convolution, `dy` `[B, H', W', C_out]` → `[B, H, W, C_in]`: for
 * stride 1 it is the convolution of `dy` padded by `2 − p` with the flipped filter.
 */
export function winogradInputGrad(
  dy: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD_CHUNK_VALUES,
): tf.Tensor {
  const w = filterPlanes(filter, true);
  const f = forwardPass(g);
  const pass: Pass = {
    batch: g.batch,
    inH: f.outH,
    inW: f.outW,
    inC: f.outC,
    outH: f.inH,
    outW: f.inW,
    outC: f.inC,
    padH: 2 - f.padH,
    padW: 2 - f.padW,
  };
  const dx = run(dy, w, pass, chunkValues);
  tf.dispose(w);
  return dx;
}

/**
 * The filter gradient of that convolution, `[3, 3, C_in, C_out]`: per plane
 * `dV_ξ = Σ_tiles U_ξᵀ · Ŷ_ξ` with `U` the input's transform and `Ŷ = A·dy·Aᵀ` the output
 * gradient's (16 products of inner side the tile count, summed over chunks), then
 * `dg = Gᵀ·dV·G`.
 */
export function winogradFilterGrad(
  x: tf.Tensor,
  dy: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD_CHUNK_VALUES,
): tf.Tensor {
  const p = forwardPass(g);
  const { tH, tW, tiles } = tileGrid(p);
  const scratch = uninitialised([SCRATCH]);
  const zero = tf.zeros([Math.max(p.inC, p.outC)], 'float32');
  let sums: tf.Tensor[] | undefined;
  for (const [t0, t1] of tileChunks(tiles, p, chunkValues)) {
    const u = inputPlanes(x, p, t0, t1, scratch, zero);
    const yh = Array.from(
      { length: PLANES },
      () => uninitialised([t1 - t0, p.outC]) as tf.Tensor2D,
    );
    setPlanes(scratch, yh);
    convKernels().winograd4GradOutput(
      ...[dy, scratch, zero].map((t) => readNow(t).byteOffset),
      t0,
      t1,
      ...[p.outH, p.outW, p.outC, tH, tW],
    );
    const parts = u.map((ui, i) => {
      const uT = wasmTranspose(ui);
      const part = tf.matMul(uT, yh[i] as tf.Tensor2D);
      uT.dispose();
      return part;
    });
    tf.dispose([...u, ...yh]);
    const next =
      sums === undefined ? parts : parts.map((q, i) => tf.add(sums?.[i] as tf.Tensor, q));
    if (sums !== undefined) tf.dispose([...sums, ...parts]);
    sums = next;
  }
  tf.dispose([scratch, zero]);
  const dv = (sums as tf.Tensor[]).map((s) => s.dataSync() as Float32Array);
  tf.dispose(sums as tf.Tensor[]);
  return tf.tensor(filterFromPlanes(dv, p), [3, 3, p.inC, p.outC], 'float32');
}

/** `dg[i, j] = Σ_{a,b} G[a, i]·G[b, j]·dV_{6a+b}` (in float64), each plane `[C_in, C_out]`. */
function filterFromPlanes(dv: Float32Array[], p: Pass): Float32Array {
  const n = p.inC * p.outC;
  const dw = new Float32Array(9 * n);
  const sum = new Float64Array(n);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      sum.fill(0);
      for (let a = 0; a < PATCH; a++)
        for (let b = 0; b < PATCH; b++) {
          const w = (G[a]?.[i] as number) * (G[b]?.[j] as number);
          if (w === 0) continue;
          const plane = dv[a * PATCH + b] as Float32Array;
          for (let e = 0; e < n; e++) sum[e] = (sum[e] as number) + w * (plane[e] as number);
        }
      dw.set(sum, (3 * i + j) * n);
    }
  return dw;
}
