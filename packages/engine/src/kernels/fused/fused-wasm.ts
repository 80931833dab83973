import * as tf from '@tensorflow/tfjs-core';
import { type WasmMemory, webAssembly } from '../../web-assembly.js';
import { runModuleRowsOnBothThreads, type SharedWasmKernels } from '../parallel.js';
import { FUSED_KERNELS_WASM_BASE64 } from '../wasm/fused-kernels-wasm.js';

/** The kernels of fused-kernels.wat (pointers: byte offsets into the wasm backend's memory). */
export type FusedKernel =
  | 'sums'
  | 'normalise'
  | 'normaliseGrad'
  | 'poolForward'
  | 'poolSums'
  | 'poolGrad';

let compiled: object | undefined;
let enabled = true;

/**
 * Switches the fused kernels on (default) or off: off, the plain tfjs compositions run on every
 * backend (for A/B measurements and for tests that compare the two).
 */
export function useFusedKernels(on: boolean): void {
  enabled = on;
}
let instance: SharedWasmKernels | undefined;
let generation = 0;

/**
 * fused-kernels.wat instantiated on the memory of the active wasm backend when that memory is
 * shared (the threaded build); undefined otherwise (the stock single-threaded build, other
 * backends), where the plain tfjs compositions run instead.
 */
function fusedKernels(): SharedWasmKernels | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const memory = (tf.backend() as { wasm?: { wasmMemory?: WasmMemory } }).wasm?.wasmMemory;
  if (memory === undefined || !(memory.buffer instanceof SharedArrayBuffer)) return undefined;
  if (instance?.memory !== memory) {
    const wasm = webAssembly();
    compiled ??= new wasm.Module(Buffer.from(FUSED_KERNELS_WASM_BASE64, 'base64'));
    const exports = new wasm.Instance(compiled, { env: { memory } }).exports as Record<
      string,
      unknown
    >;
    instance = { key: `fused-kernels-${generation++}`, module: compiled, memory, exports };
  }
  return instance;
}

/**
 * Whether the fused kernels run for rows of `channels` values: on the threaded wasm backend,
 * for channel counts that are multiples of 4 (the SIMD quads).
 */
export function fusedAvailable(channels: number): boolean {
  return enabled && channels % 4 === 0 && fusedKernels() !== undefined;
}

/**
 * Runs `kernel(...before, r0, r1, ...after)` over the rows `[0, total)` on both threads (check
 * {@link fusedAvailable} first). Rows are handed out in chunks of `chunk`.
 */
export function runFused(
  kernel: FusedKernel,
  before: readonly number[],
  after: readonly number[],
  total: number,
  chunk: number,
): void {
  runModuleRowsOnBothThreads(
    fusedKernels() as SharedWasmKernels,
    kernel,
    before,
    after,
    total,
    chunk,
  );
}

/** The byte offset of a tensor of the wasm backend in its memory. */
export function pointer(t: tf.Tensor): number {
  const backend = tf.backend() as unknown as {
    typedArrayFromHeap(t: tf.Tensor): { byteOffset: number };
  };
  return backend.typedArrayFromHeap(t).byteOffset;
}

/** A new tensor of the wasm backend with unset values (for a kernel that writes them all). */
export function uninitialised(shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const backend = tf.backend() as unknown as {
    makeOutput(shape: number[], dtype: 'float32' | 'int32'): tf.TensorInfo;
  };
  return tf.engine().makeTensorFromTensorInfo(backend.makeOutput(shape, dtype));
}

/** Rows per chunk so that a chunk holds about `values` values (at least one row). */
export function chunkRows(rowValues: number, values = 1 << 16): number {
  return Math.max(1, Math.floor(values / rowValues));
}

/** Four float64 channel sums (what each kernel sums: fused-kernels.wat). */
export interface ChannelSums {
  s1: Float64Array;
  s2: Float64Array;
  s3: Float64Array;
  s4: Float64Array;
}

/**
 * Runs a channel-sums kernel (`sums`, `poolSums`) over `total` rows in chunks, then adds the
 * chunks' float64 sums in order (the same result whichever thread did which chunk): four sums of
 * `channels` values.
 */
export function channelSums(
  kernel: 'sums' | 'poolSums',
  before: readonly number[],
  after: readonly number[],
  channels: number,
  total: number,
  chunk: number,
): ChannelSums {
  const chunks = Math.ceil(total / chunk);
  // float64 partials as a float32 tensor of twice the length (tfjs has no float64).
  const partials = uninitialised([chunks * channels * 8 + 2]);
  try {
    const at = Math.ceil(pointer(partials) / 8) * 8;
    runFused(kernel, [...before, chunk], [...after, at], total, chunk);
    const memory = (fusedKernels() as SharedWasmKernels).memory as WasmMemory;
    const view = new Float64Array(memory.buffer, at, chunks * channels * 4);
    const sums = [0, 1, 2, 3].map(() => new Float64Array(channels));
    for (let k = 0; k < chunks; k++)
      for (const [j, sum] of sums.entries())
        for (let c = 0; c < channels; c++)
          sum[c] = (sum[c] as number) + (view[(k * 4 + j) * channels + c] as number);
    const [s1, s2, s3, s4] = sums as [Float64Array, Float64Array, Float64Array, Float64Array];
    return { s1, s2, s3, s4 };
  } finally {
    partials.dispose();
  }
}
