import type { AnyTypedArray, NdArray } from '@cellshape/core';

/**
 * Element types of PyTorch tensors that `.pt` files can hold and cellshape reads.
 * `float16` and `bfloat16` are widened to `Float32Array` on read; `bool` is a `Uint8Array`
 * of 0/1; `int64` is a `BigInt64Array`.
 */
export type TorchDtype =
  | 'float64'
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/**
 * A tensor read from (or to be written to) a `.pt` file: a dense C-ordered array plus the
 * PyTorch dtype it had (views, offsets and strides are already resolved into a copy).
 */
export interface TorchTensor extends NdArray<AnyTypedArray> {
  readonly dtype: TorchDtype;
}

/** Keys of Python dicts in a checkpoint (strings for state dicts, ints for optimizer state). */
export type TorchKey = string | number | bigint | boolean | null;

/** A Python `dict` / `collections.OrderedDict`, insertion order preserved. */
export type TorchDict = Map<TorchKey, TorchValue>;

/**
 * An unpickled checkpoint value: `None` → `null`, `bool`, `int` (→ `number`, or `bigint`
 * beyond ±2^53), `float`, `str`, `list` and `tuple` → arrays, `dict` → {@link TorchDict},
 * tensors and `nn.Parameter`s → {@link TorchTensor}.
 */
export type TorchValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | TorchTensor
  | TorchValue[]
  | TorchDict;

/** What `torch.load` would return for a `.pt` file, with tensors as {@link TorchTensor}s. */
export type TorchCheckpoint = TorchValue;

/** True when `value` is an `NdArray`-shaped object (`{ data: typed array, shape: number[] }`). */
export function isNdArrayLike(value: unknown): value is NdArray<AnyTypedArray> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Map) &&
    !Array.isArray(value) &&
    ArrayBuffer.isView((value as { data?: unknown }).data) &&
    !((value as { data: unknown }).data instanceof DataView) &&
    Array.isArray((value as { shape?: unknown }).shape)
  );
}

/** True when `value` is a tensor of a checkpoint: an NdArray with a {@link TorchDtype}. */
export function isTorchTensor(value: unknown): value is TorchTensor {
  return isNdArrayLike(value) && typeof (value as { dtype?: unknown }).dtype === 'string';
}
