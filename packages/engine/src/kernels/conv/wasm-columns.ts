import * as tf from '@tensorflow/tfjs-core';
import { type WasmMemory, webAssembly } from '../../web-assembly.js';
import { readNow } from '../checks.js';
import type { SharedWasmKernels } from '../parallel.js';
import {
  CONV_KERNELS_RELAXED_WASM_BASE64,
  CONV_KERNELS_WASM_BASE64,
} from '../wasm/conv-kernels-wasm.js';
import { type SimdVariant, variantBase64 } from '../wasm/simd-variant.js';
import { type ConvGeometry, geometryWords } from './geometry.js';

/** A kernel of conv-kernels.wat taking pointers and sizes (its parameters, in order). */
type TileKernel = (...pointersAndSizes: number[]) => void;

/** The exports of conv-kernels.wat (pointers: byte offsets into the wasm backend's memory). */
interface ConvKernelExports {
  columns(x: number, cols: number, r0: number, r1: number, ...geometryAndMode: number[]): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  // The max-pool gradient (pool/max-pool.ts) and the fused products of winograd.ts and
  // single-channel.ts (loops over tile or image ranges): arguments in the .wat's order.
  maxPoolGrad: TileKernel;
  gemm: TileKernel;
  winograd4Forward: TileKernel;
  winograd4Filter: TileKernel;
  singleChannelForward: TileKernel;
  singleChannelFilter: TileKernel;
  // The fused passes over depth slices of winograd3d.ts, the filter transforms of both Winograd
  // paths, and space-to-depth.ts's copies.
  winograd4Depth: TileKernel;
  winograd4DepthFilter: TileKernel;
  winograd4FilterPlanes: TileKernel;
  winograd4FilterGrad: TileKernel;
  spaceToDepth: TileKernel;
}

/** The compiled module of each build (simd-variant.ts chooses which runs). */
const compiled = new Map<SimdVariant, object>();
let instance:
  | { key: string; variant: SimdVariant; memory: WasmMemory; exports: ConvKernelExports }
  | undefined;
/** Numbers the instances: the worker thread keeps one per key (a new memory or build, a new key). */
let generation = 0;

/**
 * conv-kernels.wat (the build {@link variantBase64} chooses) instantiated on the memory of the
 * active wasm backend, when that memory is shared (the threaded build, which exposes it as
 * `wasmMemory`); undefined otherwise (the stock single-threaded build, other backends), where
 * the JavaScript loops run instead.
 */
function kernels(): ConvKernelExports | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const memory = (tf.backend() as { wasm?: { wasmMemory?: WasmMemory } }).wasm?.wasmMemory;
  if (memory === undefined || !(memory.buffer instanceof SharedArrayBuffer)) return undefined;
  const { variant, base64 } = variantBase64({
    plain: CONV_KERNELS_WASM_BASE64,
    relaxed: CONV_KERNELS_RELAXED_WASM_BASE64,
  });
  if (instance?.memory !== memory || instance.variant !== variant) {
    const wasm = webAssembly();
    const module = compiled.get(variant) ?? new wasm.Module(Buffer.from(base64, 'base64'));
    compiled.set(variant, module);
    const exports = new wasm.Instance(module, { env: { memory } }).exports as ConvKernelExports;
    instance = { key: `conv-kernels-${variant}-${generation++}`, variant, memory, exports };
  }
  return instance.exports;
}

/** The kernels of conv-kernels.wat on the wasm backend's memory (check {@link wasmColumnsAvailable} first). */
export function convKernels(): ConvKernelExports {
  return kernels() as ConvKernelExports;
}

/**
 * The module of {@link convKernels}, the wasm backend's memory it runs on and its exports here:
 * what a worker thread needs to run the same kernels on the same memory (check
 * {@link wasmColumnsAvailable} first).
 */
export function convKernelsModule(): SharedWasmKernels {
  kernels();
  const { key, variant, memory, exports } = instance as NonNullable<typeof instance>;
  return {
    key,
    module: compiled.get(variant) as object,
    memory,
    exports: exports as unknown as Record<string, unknown>,
  };
}

/** Whether {@link wasmColumns} runs (the threaded wasm backend is active). */
export function wasmColumnsAvailable(): boolean {
  return kernels() !== undefined;
}

/**
 * What {@link wasmColumns} does: `gather` the columns `[rows, K]` of `x` (vol2col) or
 * `scatter` them back, adding (col2vol).
 */
export type ColumnsMode = 'gather' | 'scatter';

/**
 * A new float32 tensor of the wasm backend with unset values (for a kernel that writes them
 * all).
 */
export function uninitialised(shape: number[]): tf.Tensor {
  const backend = tf.backend() as unknown as {
    makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  };
  return tf.engine().makeTensorFromTensorInfo(backend.makeOutput(shape, 'float32'));
}

/**
 * Rows `[r0, r1)` of the columns tensor `cols` and the input `x`, in the wasm backend's memory
 * (`mode`: `gather` writes every value of those rows, `scatter` adds into `x`). Both tensors must be float32 tensors of that backend;
 * check {@link wasmColumnsAvailable} first.
 */
export function wasmColumns(
  x: tf.Tensor,
  cols: tf.Tensor,
  g: ConvGeometry,
  r0: number,
  r1: number,
  mode: ColumnsMode,
): void {
  const k = kernels() as ConvKernelExports;
  k.columns(
    readNow(x).byteOffset,
    readNow(cols).byteOffset,
    r0,
    r1,
    ...geometryWords(g),
    mode === 'scatter' ? 1 : 0,
  );
}

/**
 * The transpose `[C, R]` of a float32 matrix `[R, C]` of the wasm backend, by the SIMD kernel
 * into a new uninitialised tensor (tfjs-backend-wasm's own transpose is a scalar loop, ~20×
 * slower here). Check {@link wasmColumnsAvailable} first.
 */
export function wasmTranspose(m: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = m.shape;
  const backend = tf.backend() as unknown as {
    makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  };
  const t = tf
    .engine()
    .makeTensorFromTensorInfo(backend.makeOutput([cols, rows], 'float32')) as tf.Tensor2D;
  (kernels() as ConvKernelExports).transpose(
    readNow(m).byteOffset,
    readNow(t).byteOffset,
    rows,
    cols,
  );
  return t;
}
