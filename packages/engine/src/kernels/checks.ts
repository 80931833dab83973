import { invalidArgument } from '@cellshape/core';
import { backend, engine, getBackend, type Tensor } from '@tensorflow/tfjs-core';

/**
 * Checks that `t` is a tensor of the given rank and dtype and returns its shape; throws an
 * `InvalidArgumentError` naming the function and argument otherwise.
 */
export function checkTensor(
  fn: string,
  arg: string,
  t: unknown,
  rank: number,
  dtype: 'float32' | 'int32' = 'float32',
): number[] {
  const candidate = t as Partial<Tensor> | null | undefined;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    !Array.isArray(candidate.shape) ||
    typeof candidate.dataSync !== 'function'
  ) {
    throw invalidArgument(fn, arg, `a ${rank}-D ${dtype} tensor`, t);
  }
  if (candidate.isDisposed === true) throw invalidArgument(fn, arg, 'a live (not disposed) tensor');
  if (candidate.shape.length !== rank) {
    throw invalidArgument(fn, arg, `${rank}-D`, candidate.shape);
  }
  if (candidate.dtype !== dtype)
    throw invalidArgument(fn, arg, `of dtype ${dtype}`, candidate.dtype);
  return candidate.shape;
}

/** The index of the first NaN or infinity in `data`, or −1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Throws when `data` holds a NaN or an infinity (the kernels would silently propagate them). */
export function checkFinite(fn: string, arg: string, data: Float32Array): void {
  const i = firstNonFinite(data);
  if (i >= 0)
    throw invalidArgument(fn, arg, 'finite (no NaN or infinity)', `${data[i]} at flat index ${i}`);
}

/**
 * Whether a gradient tape is recording (inside `tf.grad`, `tf.variableGrads`, …): only then
 * can a backward pass follow, so a kernel may skip what only that pass needs. tfjs's own fused
 * ops read the same engine state.
 */
export function gradientsRecorded(): boolean {
  return engine().state.gradientDepth > 0;
}

/**
 * The float32 values of `t` without a copy where the backend allows it: on wasm a view of the
 * heap (valid until the next tfjs operation, which may grow the heap), elsewhere `dataSync()`.
 * For reading at once, e.g. into a kernel's own memory.
 */
export function readNow(t: Tensor): Float32Array {
  const wasm = backend() as { typedArrayFromHeap?: (t: Tensor) => Float32Array };
  if (
    getBackend() === 'wasm' &&
    typeof wasm.typedArrayFromHeap === 'function' &&
    t.dtype === 'float32'
  )
    return wasm.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}
