import { strFromU8, strToU8, zipSync } from 'fflate';
import { type AnyTypedArray, type NdArray, shapeSize } from './arrays.js';
import { FormatError, invalidArgument, UnsupportedError } from './errors.js';
import { parseNpyHeader } from './npy-header.js';
import {
  readZipCommentText,
  readZipEntries,
  resolveZipLimits,
  withZipComment,
  type ZipLimits,
} from './zip-read.js';

/**
 * NumPy `.npy` and `.npz` reading and writing, so arrays move between cellshape and Python
 * without conversion scripts. Arrays are returned C-ordered (Fortran-ordered files are
 * transposed on read), in native byte order; `float16` is widened to `Float32Array`, `bool`
 * becomes `Uint8Array`, `int64`/`uint64` become `BigInt64Array`/`BigUint64Array`.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** The longest `.npy` header read (NumPy's own default limit is 10,000 bytes). */
const MAX_HEADER_LENGTH = 2 ** 16;

type Kind = 'b' | 'i' | 'u' | 'f';

interface Dtype {
  kind: Kind;
  bytes: number;
  littleEndian: boolean;
}

function parseDescr(descr: string, fn: string): Dtype {
  const match = /^([<>|=]?)([biuf])(\d+)$/.exec(descr);
  if (!match)
    throw new UnsupportedError(
      `${fn}: dtype ${JSON.stringify(descr)} is not supported (numeric and bool only)`,
      { fn },
    );
  const [, order, kind, size] = match as unknown as [string, string, Kind, string];
  const bytes = Number(size);
  const valid = { b: [1], i: [1, 2, 4, 8], u: [1, 2, 4, 8], f: [2, 4, 8] }[kind];
  if (!valid.includes(bytes))
    throw new UnsupportedError(`${fn}: dtype ${JSON.stringify(descr)} is not supported`, { fn });
  return { kind, bytes, littleEndian: order !== '>' };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Whether this machine stores numbers little-endian. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The typed array of each plain dtype whose bytes can be copied as they are. */
const PLAIN: Record<string, new (buffer: ArrayBuffer) => AnyTypedArray> = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  i2: Int16Array,
  i4: Int32Array,
  i8: BigInt64Array,
  u1: Uint8Array,
  u2: Uint16Array,
  u4: Uint32Array,
  u8: BigUint64Array,
};

