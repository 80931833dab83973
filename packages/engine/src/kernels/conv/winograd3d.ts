import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import { type ConvGeometry, outputRows } from './geometry.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';
import { PLANES } from './winograd.js';

/**
 * 3×3×3 stride-1 3-D convolutions by Winograd's F(4×4, 3×3) in the two inner axes and a sum
 * over the three taps in depth: each depth slice `[H, W, C]` of every sample is a 2-D image
 * whose 4×4 output tiles come from 36 transformed planes (Lavin & Gray, 2016), and plane `ξ`
 * of output slice `d` is `Σ_k U_ξ(d − p + k) · V_ξᵏ` with `V_ξᵏ` the 2-D transform of the
 * filter's depth tap `k` — 36·3 products of inner side `C_in` per tile where the columns have
 * `[rows, 27·C_in] · [27·C_in, C_out]`: 4× fewer multiply-adds. Each pass is one fused kernel
 * of conv-kernels.wat (`winograd4Depth`, `winograd4DepthFilter`) on both threads over blocks
 * of tiles × depth slices: a block transforms its input slices once for the (up to) three
 * output slices that read each, runs the products by our own SIMD GEMM and the output
 * transform, all in a core's cache — as the 2-D passes (winograd.ts) do. The input gradient
 * is the same pass with the flipped filter; the filter gradient is `Gᵀ·dVᵏ·G` per depth tap
 * with `dV_ξᵏ = Σ U_ξ(d − p + k)ᵀ · (A·dy·Aᵀ)_ξ(d)`, each thread summing its blocks into its
 * own `dV`. The filter transforms are wasm kernels too (4 values at a time, both threads).
 * Channel counts must be multiples of 4 (the transforms run on 4 channels at once).
 *
 * The rounding differs from the direct sum as in the 2-D case: relative to the output's
 * largest magnitude about 1e-5 at 64 → 64 channels.
 */

/** Float32 values of the transforms' scratch besides a patch: 36 intermediate vectors. */
const SCRATCH = 144;

/**
 * Bytes of transformed values (U and M, or U and Ŷ) of one block: the block stays in a core's
 * L2 cache (2 MB on the machine it was tuned on) beside a filter plane.
 */
const BLOCK_BYTES = 2 ** 20;

/** Filter values (4 at a time) per call of the filter transforms on both threads. */
const FILTER_QUADS = 2048;

/**
 * Output positions (over the batch) from which {@link winograd3dApplies} holds: below, the
 * blocks are too few to keep both threads busy and the columns are as fast.
 */
export const WINOGRAD3D_MIN_POSITIONS = 512;

/**
 * Whether the 3-D Winograd paths (this file's and space-to-depth.ts's) may run: switched off
 * only by A/B timings that compare them with the columns in one process
 * (packages/voxel/bench/ab-model.ts); not exported from the package.
 */
export const winograd3dSwitch = { enabled: true };

/**
 * Whether {@link winograd3dForward} and friends compute `g`: a 3-D 3×3×3 convolution of stride
 * 1, padding at most 2, channel counts multiples of 4, at least
 * {@link WINOGRAD3D_MIN_POSITIONS} output positions, on the threaded wasm backend.
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

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/** A Winograd pass over depth slices: input, output, padding (depth, rows, columns). */
interface Pass {
  batch: number;
  inSize: [number, number, number];
  inC: number;
  outSize: [number, number, number];
  outC: number;
  padding: [number, number, number];
}

/** A block of a pass: `tiles` tiles of each slice's grid (a multiple of 4) × `slices` output slices. */
export interface DepthBlock {
  tiles: number;
  slices: number;
}

/** The 4×4 tile grid of one output slice: tiles per column and row, and per slice. */
function tileGrid(p: Pass) {
  const [tH, tW] = [Math.ceil(p.outSize[1] / 4), Math.ceil(p.outSize[2] / 4)];
  return { tH, tW, tiles: tH * tW };
}

