import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import { type ConvGeometry, outputRows } from './geometry.js';
import { convKernelsModule, uninitialised, wasmColumnsAvailable } from './wasm-columns.js';
import { filterFromPlanes, filterPlanes, PLANES } from './winograd.js';

/**
 * 3×3×3 stride-1 3-D convolutions by Winograd's F(4×4, 3×3) in the two inner axes and a sum
 * over the three taps in depth: each depth slice `[H, W, C]` of every sample is a 2-D image
 * whose 4×4 output tiles come from 36 transformed planes (Lavin & Gray, 2016), and plane `ξ`
 * of output slice `d` is `Σ_k U_ξ(d − p + k) · V_ξᵏ` with `V_ξᵏ` the 2-D transform of the
 * filter's depth tap `k` — 36·3 products of inner side `C_in` per tile where the columns have
 * `[rows, 27·C_in] · [27·C_in, C_out]`: 4× fewer multiply-adds. Each pass is one fused kernel
 * of conv-kernels.wat (`winograd4Depth`, `winograd4DepthFilter`) on both threads over blocks
 * of tiles × depth slices × samples: a block transforms its input slices once for the (up to) three
 * output slices that read each, runs the products by our own SIMD GEMM and the output
 * transform, all in a core's cache — as the 2-D passes (winograd.ts) do. The input gradient
 * is the same pass with the flipped filter; the filter gradient is `Gᵀ·dVᵏ·G` per depth tap
 * with `dV_ξᵏ = Σ U_ξ(d − p + k)ᵀ · (A·dy·Aᵀ)_ξ(d)`, each thread summing its blocks into its
 * own `dV`. The filter transforms are wasm kernels too (4 values at a time, both threads).
 * Channel counts must be multiples of 4 (the transforms run on 4 channels at once).
 *
 * The rounding differs from the direct sum as in the 2-D case: relative to the output's
 * largest magnitude about 1e-5 at 64 → 64 channels, 2e-5 at 256 → 64.
 */

/**
 * Float32 values of a thread's scratch besides a patch: the block's description (8), then 36
 * intermediate vectors of the transforms.
 */
const SCRATCH = 8 + 144;

/**
 * Bytes of a block's transformed values (U and M, or U and Ŷ) at most, and what {@link
 * blockShape} takes as cached (a core's L2 is 2 MB on the machine it was tuned on; the filter
 * plane in use stays there too).
 */
const MAX_BLOCK_BYTES = 2 ** 23;
const CACHED_BYTES = 2 ** 20;

/**
 * Output positions (over the batch) from which {@link winograd3dApplies} holds: the filter
 * transforms do not shrink with the batch (at 256 positions and 128–512 channels the columns
 * were as fast, at 128 faster).
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

/**
 * A Winograd pass over depth slices: input, output, padding (depth, rows, columns), and the
 * kernel's `half` (0; 1: the last depth tap reads only the first half of the input channels;
 * 2: the first tap writes only the first half of the output channels).
 */
interface Pass {
  batch: number;
  inSize: [number, number, number];
  inC: number;
  outSize: [number, number, number];
  outC: number;
  padding: [number, number, number];
  half: 0 | 1 | 2;
}

/** Options of the passes. */
export interface Winograd3dOptions {
  /**
   * The filter is a space-to-depth one (space-to-depth.ts): depth tap 2 is zero for the
   * second half of the input channels (`π_d = 1`), whose products are skipped. Default false.
   */
  spaceToDepth?: boolean;
  /** Tiles × output slices × samples per block (tests make it small); default: by a cost model. */
  block?: DepthBlock;
}

/**
 * A block of a pass: `tiles` tiles of each slice's grid × `slices` output slices × `samples`
 * samples.
 */
export interface DepthBlock {
  tiles: number;
  slices: number;
  samples: number;
}

/** The 4×4 tile grid of one output slice: tiles per column and row, and per slice. */
function tileGrid(p: Pass) {
  const [tH, tW] = [Math.ceil(p.outSize[1] / 4), Math.ceil(p.outSize[2] / 4)];
  return { tH, tW, tiles: tH * tW };
}

/** Float32 values of a block's input and output planes. */
function blockValues(p: Pass, b: DepthBlock): { u: number; m: number } {
  return {
    u: PLANES * b.samples * (b.slices + 2) * b.tiles * p.inC,
    m: PLANES * b.samples * b.slices * b.tiles * p.outC,
  };
}

/** Blocks of a pass over the batch. */
function blockCount(p: Pass, b: DepthBlock): number {
  const { tiles } = tileGrid(p);
  return (
    Math.ceil(p.batch / b.samples) * Math.ceil(p.outSize[0] / b.slices) * Math.ceil(tiles / b.tiles)
  );
}