function decodeData(bytes: Uint8Array, offset: number, count: number, dtype: Dtype): AnyTypedArray {
  // In the machine's byte order the values are a copy of the bytes (one memcpy, no per-value read).
  const Plain = PLAIN[`${dtype.kind}${dtype.bytes}`];
  if (Plain !== undefined && (dtype.bytes === 1 || dtype.littleEndian === HOST_LITTLE_ENDIAN)) {
    // A fresh buffer (not `slice`, a view on a Node Buffer): aligned, and the result's own.
    const copy = new Uint8Array(count * dtype.bytes);
    copy.set(bytes.subarray(offset, offset + copy.length));
    return new Plain(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * dtype.bytes);
  const le = dtype.littleEndian;
  const { kind, bytes: size } = dtype;
  const read = <T extends AnyTypedArray>(out: T, get: (i: number) => number | bigint): T => {
    for (let i = 0; i < count; i++) (out as unknown as (number | bigint)[])[i] = get(i * size);
    return out;
  };
  if (kind === 'b') return read(new Uint8Array(count), (o) => (view.getUint8(o) ? 1 : 0));
  if (kind === 'f' && size === 2)
    return read(new Float32Array(count), (o) => halfToFloat(view.getUint16(o, le)));
  if (kind === 'f' && size === 4)
    return read(new Float32Array(count), (o) => view.getFloat32(o, le));
  if (kind === 'f') return read(new Float64Array(count), (o) => view.getFloat64(o, le));
  if (kind === 'i' && size === 1) return read(new Int8Array(count), (o) => view.getInt8(o));
  if (kind === 'i' && size === 2) return read(new Int16Array(count), (o) => view.getInt16(o, le));
  if (kind === 'i' && size === 4) return read(new Int32Array(count), (o) => view.getInt32(o, le));
  if (kind === 'i') return read(new BigInt64Array(count), (o) => view.getBigInt64(o, le));
  if (size === 1) return read(new Uint8Array(count), (o) => view.getUint8(o));
  if (size === 2) return read(new Uint16Array(count), (o) => view.getUint16(o, le));
  if (size === 4) return read(new Uint32Array(count), (o) => view.getUint32(o, le));
  return read(new BigUint64Array(count), (o) => view.getBigUint64(o, le));
}

/** Reorders a Fortran-ordered (first axis fastest) buffer into C order. */
function fortranToC(data: AnyTypedArray, shape: number[]): AnyTypedArray {
  const n = shape.length;
  if (n < 2) return data;
  const out = new (data.constructor as new (length: number) => AnyTypedArray)(data.length);
  const fStrides = new Array<number>(n);
  let s = 1;
  for (let d = 0; d < n; d++) {
    fStrides[d] = s;
    s *= shape[d]!;
  }
  const index = new Array<number>(n).fill(0);
  const src = data as unknown as ArrayLike<number | bigint>;
  const dst = out as unknown as (number | bigint)[];
  for (let i = 0; i < data.length; i++) {
    let f = 0;
    for (let d = 0; d < n; d++) f += index[d]! * fStrides[d]!;
    dst[i] = src[f]!;
    for (let d = n - 1; d >= 0; d--) {
      index[d]!++;
      if (index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Parses the bytes of a `.npy` file. */
export function parseNpy(bytes: Uint8Array): NdArray<AnyTypedArray> {
  const fn = 'parseNpy';
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(fn, 'bytes', 'a Uint8Array', bytes);
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new FormatError(`${fn}: not a .npy file (the magic string \\x93NUMPY is missing)`, {
      fn,
      arg: 'bytes',
    });
  }
  const [major, minor] = [bytes[6]!, bytes[7]!];
  if (major < 1 || major > 3 || minor !== 0)
    throw new FormatError(`${fn}: .npy format version ${major}.${minor} is not 1.0, 2.0 or 3.0`, {
      fn,
      arg: 'bytes',
    });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Version 1 has a 2-byte header length, versions 2 and 3 a 4-byte one.
  const headerStart = major === 1 ? 10 : 12;
  const headerLength =
    bytes.length < headerStart
      ? Number.POSITIVE_INFINITY
      : major === 1
        ? view.getUint16(8, true)
        : view.getUint32(8, true);
  // NumPy itself refuses headers over 10,000 bytes unless told otherwise; ours holds three keys.
  // (Decoding a header of hundreds of MB threw a plain RangeError: "Invalid string length".)
  if (headerLength > MAX_HEADER_LENGTH && headerStart + headerLength <= bytes.length)
    throw new UnsupportedError(
      `${fn}: the .npy header is ${headerLength} bytes long; headers of more than ${MAX_HEADER_LENGTH} bytes are not supported`,
      { fn, arg: 'bytes' },
    );
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length)
    throw new FormatError(`${fn}: the .npy file is truncated inside its header`, {
      fn,
      arg: 'bytes',
    });
  const header = parseNpyHeader(
    strFromU8(bytes.subarray(headerStart, dataStart), true),
    fn,
    major <= 2,
  );
  const dtype = parseDescr(header.descr, fn);
  const count = shapeSize(header.shape);
  if (dataStart + count * dtype.bytes > bytes.length) {
    throw new FormatError(
      `${fn}: the .npy file is truncated: shape [${header.shape.join(', ')}] needs ${count * dtype.bytes} data bytes, found ${bytes.length - dataStart}`,
      { fn, arg: 'bytes' },
    );
  }
  const data = decodeData(bytes, dataStart, count, dtype);
  return { data: header.fortranOrder ? fortranToC(data, header.shape) : data, shape: header.shape };
}

function descrOf(data: AnyTypedArray): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return '|u1';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof BigUint64Array) return '<u8';
  // Anything else (a Float16Array of newer runtimes, a DataView) was written as uint64.
  throw invalidArgument(
    'encodeNpy',
    'array.data',
    'a typed array of a type NumPy reads (not Float16Array or DataView)',
    data,
  );
}

/** Encodes an array as `.npy` (version 1.0, little-endian, C order). */
export function encodeNpy(array: NdArray<AnyTypedArray>): Uint8Array {
  const fn = 'encodeNpy';
  const { data, shape } = array;
  if (!ArrayBuffer.isView(data)) throw invalidArgument(fn, 'array.data', 'a typed array', data);
  const descr = descrOf(data);
  // NumPy refuses a negative or fractional dimension (`(2.5, 2)` is "shape is not valid").
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw invalidArgument(fn, 'array.shape', 'an array of non-negative integers', shape);
  if (shapeSize(shape) !== data.length) {
    throw invalidArgument(
      fn,
      'array.shape',
      `a shape whose size equals data.length (${data.length})`,
      shape,
    );
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += `${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const headerBytes = strToU8(header);
  const out = new Uint8Array(10 + headerBytes.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  // Typed arrays are little-endian on every platform Node runs on.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + headerBytes.length);
  return out;
}

/**
 * Reads the entries of a zip archive (used by `.npz` and PyTorch `.pt` files), checking each
 * entry's CRC-32. The result has no prototype: every entry name, `__proto__` included, is a key.
 *
 * @param fn the function named in error messages (a caller's own name).
 * @param options `maxEntries` (default 100,000) and `maxBytes`, the most bytes all entries
 *   together may inflate to (default 2³¹), checked before anything is inflated: see
 *   {@link ZipLimits}.
 */
export function readZip(
  bytes: Uint8Array,
  fn = 'readZip',
  options?: ZipLimits,
): Record<string, Uint8Array> {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(fn, 'bytes', 'a Uint8Array', bytes);
  return readZipEntries(bytes, fn, resolveZipLimits(fn, options));
}

/** Options of {@link parseNpz}: the limits of {@link readZip}. */
export type ParseNpzOptions = ZipLimits;

/**
 * Parses an `.npz` archive into `{ key: array }` (the `.npy` suffix is dropped from keys), a
 * record without prototype. `options.maxEntries` / `options.maxBytes` bound the archive (see
 * {@link ZipLimits}; defaults 100,000 entries, 2 GiB inflated).
 */
export function parseNpz(
  bytes: Uint8Array,
  options?: ParseNpzOptions,
): Record<string, NdArray<AnyTypedArray>> {
  const fn = 'parseNpz';
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(fn, 'bytes', 'a Uint8Array', bytes);
  const entries = readZip(bytes, fn, options);
  const out: Record<string, NdArray<AnyTypedArray>> = Object.create(null);
  for (const [name, content] of Object.entries(entries)) {
    if (!name.endsWith('.npy')) continue;
    // NumPy's `npz[key]` reads an entry named exactly `key` before `key.npy`: with both present
    // (`x` and `x.npy`, or `a.npy` and `a.npy.npy`) the array read here was another one.
    const key = name.slice(0, -4);
    if (Object.hasOwn(entries, key))
      throw new FormatError(
        `${fn}: entries ${JSON.stringify(key)} and ${JSON.stringify(name)} both name the array ${JSON.stringify(key)} (NumPy reads ${JSON.stringify(key)})`,
        { fn, arg: name },
      );
    try {
      out[key] = parseNpy(content);
    } catch (error) {
      throw new FormatError(
        `${fn}: entry ${JSON.stringify(name)} is not a valid .npy array: ${(error as Error).message}`,
        {
          fn,
          arg: name,
          cause: error,
        },
      );
    }
  }
  return out;
}

/**
 * The archive comment of an `.npz` (or any zip): `''` when it has none. cellshape stores there
 * what NumPy has no place for (e.g. a model's config beside its state dict); `np.load` ignores it.
 */
export function readNpzComment(bytes: Uint8Array): string {
  const fn = 'readNpzComment';
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(fn, 'bytes', 'a Uint8Array', bytes);
  return readZipCommentText(bytes, fn);
}

/** Options of {@link encodeNpz}. */
export interface EncodeNpzOptions {
  /** Deflate the arrays. Default false (stored, as `np.savez`). */
  compress?: boolean;
  /** The archive comment (at most 65,535 UTF-8 bytes; see {@link readNpzComment}). Default none. */
  comment?: string;
}

/** The earliest time a zip entry can state (1980-01-01 00:00 local): deterministic archives. */
const ZIP_EPOCH = new Date(1980, 0, 1);

/** Encodes `{ key: array }` as an `.npz` archive (uncompressed unless `compress` is set). */
export function encodeNpz(
  arrays: Record<string, NdArray<AnyTypedArray>>,
  options: EncodeNpzOptions = {},
): Uint8Array {
  if (arrays === null || typeof arrays !== 'object')
    throw invalidArgument('encodeNpz', 'arrays', 'an object of arrays by key', arrays);
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [key, array] of Object.entries(arrays)) {
    // NumPy's `npz['x.npy']` reads the entry `x.npy` (the array `x`) before `x.npy.npy`.
    if (key.endsWith('.npy') && Object.hasOwn(arrays, key.slice(0, -4)))
      throw invalidArgument(
        'encodeNpz',
        'arrays',
        `keys that NumPy tells apart (${JSON.stringify(key.slice(0, -4))} and ${JSON.stringify(key)} both read as the first)`,
        Object.keys(arrays),
      );
    files[`${key}.npy`] = [encodeNpy(array), { level: options.compress ? 6 : 0 }];
  }
  // A fixed entry time (the zip format's earliest, as torch.save writes): the same arrays give the
  // same bytes on every call, whatever the clock.
  const zip = zipSync(files, { mtime: ZIP_EPOCH });
  if (options.comment === undefined || options.comment === '') return zip;
  if (typeof options.comment !== 'string')
    throw invalidArgument('encodeNpz', 'options.comment', 'a string', options.comment);
  return withZipComment(zip, options.comment, 'encodeNpz');
}
