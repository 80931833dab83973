import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import type { ConvGeometry } from './geometry.js';
import { convKernels, uninitialised, wasmColumnsAvailable, wasmTranspose } from './wasm-columns.js';

/**
 * 3×3 stride-1 2-D convolutions by Winograd's minimal filtering (Lavin & Gray, 2016): each
 * m×m output tile is `Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A` of its (m+2)×(m+2) input patch `d`, so over a
 * batch the convolution is (m+2)² independent products `U_ξ [tiles, C_in] · V_ξ [C_in, C_out]`
 * with a short inner side (XNNPACK's fastest shape) instead of the columns'
 * `[rows, 9·C_in] · [9·C_in, C_out]`. The forward pass and the input gradient use F(4×4, 3×3)
 * (36 products, 4× fewer multiply-adds); the filter gradient `dV_ξ = Σ U_ξᵀ·(A·dy·Aᵀ)_ξ` uses
 * F(2×2, 3×3) (16 products, 2.25× fewer). The data and output transforms are SIMD kernels of
 * conv-kernels.wat in the threaded wasm backend's memory; the products are `tf.matMul`
 * (XNNPACK on every core); the filter transforms (small) run here in float64. Both channel
 * counts must be multiples of 4 (the kernels transform 4 channels at once); other shapes use
 * the columns.
 *
 * The rounding differs from the direct sum: the transforms scale and combine up to 6 values
 * before and after the products. Relative to the output's largest magnitude the difference
 * stays below 1e-5 at 64 → 128 channels (F(4×4, 3×3)) and near 1e-6 for the filter gradient.
 */

/** One Winograd algorithm: output tile side, patch side, the filter transform `G` (patch × 3), its wasm kernels. */
interface Variant {
  tile: 2 | 4;
  patch: 4 | 6;
  G: readonly (readonly number[])[];
  input: 'winogradInput' | 'winograd4Input';
  output: 'winogradOutput' | 'winograd4Output';
  /** The `$scratch` slot of the first plane base address (the kernels' layout). */
  baseSlot: number;
}

/** F(2×2, 3×3): 16 planes, exact to a few roundings (the filter gradient uses it). */
const F2: Variant = {
  tile: 2,
  patch: 4,
  G: [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1],
  ],
  input: 'winogradInput',
  output: 'winogradOutput',
  baseSlot: 96,
};

/** F(4×4, 3×3): 36 planes, 4× fewer multiply-adds than the columns (forward, input gradient). */
const F4: Variant = {
  tile: 4,
  patch: 6,
  G: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  input: 'winograd4Input',
  output: 'winograd4Output',
  baseSlot: 216,
};

/** Float32 values of the kernels' `$scratch` (the larger layout, F(4×4, 3×3)'s). */
const SCRATCH = 256;