/** Float32 values of a block's input and output planes. */
function blockValues(p: Pass, b: DepthBlock): { u: number; m: number } {
  return {
    u: PLANES * (b.slices + 2) * b.tiles * p.inC,
    m: PLANES * b.slices * b.tiles * p.outC,
  };
}

/**
 * The block of a pass: as many output slices as fit in {@link BLOCK_BYTES} with the slice's
 * tiles (each input slice is then transformed `(slices + 2) / slices` times), else fewer tiles
 * per slice; at least 4 blocks over the batch (both threads busy).
 */
function blockShape(p: Pass): DepthBlock {
  const { tiles } = tileGrid(p);
  const oD = p.outSize[0];
  let best: DepthBlock = { tiles: 4, slices: 1 };
  let bestCost = Number.POSITIVE_INFINITY;
  for (let slices = 1; slices <= oD; slices++)
    for (let t = 4; t < tiles + 4; t += 4) {
      const b = { tiles: t, slices };
      const { u, m } = blockValues(p, b);
      if (4 * (u + m) > BLOCK_BYTES && !(t === 4 && slices === 1)) break;
      const blocks = p.batch * Math.ceil(oD / slices) * Math.ceil(tiles / t);
      if (blocks < 4 && !(t === 4 && slices === 1)) continue;
      // Per output tile: input transforms (≈ 30 products' worth per channel), rows computed
      // (padded to the block), and a short product's overhead per row block.
      const padded = (Math.ceil(tiles / t) * t) / tiles;
      const rows = slices * t;
      const cost =
        ((slices + 2) / slices) * p.inC * 30 +
        padded * 3 * p.inC * p.outC * (1 + 8 / rows) +
        p.outC * 20;
      if (cost < bestCost) [best, bestCost] = [b, cost];
    }
  return best;
}

/** The kernels' sizes of a pass: input, output, tile grid, depth taps, padding, block. */
function sizes(p: Pass, b: DepthBlock): number[] {
  const { tH, tW } = tileGrid(p);
  return [...p.inSize, p.inC, ...p.outSize, p.outC, tH, tW, 3, ...p.padding, b.tiles, b.slices];
}

/** Blocks of a pass over the batch. */
function blockCount(p: Pass, b: DepthBlock): number {
  return p.batch * Math.ceil(p.outSize[0] / b.slices) * Math.ceil(tileGrid(p).tiles / b.tiles);
}

/** Each thread's buffers: its scratch, U and M (or Ŷ). */
function threadBuffers(p: Pass, b: DepthBlock): tf.Tensor[][] {
  const { u, m } = blockValues(p, b);
  return [0, 1].map(() => [
    uninitialised([SCRATCH + PLANES * Math.max(p.inC, p.outC)]),
    uninitialised([u]),
    uninitialised([m]),
  ]);
}

/**
 * The filter planes `V_ξᵏ = G·g_k·Gᵀ` `[36, 3, C_in, C_out]` of a filter `[3, 3, 3, C_in,
 * C_out]`, or, with `flipped`, of the input gradient's filter (rotated 180°, channels swapped:
 * `[36, 3, C_out, C_in]`), by the wasm kernel on both threads (float32: within 4e-8 of the
 * largest plane value of a float64 computation).
 */
export function filterPlanes(filter: tf.Tensor, flipped: boolean): tf.Tensor {
  const [kd, , , ci, co] = filter.shape as number[];
  const v = uninitialised([(PLANES * filter.size) / 9]);
  const scratch = [0, 1].map(() => uninitialised([SCRATCH]));
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4FilterPlanes',
    [address(filter), address(v), ci as number, co as number, kd as number, flipped ? 1 : 0],
    [[address(scratch[0] as tf.Tensor)], [address(scratch[1] as tf.Tensor)]],
    ((ci as number) * (co as number)) / 4,
    FILTER_QUADS,
  );
  tf.dispose(scratch);
  return v;
}

