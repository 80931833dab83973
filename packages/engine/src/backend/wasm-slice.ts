import * as tf from '@tensorflow/tfjs-core';

/** The slice of tfjs-backend-wasm's `BackendWasm` this kernel uses (public methods). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let patched = false;

/**
 * `x[begin : begin + size]` copied from a view of the wasm heap, one contiguous run of the
 * last axis at a time.
 */
function sliceKernel(
  stock: tf.KernelFunc,
  args: Parameters<tf.KernelFunc>[0],
): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return stock(args);
  const backend = args.backend as WasmBackendLike;
  const attrs = args.attrs as { begin: number | number[]; size: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(
    x as unknown as tf.Tensor,
    attrs.begin,
    attrs.size,
  ) as [number[], number[]];
  const out = backend.makeOutput(size, x.dtype);
  // Views taken after the output is allocated: allocating may grow (and move) the heap.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  const strides = tf.util.computeStrides(x.shape);
  const rank = x.shape.length;
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    to.set(from.subarray(offset, offset + total));
    return out;
  }
  // Odometer over every axis but the last; each position copies a run of size[rank − 1].
  const run = size[rank - 1] as number;
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let written = 0; written < total; written += run) {
    let offset = begin[rank - 1] as number;
    for (let a = 0; a < rank - 1; a++)
      offset += ((begin[a] as number) + (index[a] as number)) * (strides[a] as number);
    to.set(from.subarray(offset, offset + run), written);
    for (let a = rank - 2; a >= 0; a--) {
      index[a] = (index[a] as number) + 1;
      if ((index[a] as number) < (size[a] as number)) break;
      index[a] = 0;
    }
  }
  return out;
}

/**
 * Replaces tfjs-backend-wasm's `Slice` kernel with one that gives the same values without
 * first copying its whole input out of the wasm heap (tfjs 4.22 does, for every slice: for
 * per-sample slices of a large batch that copy is most of the cost). Call after the wasm
 * backend is registered; idempotent.
 */
export function registerWasmSlice(): void {
  if (patched) return;
  const stock = tf.getKernel('Slice', 'wasm');
  if (stock === undefined) return;
  patched = true;
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    kernelName: 'Slice',
    backendName: 'wasm',
    kernelFunc: (args) => sliceKernel(stock.kernelFunc, args),
  });
}