/** Transformed input and output values per chunk (U and M together; 64 MB of float32). */
export const WINOGRAD_CHUNK_VALUES = 2 ** 24;

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
function filterPlanes(filter: tf.Tensor, flipped: boolean, v: Variant): tf.Tensor2D[] {
  const [, , ci, co] = filter.shape as [number, number, number, number];
  const f = filter.dataSync() as Float32Array;
  const [rows, cols] = flipped ? [co, ci] : [ci, co];
  const n = ci * co;
  const planes: tf.Tensor2D[] = [];
  const tap = new Float64Array(9);
  const G = v.G;
  for (let a = 0; a < v.patch; a++)
    for (let b = 0; b < v.patch; b++) {
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
function tileChunks(
  tiles: number,
  p: Pass,
  planes: number,
  chunkValues: number,
): Array<[number, number]> {
  const step = Math.max(1, Math.floor(chunkValues / (planes * (p.inC + p.outC))));
  const out: Array<[number, number]> = [];
  for (let t0 = 0; t0 < tiles; t0 += step) out.push([t0, Math.min(tiles, t0 + step)]);
  return out;
}

/** The kernels' pointer table: the planes' addresses from slot `baseSlot` of `scratch` on. */
function setPlanes(scratch: tf.Tensor, planes: tf.Tensor[], baseSlot: number): void {
  const view = readNow(scratch);
  const slots = new Int32Array(view.buffer, view.byteOffset + 4 * baseSlot, planes.length);
  planes.forEach((p, i) => {
    slots[i] = readNow(p).byteOffset;
  });
}

/** The tile grid of a pass: tiles per column and row, and in all. */
function tileGrid(p: Pass, v: Variant) {
  const [tH, tW] = [Math.ceil(p.outH / v.tile), Math.ceil(p.outW / v.tile)];
  return { tH, tW, tiles: p.batch * tH * tW };
}

/** The planes `U_ξ` `[t1 − t0, C_in]` of the tiles `[t0, t1)` of `x` (new tensors). */
function inputPlanes(
  x: tf.Tensor,
  p: Pass,
  v: Variant,
  t0: number,
  t1: number,
  scratch: tf.Tensor,
  zero: tf.Tensor,
): tf.Tensor2D[] {
  const { tH, tW } = tileGrid(p, v);
  const u = Array.from(
    { length: v.patch ** 2 },
    () => uninitialised([t1 - t0, p.inC]) as tf.Tensor2D,
  );
  setPlanes(scratch, u, v.baseSlot);
  convKernels()[v.input](
    ...[x, scratch, zero].map((t) => readNow(t).byteOffset),
    t0,
    t1,
    ...[p.inH, p.inW, p.inC, tH, tW, p.padH, p.padW],
  );
  return u;
}

/** One Winograd pass of `x` by the planes `w` (`[inC, outC]` each) into a new output tensor. */
function run(x: tf.Tensor, w: tf.Tensor2D[], p: Pass, v: Variant, chunkValues: number): tf.Tensor {
  const { tH, tW, tiles } = tileGrid(p, v);
  const y = uninitialised([p.batch, p.outH, p.outW, p.outC]);
  const scratch = uninitialised([SCRATCH]);
  const zero = tf.zeros([p.inC], 'float32');
  const sink = uninitialised([p.outC]); // where outputs past the grid's end go
  for (const [t0, t1] of tileChunks(tiles, p, v.patch ** 2, chunkValues)) {
    const u = inputPlanes(x, p, v, t0, t1, scratch, zero);
    const m = u.map((ui, i) => tf.matMul(ui, w[i] as tf.Tensor2D));
    tf.dispose(u);
    setPlanes(scratch, m, v.baseSlot);
    convKernels()[v.output](
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
 * {@link winogradApplies}), by F(4×4, 3×3).
 */
export function winogradForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  chunkValues = WINOGRAD_CHUNK_VALUES,
): tf.Tensor {
  const w = filterPlanes(filter, false, F4);
  const y = run(x, w, forwardPass(g), F4, chunkValues);
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
  const w = filterPlanes(filter, true, F4);
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
  const dx = run(dy, w, pass, F4, chunkValues);
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
  const { tH, tW, tiles } = tileGrid(p, F2);
  const scratch = uninitialised([SCRATCH]);
  const zero = tf.zeros([Math.max(p.inC, p.outC)], 'float32');
  let sums: tf.Tensor[] | undefined;
  for (const [t0, t1] of tileChunks(tiles, p, 16, chunkValues)) {
    const u = inputPlanes(x, p, F2, t0, t1, scratch, zero);
    const yh = Array.from({ length: 16 }, () => uninitialised([t1 - t0, p.outC]) as tf.Tensor2D);
    setPlanes(scratch, yh, F2.baseSlot);
    convKernels().winogradGradOutput(
      ...[dy, scratch, zero].map((t) => readNow(t).byteOffset),
      t0,
      t1,
      p.outH,
      p.outW,
      p.outC,
      tH,
      tW,
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
  const dw = filterFromPlanes(
    (sums as tf.Tensor[]).map((s) => s.dataSync() as Float32Array),
    p,
  );
  tf.dispose(sums as tf.Tensor[]);
  return tf.tensor(dw, [3, 3, p.inC, p.outC], 'float32');
}

/** `dg[i, j] = Σ_{a,b} G[a, i]·G[b, j]·dV_{4a+b}`, each plane `[C_in, C_out]`. */
function filterFromPlanes(dv: Float32Array[], p: Pass): Float32Array {
  const n = p.inC * p.outC;
  const dw = new Float32Array(9 * n);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let a = 0; a < 4; a++)
        for (let b = 0; b < 4; b++) {
          const w = (F2.G[a]?.[i] as number) * (F2.G[b]?.[j] as number);
          if (w === 0) continue;
          const plane = dv[4 * a + b] as Float32Array;
          const base = (3 * i + j) * n;
          for (let e = 0; e < n; e++)
            dw[base + e] = (dw[base + e] as number) + w * (plane[e] as number);
        }
  return dw;
}
