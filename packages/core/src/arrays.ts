/** Numeric typed arrays that cellshape passes across package boundaries. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** Typed arrays including the 64-bit integer ones (NumPy int64 / uint64). */
export type AnyTypedArray = TypedArray | BigInt64Array | BigUint64Array;

/** A dense, C-ordered (row-major, last axis fastest) n-dimensional array. */
export interface NdArray<T extends AnyTypedArray = TypedArray> {
  data: T;
  shape: number[];
}

/** Product of a shape's dimensions (1 for a scalar shape `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True when `value` is one of the numeric typed arrays. */
export function isTypedArray(value: unknown): value is AnyTypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}