/** The pass of the convolution itself. */
function forwardPass(g: ConvGeometry): Pass {
  return {
    batch: g.batch,
    inSize: g.inSize,
    inC: g.inChannels,
    outSize: g.outSize,
    outC: g.outChannels,
    padding: g.padding,
  };
}

/** One forward pass of `x` by the planes `v` plus `bias` (default zeros) into a new tensor. */
function run(x: tf.Tensor, v: tf.Tensor, p: Pass, block: DepthBlock, bias?: tf.Tensor): tf.Tensor {
  const b = bias ?? tf.zeros([p.outC], 'float32');
  const y = uninitialised([p.batch, ...p.outSize, p.outC]);
  const threads = threadBuffers(p, block);
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4Depth',
    [x, v, y, b].map(address).concat(sizes(p, block)),
    threads.map((ts) => ts.map(address)) as [number[], number[]],
    blockCount(p, block),
    1,
  );
  tf.dispose(threads.flat());
  if (b !== bias) b.dispose();
  return y;
}

/**
 * The convolution of `x` `[B, D, H, W, C_in]` by `filter` `[3, 3, 3, C_in, C_out]`, plus
 * `bias` `[C_out]` if given (added in the output transform); check {@link winograd3dApplies}.
 * `block`: tests make it small.
 */
export function winograd3dForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  bias?: tf.Tensor,
  block?: DepthBlock,
): tf.Tensor {
  const p = forwardPass(g);
  const v = filterPlanes(filter, false);
  const y = run(x, v, p, block ?? blockShape(p), bias);
  v.dispose();
  return y;
}

/**
 * The input gradient of that convolution, `dy` `[B, D', H', W', C_out]` → `[B, D, H, W,
 * C_in]`: for stride 1 the convolution of `dy` padded by `2 − p` with the flipped filter.
 */
export function winograd3dInputGrad(
  dy: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  block?: DepthBlock,
): tf.Tensor {
  const p: Pass = {
    batch: g.batch,
    inSize: g.outSize,
    inC: g.outChannels,
    outSize: g.inSize,
    outC: g.inChannels,
    padding: g.padding.map((q) => 2 - q) as [number, number, number],
  };
  const v = filterPlanes(filter, true);
  const dx = run(dy, v, p, block ?? blockShape(p));
  v.dispose();
  return dx;
}

/**
 * The filter gradient of that convolution, `[3, 3, 3, C_in, C_out]`: the planes `dV_ξᵏ` of the
 * blocks (each thread's into its own, summed), then `Gᵀ·dVᵏ·G` per depth tap.
 */
export function winograd3dFilterGrad(
  x: tf.Tensor,
  dy: tf.Tensor,
  g: ConvGeometry,
  block?: DepthBlock,
): tf.Tensor {
  const p = forwardPass(g);
  const b = block ?? blockShape(p);
  const threads = threadBuffers(p, b);
  const planes = PLANES * 3 * p.inC * p.outC;
  const dv = threads.map(() => tf.zeros([planes], 'float32'));
  const after = threads.map((ts, i) => [...ts.map(address), address(dv[i] as tf.Tensor)]);
  const { workerShare } = runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4DepthFilter',
    [x, dy].map(address).concat(sizes(p, b)),
    after as [number[], number[]],
    blockCount(p, b),
    1,
    () => readNow(dv[0] as tf.Tensor).fill(0),
  );
  tf.dispose(threads.flat());
  const dw = uninitialised([3, 3, 3, p.inC, p.outC]);
  const scratch = [0, 1].map(() => uninitialised([SCRATCH]));
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'winograd4FilterGrad',
    [
      address(dv[0] as tf.Tensor),
      workerShare ? address(dv[1] as tf.Tensor) : 0,
      address(dw),
      p.inC,
      p.outC,
      3,
    ],
    [[address(scratch[0] as tf.Tensor)], [address(scratch[1] as tf.Tensor)]],
    (p.inC * p.outC) / 4,
    FILTER_QUADS,
  );
  tf.dispose([...dv, ...scratch]);
  return dw;
}
