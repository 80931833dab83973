import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import type { ConvGeometry } from './geometry.js';
import {
  convKernels,
  convKernelsModule,
  uninitialised,
  wasmColumnsAvailable,
} from './wasm-columns.js';

/**
 * 3×3 stride-1 2-D convolutions by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray,
 * 2016): each 4×4 output tile is `Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A` of its 6×6 input patch `d`, so
 * over a batch the convolution is 36 independent products `U_ξ [tiles, C_in] · V_ξ [C_in,
 * C_out]` — 4× fewer multiply-adds than the columns' `[rows, 9·C_in] · [9·C_in, C_out]`.
 * The input gradient is the same pass with the flipped filter; the filter gradient is
 * `dg = Gᵀ·dV·G` with `dV_ξ = Σ_tiles U_ξᵀ · (A·dy·Aᵀ)_ξ`. Each pass is one fused kernel of
 * conv-kernels.wat in the threaded wasm backend's memory, run on both threads over blocks of
 * tiles: a block's transforms, its 36 products (a SIMD GEMM of our own) and its output
 * transform stay in cache, and no product waits at a thread pool's barrier (36 separate
 * `tf.matMul` calls per chunk were 2–4× slower, docs/performance.md, "2D convolution"). The filter
 * transforms (small) run here in float64. Both channel counts must be multiples of 4 (the
 * kernels transform 4 channels at once, the products take 4 rows and columns at a time);
 * other shapes use the columns.
 *
 * The rounding differs from the direct sum: the transforms scale and combine up to 6 values
 * before and after the products. Relative to the result's largest magnitude the difference
 * stays below 1e-5 at 64 → 128 channels (the tests' tolerance is 1e-5 on small layers).
 */

/** Side of the input patch of a 4×4 output tile, and the number of planes (`PATCH²`). */
export const PATCH = 6;
export const PLANES = PATCH * PATCH;

/** The filter transform `G` (6×3) of F(4×4, 3×3), Lavin & Gray's points 0, ±1, ±2. */
export const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
] as const;

/** Float32 values of the transforms' scratch besides a patch: 36 intermediate vectors. */
const SCRATCH = 144;

/**
 * Bytes of transformed values (U and M, or U and Ŷ) of one block of tiles: the block stays in
 * a core's L2 cache (2 MB on the machine it was tuned on) beside the filter planes.
 */
const BLOCK_BYTES = 2 ** 20;

/**
 * Whether {@link winogradForward} and friends compute this geometry: a 2-D 3×3 convolution of
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

/** Filter values (4 at a time) per call of the filter transforms on both threads. */
const FILTER_QUADS = 2048;

/**
 * Filter quads per run of each plane {@link filterPlanes} writes: a thread's block of 36 planes
 * (36 KiB) stays in its L1 cache, and the planes are written 1 KiB at a time.
 */
const PLANE_RUN = 64;

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/**
 * The planes `V_ξᵏ = (G·g_k·Gᵀ)_ξ` `[36, k_d, C_in, C_out]` of a filter `[k_d, 3, 3, C_in,
 * C_out]` (or `[3, 3, C_in, C_out]`, `k_d = 1`), or, with `flipped`, of the filter of the input
 * gradient (rotated 180° in every axis, channels swapped: `[36, k_d, C_out, C_in]`; the channels
 * swapped first by the SIMD transpose). By a wasm kernel on both threads, in float32: within
 * 4e-8 of the largest plane value of a float64 computation.
 */
export function filterPlanes(filter: tf.Tensor, flipped: boolean): tf.Tensor {
  const [ci, co] = filter.shape.slice(-2) as [number, number];
  const kd = filter.size / (9 * ci * co);
  const swapped = flipped ? uninitialised([kd, 3, 3, co, ci]) : filter;
  if (flipped) {
    const [from, to] = [address(filter), address(swapped)];
    for (let tap = 0; tap < 9 * kd; tap++)
      convKernels().transpose(from + 4 * tap * ci * co, to + 4 * tap * ci * co, ci, co);
  }
  const [rows, cols] = flipped ? [co, ci] : [ci, co];
  const v = uninitialised([PLANES * kd * ci * co]);
  const scratch = uninitialised([2 * PLANES * PLANE_RUN * 4]);
  const s0 = address(scratch);
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4FilterPlanes',
    [address(swapped), address(v), rows, cols, kd, flipped ? 1 : 0],
    [
      [s0, PLANE_RUN],
      [s0 + PLANES * PLANE_RUN * 16, PLANE_RUN],
    ],
    (ci * co) / 4,
    FILTER_QUADS,
  );
  scratch.dispose();
  if (swapped !== filter) swapped.dispose();
  return v;
}

/**
 * The filter gradient `dg_k = Gᵀ·dVᵏ·G` `[k_d, 3, 3, C_in, C_out]` (`shape`) of the planes `dv`
 * `[36, k_d, C_in, C_out]` summed by the threads (the second's added into the first's), by a
 * wasm kernel on both threads.
 */