/**
 * Estimated time of a pass (`grad`: the filter gradient's) in blocks `b`, in multiply-adds of
 * the products: the products (the forward's rounded up to 4 rows), the transforms (≈ 4
 * multiply-adds' time per transformed value; each input slice is transformed `(slices + 2) /
 * slices` times), the filter planes from memory once per block (≈ 1 per byte; read and written
 * by the filter gradient) unless they stay cached, the block's values from the shared cache
 * when they do not fit a core's (≈ 0.3 per byte), and the thread left idle by an odd number of
 * blocks.
 */
function blockCost(p: Pass, b: DepthBlock, grad: boolean): number {
  const blocks = blockCount(p, b);
  const rows = b.slices * b.tiles;
  const { u, m } = blockValues(p, b);
  const filterBytes = PLANES * 3 * p.inC * p.outC * 4;
  const perTile =
    3 * PLANES * p.inC * p.outC * (grad ? 1 : Math.ceil(rows / 4) / (rows / 4)) +
    4 * PLANES * (((b.slices + 2) / b.slices) * p.inC + p.outC);
  const perBlock =
    (filterBytes > CACHED_BYTES ? (grad ? 2.5 : 1) * filterBytes : 0) +
    (4 * (u + m) > CACHED_BYTES ? 1.2 * (u + m) : 0);
  const computed = blocks * b.samples * b.slices * b.tiles;
  const balance = (2 * Math.ceil(blocks / 2)) / blocks;
  return (computed * perTile + blocks * perBlock) * balance;
}

/**
 * The block of a pass of least {@link blockCost} within {@link MAX_BLOCK_BYTES}, with at least
 * 2 blocks (both threads busy) where the pass has as many tiles: each block reads every filter
 * plane, so where the planes do not stay cached, more blocks than threads cost more than they
 * balance (ResNet layer4, docs/voxel.md).
 */
function blockShape(p: Pass, grad = false): DepthBlock {
  const { tiles } = tileGrid(p);
  const oD = p.outSize[0];
  let best: DepthBlock = { tiles: 1, slices: 1, samples: 1 };
  let bestCost = Number.POSITIVE_INFINITY;
  for (let samples = 1; samples <= p.batch; samples++)
    for (let slices = samples > 1 ? oD : 1; slices <= oD; slices++)
      for (let t = 1; t <= tiles; t++) {
        const b = { tiles: t, slices, samples };
        const { u, m } = blockValues(p, b);
        if (4 * (u + m) > MAX_BLOCK_BYTES) break;
        if (blockCount(p, b) < 2 && p.batch * oD * tiles >= 4) continue;
        const cost = blockCost(p, b, grad);
        if (cost < bestCost) [best, bestCost] = [b, cost];
      }
  return best;
}

/** The kernels' sizes of a pass: input, output, tile grid, depth taps, padding, block. */
function sizes(p: Pass, b: DepthBlock): number[] {
  const { tH, tW } = tileGrid(p);
  return [
    ...[p.batch, ...p.inSize, p.inC, ...p.outSize, p.outC, tH, tW],
    ...[3, ...p.padding, p.half, b.tiles, b.slices, b.samples],
  ];
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

/** The pass of the convolution itself. */
function forwardPass(g: ConvGeometry, options: Winograd3dOptions): Pass {
  return {
    batch: g.batch,
    inSize: g.inSize,
    inC: g.inChannels,
    outSize: g.outSize,
    outC: g.outChannels,
    padding: g.padding,
    half: options.spaceToDepth ? 1 : 0,
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
 */
export function winograd3dForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  bias?: tf.Tensor,
  options: Winograd3dOptions = {},
): tf.Tensor {
  const p = forwardPass(g, options);
  const v = filterPlanes(filter, false);
  const y = run(x, v, p, options.block ?? blockShape(p), bias);
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
  options: Winograd3dOptions = {},
): tf.Tensor {
  const p: Pass = {
    batch: g.batch,
    inSize: g.outSize,
    inC: g.outChannels,
    outSize: g.inSize,
    outC: g.inChannels,
    padding: g.padding.map((q) => 2 - q) as [number, number, number],
    // The flipped filter's first depth tap is the forward's last.
    half: options.spaceToDepth ? 2 : 0,
  };
  const v = filterPlanes(filter, true);
  const dx = run(dy, v, p, options.block ?? blockShape(p));
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
  options: Winograd3dOptions = {},
): tf.Tensor {
  const p = forwardPass(g, options);
  const b = options.block ?? blockShape(p, true);
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
  const dw = filterFromPlanes(workerShare ? dv : dv.slice(0, 1), [3, 3, 3, p.inC, p.outC]);
  tf.dispose(dv);
  return dw;
}
