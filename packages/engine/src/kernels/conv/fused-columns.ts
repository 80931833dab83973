import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { runWasmRowsOnBothThreads } from '../parallel.js';
import {
  type ConvGeometry,
  columnWidth,
  filterShape,
  geometryWords,
  inputShape,
  isPointwise,
  outputRows,
  outputShape,
} from './geometry.js';
import {
  convKernelsModule,
  uninitialised,
  wasmColumnsAvailable,
  wasmTranspose,
} from './wasm-columns.js';

/**
 * The columns path of 3-D convolutions with the gather and the product fused block by block:
 * each thread (the main thread and the engine's worker, blocks taken from a shared counter)
 * gathers a block of column rows into a buffer of its own that stays in its core's cache and
 * multiplies it there by the SIMD GEMM of conv-kernels.wat. The plain columns path writes the
 * whole column matrix to memory (for a 7³ first layer at 64³, B = 8: 360 MB), reads it back in
 * XNNPACK's `tf.matMul`, and ends every product at a barrier of XNNPACK's thread pool. Serves
 * the convolutions Winograd does not: one-channel first layers (5³ and 7³ stride 2), the
 * decoder's last transposed convolution (one output channel: the input gradient of such a
 * layer), the stride-2 3³ and 1³ ones of the ResNets.
 */

/** Column values per block (256 KB of float32): a thread's block stays in its core's L2 cache. */
const BLOCK_VALUES = 2 ** 16;

/**
 * Filter values `K·C_out` from which the forward pass blocks its product by column slices (4 MB
 * of float32: ResNet layer4.0's 14 MB filter, 1.3× less CPU time at load ≈ 10; layer3.0's 3.5 MB
 * ran as fast or faster unsliced).
 */
const LARGE_FILTER_VALUES = 2 ** 20;

/**
 * Filter values `K·C_out` up to which the gradients take this path: the input gradient reads
 * the whole filter and the filter gradient updates its whole sum once per block, so with
 * larger filters (the ResNets' 3³ stride-2 layers from 128 channels on) the traffic outweighs
 * the gain and XNNPACK's packed products of the plain path are as fast or faster.
 */
const GRADIENT_FILTER_VALUES = 2 ** 18;

/**
 * Switches the path off (`enabled = false`) so that the plain columns path runs instead: for
 * tests that compare them and for A/B timings (packages/voxel/bench/ab-edge.ts); not exported
 * from the package.
 */
export const fusedColumnsSwitch = { enabled: true };

/** Rows per block of columns `K` wide: a multiple of 4, at least 4. */
function blockRows(width: number): number {
  return Math.max(4, Math.floor(BLOCK_VALUES / width / 4) * 4);
}

/** 3-D, not pointwise (a pointwise product needs no columns), on the threaded wasm backend. */
const fusedGeometry = (g: ConvGeometry): boolean =>
  fusedColumnsSwitch.enabled && g.dims === 3 && !isPointwise(g) && wasmColumnsAvailable();

/**
 * Whether {@link fusedColumnsForward} computes this geometry: 3-D, not pointwise, output
 * channels a multiple of 4, on the threaded wasm backend.
 */
export function fusedColumnsApplies(g: ConvGeometry): boolean {
  return fusedGeometry(g) && g.outChannels % 4 === 0;
}

/**
 * Whether {@link fusedColumnsFilterGrad} computes this geometry: as {@link fusedColumnsApplies},
 * with at most {@link GRADIENT_FILTER_VALUES} filter values.
 */
export function fusedFilterGradApplies(g: ConvGeometry): boolean {
  return fusedColumnsApplies(g) && columnWidth(g) * g.outChannels <= GRADIENT_FILTER_VALUES;
}

/**
 * Whether {@link fusedColumnsInputGrad} computes this geometry: 3-D, not pointwise, at least 2
 * images (a thread adds into whole images), at most {@link GRADIENT_FILTER_VALUES} filter
 * values, on the threaded wasm backend.
 */
export function fusedInputGradApplies(g: ConvGeometry): boolean {
  return (
    fusedGeometry(g) && g.batch >= 2 && columnWidth(g) * g.outChannels <= GRADIENT_FILTER_VALUES
  );
}

/** A tensor's address in the wasm backend's memory. */
const address = (t: tf.Tensor): number => readNow(t).byteOffset;

/** The geometry as the kernels read it: 16 int32 (`D H W C oD oH oW kd kh kw sd sh sw pd ph pw`). */
function geometryBlock(g: ConvGeometry): tf.Tensor {
  const t = uninitialised([16]);
  const view = readNow(t);
  new Int32Array(view.buffer, view.byteOffset, 16).set(geometryWords(g));
  return t;
}

/** A zeroed float32 buffer of `n` values per thread. */
const buffers = (n: number): [tf.Tensor, tf.Tensor] => [
  tf.zeros([n], 'float32'),
  tf.zeros([n], 'float32'),
];

/**
 * The filter `[…k, C_in, C_out]` as the forward kernel reads it: `[K, C_out]` in panels of 8
 * columns, each `[K, 8]` (the last `[K, 4]` when `C_out` is 4 more than a multiple of 8).
 */