export function filterFromPlanes(dv: tf.Tensor[], shape: number[]): tf.Tensor {
  const [ci, co] = shape.slice(-2) as [number, number];
  const dw = uninitialised(shape);
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4FilterGrad',
    [
      address(dv[0] as tf.Tensor),
      dv[1] ? address(dv[1]) : 0,
      address(dw),
      ...[ci, co, dw.size / (9 * ci * co)],
    ],
    [[], []],
    (ci * co) / 4,
    FILTER_QUADS,
  );
  return dw;
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

/** The tile grid of a pass: tiles per column and row, and in all. */
function tileGrid(p: Pass) {
  const [tH, tW] = [Math.ceil(p.outH / 4), Math.ceil(p.outW / 4)];
  return { tH, tW, tiles: p.batch * tH * tW };
}

/** Tiles per block: {@link BLOCK_BYTES} of U and M, a multiple of 4 (the products' rows). */
function blockTiles(p: Pass): number {
  const perTile = PLANES * (p.inC + p.outC) * 4;
  return Math.max(4, Math.min(1024, 4 * Math.floor(BLOCK_BYTES / perTile / 4)));
}

/** The kernels' sizes of a pass: input, output, tile grid, padding. */
function sizes(p: Pass): number[] {
  const { tH, tW } = tileGrid(p);
  return [p.inH, p.inW, p.inC, p.outH, p.outW, p.outC, tH, tW, p.padH, p.padW];
}

/** Each thread's blocks: its scratch, U `[36, block, C_in]` and M (or Ŷ) `[36, block, C_out]`. */
function threadBlocks(p: Pass, block: number): tf.Tensor[][] {
  return [0, 1].map(() => [
    uninitialised([SCRATCH + PLANES * Math.max(p.inC, p.outC)]),
    uninitialised([PLANES * block * p.inC]),
    uninitialised([PLANES * block * p.outC]),
  ]);
}

/**
 * One Winograd pass of `x` by the planes `w` `[36, inC, outC]` plus `bias` `[outC]` (default
 * zeros) into a new output tensor.
 */
function run(x: tf.Tensor, w: tf.Tensor, p: Pass, block: number, bias?: tf.Tensor): tf.Tensor {
  const { tiles } = tileGrid(p);
  const b = bias ?? tf.zeros([p.outC], 'float32');
  const y = uninitialised([p.batch, p.outH, p.outW, p.outC]);
  const threads = threadBlocks(p, block);
  const after = threads.map((ts) => [...ts.map(address), block]) as [number[], number[]];
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4Forward',
    [x, w, y, b].map(address).concat(sizes(p)),
    after,
    tiles,
    block,
  );
  tf.dispose(threads.flat());
  if (b !== bias) b.dispose();
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
 * The convolution of `x` `[B, H, W, C_in]` by `filter` `[3, 3, C_in, C_out]`, plus `bias`
 * `[C_out]` if given (added in the output transform), check {@link winogradApplies}. `block`:
 * tiles per block (a multiple of 4; tests make it small).
 */
export function winogradForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  block?: number,
  bias?: tf.Tensor,
): tf.Tensor {
  const p = forwardPass(g);
  const w = filterPlanes(filter, false);
  const y = run(x, w, p, block ?? blockTiles(p), bias);
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
  block?: number,
): tf.Tensor {
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
  const w = filterPlanes(filter, true);
  const dx = run(dy, w, pass, block ?? blockTiles(pass));
  tf.dispose(w);
  return dx;
}

/**
 * The filter gradient of that convolution, `[3, 3, C_in, C_out]`: per plane
 * `dV_ξ = Σ_tiles U_ξᵀ · Ŷ_ξ` with `U` the input's transform and `Ŷ = A·dy·Aᵀ` the output
 * gradient's (each thread sums its blocks into its own `dV`), then `dg = Gᵀ·dV·G`.
 */
export function winogradFilterGrad(
  x: tf.Tensor,
  dy: tf.Tensor,
  g: ConvGeometry,
  block?: number,
): tf.Tensor {
  const p = forwardPass(g);
  const tiles = block ?? blockTiles(p);
  const threads = threadBlocks(p, tiles);
  const dv = threads.map(() => tf.zeros([PLANES * p.inC * p.outC], 'float32'));
  const after = threads.map((ts, i) => [
    ...ts.map(address),
    address(dv[i] as tf.Tensor),
    tiles,
  ]) as [number[], number[]];
  const { workerShare } = runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4Filter',
    [x, dy].map(address).concat(sizes(p)),
    after,
    tileGrid(p).tiles,
    tiles,
    () => readNow(dv[0] as tf.Tensor).fill(0),
  );
  const dw = filterFromPlanes(workerShare ? dv : dv.slice(0, 1), [3, 3, p.inC, p.outC]);
  tf.dispose([...dv, ...threads.flat()]);
  return dw;
}
