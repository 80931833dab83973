import { type AnyTypedArray, FormatError, shapeSize } from '@cellshape/core';
import type { TorchDtype } from './types.js';

/**
 * PyTorch storages: the legacy storage class names `torch.save` pickles, the byte size of
 * their elements, decoding raw little-endian storage bytes into typed arrays, and resolving a
 * strided view (offset, size, stride) into a dense C-ordered copy.
 */

/** The `torch.<Name>` storage class `torch.save` pickles for each dtype. */
export const STORAGE_CLASS: Readonly<Record<TorchDtype, string>> = {
  float64: 'DoubleStorage',
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bool: 'BoolStorage',
};

/** Storage class name → dtype of its elements. */
export const STORAGE_DTYPES: ReadonlyMap<string, TorchDtype> = new Map(
  Object.entries(STORAGE_CLASS).map(([dtype, name]) => [name, dtype as TorchDtype]),
);

/** Bytes per element of each dtype in a storage file. */
export const DTYPE_ITEM_SIZE: Readonly<Record<TorchDtype, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Decodes `numel` little-endian elements of `dtype` from `bytes` (a storage file). float16
 * and bfloat16 are widened to float32; bool becomes 0/1 bytes.
 */
export function decodeStorage(
  bytes: Uint8Array,
  dtype: TorchDtype,
  numel: number,
  fn: string,
  name: string,
): AnyTypedArray {
  const needed = numel * DTYPE_ITEM_SIZE[dtype];
  if (bytes.length < needed) {
    throw new FormatError(
      `${fn}: storage ${JSON.stringify(name)} is truncated: ${numel} ${dtype} elements need ${needed} bytes, found ${bytes.length}`,
      { fn, arg: name },
    );
  }
  // A copy into a fresh, aligned buffer; typed arrays are little-endian on Node's platforms.
  const own = bytes.slice(0, needed).buffer;
  switch (dtype) {
    case 'float64':
      return new Float64Array(own);
    case 'float32':
      return new Float32Array(own);
    case 'int64':
      return new BigInt64Array(own);
    case 'int32':
      return new Int32Array(own);
    case 'int16':
      return new Int16Array(own);
    case 'int8':
      return new Int8Array(own);
    case 'uint8':
      return new Uint8Array(own);
    case 'bool':
      return new Uint8Array(own).map((b) => (b ? 1 : 0));
    case 'float16': {
      const half = new Uint16Array(own);
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = halfToFloat(half[i]!);
      return out;
    }
    case 'bfloat16': {
      const half = new Uint16Array(own);
      const bits = new Uint32Array(numel);
      for (let i = 0; i < numel; i++) bits[i] = half[i]! << 16;
      return new Float32Array(bits.buffer);
    }
    default: {
      const never: never = dtype;
      throw new Error(`unknown dtype ${String(never)}`);
    }
  }
}

/**
 * Copies the view `(offset, size, stride)` of `storage` into a dense C-ordered array. Throws a
 * `FormatError` when the view reaches outside the storage, or when it has more elements than
 * its storage (a stride-0 / overlapping view) and more than `maxElements`.
 *
 * Sizes and strides must be non-negative safe integers (the caller checks them); the bound
 * checks below stay exact for them, as the floating-point products and sums are monotone.
 */
export function gatherView(
  storage: AnyTypedArray,
  offset: number,
  size: readonly number[],
  stride: readonly number[],
  fn: string,
  name: string,
  maxElements: number = Number.POSITIVE_INFINITY,
): AnyTypedArray {
  const n = shapeSize(size);
  const Ctor = storage.constructor as new (length: number) => AnyTypedArray;
  const where = () =>
    `tensor view (offset ${offset}, size [${size.join(', ')}], stride [${stride.join(', ')}]) of storage ${JSON.stringify(name)}`;
  if (n === 0) return new Ctor(0);
  let last = offset;
  for (let d = 0; d < size.length; d++) last += (size[d]! - 1) * stride[d]!;
  if (offset < 0 || last >= storage.length || stride.some((s) => s < 0)) {
    throw new FormatError(
      `${fn}: ${where()} lies outside its storage of ${storage.length} elements`,
      { fn, arg: name },
    );
  }
  // A view with more elements than its storage repeats elements (stride 0, overlapping
  // strides): the bytes do not justify it, so it may only expand up to maxElements.
  if (n > storage.length && n > maxElements) {
    throw new FormatError(
      `${fn}: ${where()} would expand its ${storage.length} elements to ${n} (a broadcast or overlapping view), more than maxElements ${maxElements}`,
      { fn, arg: name },
    );
  }
  let contiguous = true;
  for (let d = size.length - 1, expected = 1; d >= 0; d--) {
    if (size[d]! !== 1 && stride[d]! !== expected) contiguous = false;
    expected *= size[d]!;
  }
  if (contiguous) return storage.slice(offset, offset + n);
  let out: AnyTypedArray;
  try {
    out = new Ctor(n);
  } catch (error) {
    throw new FormatError(`${fn}: ${where()} of ${n} elements cannot be allocated`, {
      fn,
      arg: name,
      cause: error,
    });
  }
  const src = storage as unknown as ArrayLike<number | bigint>;
  const dst = out as unknown as (number | bigint)[];
  const index = new Array<number>(size.length).fill(0);
  let flat = offset;
  for (let i = 0; i < n; i++) {
    dst[i] = src[flat]!;
    for (let d = size.length - 1; d >= 0; d--) {
      index[d]!++;
      flat += stride[d]!;
      if (index[d]! < size[d]!) break;
      flat -= stride[d]! * size[d]!;
      index[d] = 0;
    }
  }
  return out;
}