function packedPanels(filter: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const p = uninitialised([columnWidth(g) * g.outChannels]);
  const pack = convKernelsModule().exports.packPanels as (...args: number[]) => void;
  pack(address(filter), address(p), columnWidth(g), g.outChannels);
  return p;
}

/**
 * The convolution of `x` by `filter` `[k_d, k_h, k_w, C_in, C_out]`, plus `bias` `[C_out]` if
 * given (check {@link fusedColumnsApplies}).
 */
export function fusedColumnsForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
  bias?: tf.Tensor,
): tf.Tensor {
  const [K, co] = [columnWidth(g), g.outChannels];
  // A filter larger than the cache is read once per block: then blocks of at least 64 rows,
  // multiplied by slices of 256 columns whose panel parts stay in cache.
  const large = K * co > LARGE_FILTER_VALUES;
  const block = large ? Math.max(blockRows(K), 64) : blockRows(K);
  const b = bias ?? tf.zeros([co], 'float32');
  const geo = geometryBlock(g);
  const w = packedPanels(filter, g);
  const cols = buffers((block + 3) * K);
  const out = buffers((block + 3) * co);
  const y = uninitialised(outputShape(g));
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'fusedColumnsForward',
    [x, w, y, b, geo].map(address).concat([co, block, large ? 256 : K]),
    [0, 1].map((i) => [address(cols[i] as tf.Tensor), address(out[i] as tf.Tensor)]) as [
      number[],
      number[],
    ],
    outputRows(g),
    block,
  );
  tf.dispose([geo, w, ...cols, ...out]);
  if (b !== bias) b.dispose();
  return y;
}

/**
 * The filter gradient `[k_d, k_h, k_w, C_in, C_out]` of that convolution, each thread summing
 * its blocks into its own `[K, C_out]` (check {@link fusedFilterGradApplies}).
 */
export function fusedColumnsFilterGrad(x: tf.Tensor, dy: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const [K, co] = [columnWidth(g), g.outChannels];
  const K4 = Math.ceil(K / 4) * 4;
  const block = blockRows(K);
  const geo = geometryBlock(g);
  const cols = buffers(block * K + 4);
  const dw = buffers(K4 * co);
  const { workerShare } = runWasmRowsOnBothThreads(
    convKernelsModule(),
    'fusedColumnsFilter',
    [x, dy, geo].map(address).concat([co, block]),
    [0, 1].map((i) => [address(cols[i] as tf.Tensor), address(dw[i] as tf.Tensor)]) as [
      number[],
      number[],
    ],
    outputRows(g),
    block,
    () => readNow(dw[0]).fill(0),
  );
  const sum = tf.tidy(() => {
    const parts = (workerShare ? dw : dw.slice(0, 1)).map((t) => tf.slice(t, 0, K * co));
    return tf.reshape(
      parts.length === 1 ? (parts[0] as tf.Tensor) : tf.addN(parts),
      filterShape(g),
    );
  });
  tf.dispose([geo, ...cols, ...dw]);
  return sum;
}

/** The filter `[…k, C_in, C_out]` as `[C_out, K4]`: transposed, zero columns from K up to a multiple of 4. */
function paddedTranspose(filter: tf.Tensor, g: ConvGeometry): tf.Tensor {
  const [K, co] = [columnWidth(g), g.outChannels];
  const K4 = Math.ceil(K / 4) * 4;
  // Without padding columns by the SIMD transpose (large filters), else here.
  if (K4 === K) return tf.tidy(() => wasmTranspose(tf.reshape(filter, [K, co]) as tf.Tensor2D));
  const f = readNow(filter);
  const t = new Float32Array(co * K4);
  for (let k = 0; k < K; k++) for (let o = 0; o < co; o++) t[o * K4 + k] = f[k * co + o] as number;
  return tf.tensor1d(t);
}

/**
 * `dy` `[B, …out, C_out]` → `[B, …in, C_in]`, the input gradient of the convolution by
 * `filter` (its transposed convolution; check {@link fusedInputGradApplies}).
 */
export function fusedColumnsInputGrad(
  dy: tf.Tensor,
  filter: tf.Tensor,
  g: ConvGeometry,
): tf.Tensor {
  const [K, co] = [columnWidth(g), g.outChannels];
  const K4 = Math.ceil(K / 4) * 4;
  const block = blockRows(K4);
  const wt = paddedTranspose(filter, g);
  const geo = geometryBlock(g);
  const cols = buffers((block + 3) * K4);
  const rows = buffers((block + 3) * co);
  const dx = uninitialised(inputShape(g));
  runWasmRowsOnBothThreads(
    convKernelsModule(),
    'fusedColumnsInputGrad',
    [dy, wt, dx, geo].map(address).concat([co, block]),
    [0, 1].map((i) => [address(cols[i] as tf.Tensor), address(rows[i] as tf.Tensor)]) as [
      number[],
      number[],
    ],
    g.batch,
    1,
  );
  tf.dispose([wt, geo, ...cols, ...rows]);
  return dx;
}
