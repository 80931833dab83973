import * as zlib from 'node:zlib';
import type { TypedArray } from '@cellshape/core';
import { FormatError, UnsupportedError } from '@cellshape/core';
import { unzlibSync } from 'fflate';
import type { TiffIfd } from 'tiff';
import { decodeLzw, LzwError } from './tiff-lzw.js';
import { SAMPLE_TYPES, type SampleKind } from './tiff-sample.js';

/**
 * What the strip and tile readers of a TIFF page share: the error context, the page layout, the
 * codecs that turn one strip or tile into exactly the bytes its rows need, and sample readers.
 */

export const PACKBITS = 32773;
export const LZW = 5;

export interface Context {
  fn: string;
  where: string;
}

export function corrupt(ctx: Context, detail: string, cause?: unknown): FormatError {
  return new FormatError(`${ctx.fn}: ${ctx.where} is not a readable TIFF: ${detail}`, {
    fn: ctx.fn,
    arg: ctx.where,
    cause,
  });
}

export function unsupported(ctx: Context, detail: string): UnsupportedError {
  return new UnsupportedError(`${ctx.fn}: ${ctx.where}: ${detail}`, {
    fn: ctx.fn,
    arg: ctx.where,
  });
}

export type PageKind = SampleKind | 'bit';

export interface PageLayout {
  width: number;
  height: number;
  kind: PageKind;
  compression: number;
  /** Samples per pixel (1 unless the caller allows more). */
  samples: number;
  /** PlanarConfiguration 2: each sample in its own strips, rather than interleaved. */
  planar: boolean;
}

/** One page to read: its directory and layout, and where its samples go (`out` from `start`). */
export interface PageRead {
  bytes: Uint8Array;
  ifd: TiffIfd;
  layout: PageLayout;
  littleEndian: boolean;
  out: TypedArray;
  start: number;
  ctx: Context;
}

export const BYTES_PER_SAMPLE: Partial<Record<PageKind, number>> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

/** Decodes one PackBits (Apple RLE) strip or tile of `expected` bytes. */
function unpackBits(input: Uint8Array, expected: number, ctx: Context, part: string): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (o < expected && i < input.length) {
    const n = (input[i++]! << 24) >> 24; // signed header byte
    if (n >= 0) {
      const count = Math.min(n + 1, expected - o, input.length - i);
      out.set(input.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, expected - o);
      out.fill(input[i++]!, o, o + count);
      o += count;
    }
  }
  if (o < expected) throw corrupt(ctx, `PackBits ${part} decodes to too few bytes`);
  return out;
}

/**
 * Node's zlib, which a browser bundle replaces by an empty module (docs/bundling.md): there
 * Deflate parts are inflated by fflate, which checks neither the Adler-32 nor the stream's end.
 */
const nodeInflate = typeof zlib.inflateSync === 'function' ? zlib.inflateSync : undefined;

/**
 * A Deflate part inflated by Node's zlib, which checks that the stream ends and its Adler-32
 * (a flipped byte is an error, never a wrong pixel), to at most `whole` bytes: the size of a
 * full strip or tile, which the last strip of a page may hold although fewer rows are left.
 */
function inflatePart(
  stored: Uint8Array,
  expected: number,
  whole: number,
  ctx: Context,
  part: string,
): Uint8Array {
  try {
    if (!nodeInflate) return unzlibSync(stored, { out: new Uint8Array(expected) });
    return nodeInflate(stored, { maxOutputLength: Math.max(1, whole) });
  } catch (error) {
    const tooLong = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw corrupt(
      ctx,
      tooLong
        ? `${part} inflates to more than the ${whole} bytes of a whole ${part.split(' ')[0]}`
        : `${part} is not valid Deflate data (${(error as Error).message})`,
      error,
    );
  }
}

/**
 * Strip or tile `part` (`bytes[offset, offset + count)`, already checked to lie in the file)
 * decoded to at least the `expected` bytes its rows need: uncompressed, PackBits, Deflate or
 * LZW. `whole` is the size of a full strip or tile (more than `expected` for the last strip of
 * a page), the most a Deflate stream may hold; PackBits and LZW decoding stops once `expected`
 * bytes are out. Fewer is corrupt.
 */
export function decodePart(
  stored: Uint8Array,
  compression: number,
  expected: number,
  whole: number,
  ctx: Context,
  part: string,
): Uint8Array {
  if (compression === PACKBITS) return unpackBits(stored, expected, ctx, part);
  let out = stored;
  if (compression === LZW) {
    out = new Uint8Array(expected);
    try {
      if (decodeLzw(stored, out) < expected) throw corrupt(ctx, `${part} holds too few bytes`);
    } catch (error) {
      if (!(error instanceof LzwError)) throw error;
      throw corrupt(ctx, `${part} is not valid LZW data: ${error.message}`, error);
    }
  } else if (compression !== 1) out = inflatePart(stored, expected, whole, ctx, part);
  if (out.length < expected) throw corrupt(ctx, `${part} holds too few bytes`);
  return out;
}

export /** Reads sample `x` of a strip or tile row starting at byte `from`. */
function sampleReader(
  kind: PageKind,
  view: DataView,
  littleEndian: boolean,
): (from: number, x: number) => number {
  switch (kind) {
    case 'bit':
      return (from, x) => (view.getUint8(from + (x >> 3)) >> (7 - (x & 7))) & 1;
    case 'uint8':
      return (from, x) => view.getUint8(from + x);
    case 'int8':
      return (from, x) => view.getInt8(from + x);
    case 'uint16':
      return (from, x) => view.getUint16(from + 2 * x, littleEndian);
    case 'int16':
      return (from, x) => view.getInt16(from + 2 * x, littleEndian);
    case 'uint32':
      return (from, x) => view.getUint32(from + 4 * x, littleEndian);
    case 'int32':
      return (from, x) => view.getInt32(from + 4 * x, littleEndian);
    case 'float32':
      return (from, x) => view.getFloat32(from + 4 * x, littleEndian);
    case 'float64':
      return (from, x) => view.getFloat64(from + 8 * x, littleEndian);
    default: {
      const never: never = kind;
      throw new Error(`unknown sample kind ${String(never)}`);
    }
  }
}

/** Whether this machine stores numbers little-endian (typed views then read II files as they are). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Copies row samples out of one decoded strip or tile (rows of `rowBytes` bytes): `copyRow(r,
 * first, step, count, out, b)` puts samples `first, first + step, …` (`count` of them) of row
 * `r` at `out[b…]`. A typed view reads the samples when the file's byte order is the machine's
 * (whole rows at once for `step` 1); a `DataView` otherwise, and for bilevel rows.
 */
export function partRows(
  part: Uint8Array,
  kind: PageKind,
  littleEndian: boolean,
  rowBytes: number,
): (r: number, first: number, step: number, count: number, out: TypedArray, b: number) => void {
  const size = BYTES_PER_SAMPLE[kind];
  if (size !== undefined && (size === 1 || littleEndian === HOST_LITTLE_ENDIAN)) {
    // A typed view needs an aligned start: copy the part when it is not (a copy, not `slice`,
    // which is a view on a Node Buffer).
    const aligned = part.byteOffset % size === 0 ? part : new Uint8Array(part);
    const values = SAMPLE_TYPES[kind as SampleKind].view(
      aligned.buffer as ArrayBuffer,
      aligned.byteOffset,
      Math.floor(aligned.byteLength / size),
    );
    const rowSamples = rowBytes / size;
    return (r, first, step, count, out, b) => {
      const from = r * rowSamples + first;
      if (step === 1) out.set(values.subarray(from, from + count), b);
      else for (let x = 0; x < count; x++) out[b + x] = values[from + x * step]!;
    };
  }
  const read = sampleReader(
    kind,
    new DataView(part.buffer, part.byteOffset, part.byteLength),
    littleEndian,
  );
  return (r, first, step, count, out, b) => {
    for (let x = 0; x < count; x++) out[b + x] = read(r * rowBytes, first + x * step);
  };
}

/**
 * Undoes the floating-point predictor (3; libtiff's, which tifffile writes for floats given
 * `predictor=True`) of the first `rows` rows of one decoded strip or tile: each row's bytes were
 * differenced with a step of `stride` (the interleaved samples of a pixel), after the bytes of
 * its `rowBytes / size` values had been split into planes, most significant first. Returns the
 * rows as ordinary samples in the file's byte order (a new array: an uncompressed part is a view
 * on the caller's bytes).
 */
export function undoFloatPredictor(
  part: Uint8Array,
  rows: number,
  rowBytes: number,
  size: number,
  stride: number,
  littleEndian: boolean,
): Uint8Array {
  const out = new Uint8Array(rows * rowBytes);
  const row = new Uint8Array(rowBytes);
  const values = rowBytes / size;
  for (let r = 0; r < rows; r++) {
    const start = r * rowBytes;
    for (let i = 0; i < rowBytes; i++)
      row[i] = i < stride ? part[start + i]! : (part[start + i]! + row[i - stride]!) & 255;
    for (let v = 0; v < values; v++)
      for (let b = 0; b < size; b++)
        out[start + v * size + (littleEndian ? size - 1 - b : b)] = row[b * values + v]!;
  }
  return out;
}

/**
 * Finishes `count` samples stored at `out[b…]` (one image row of one sample): undoes horizontal
 * differencing (`predictor` 2; typed-array stores wrap modulo 2^n as it requires), then
 * inverts WhiteIsZero samples (`invert` = the largest value, 0 for none).
 */
export function finishRow(
  out: TypedArray,
  b: number,
  count: number,
  predictor: number,
  invert: number,
): void {
  if (predictor === 2) for (let x = 1; x < count; x++) out[b + x] = out[b + x]! + out[b + x - 1]!;
  if (invert > 0) for (let x = 0; x < count; x++) out[b + x] = invert - out[b + x]!;
}

/** The largest sample value of a WhiteIsZero page (read as `max − v`), else 0. */
export function whiteIsZeroMaximum(photometric: number | undefined, kind: PageKind): number {
  if (photometric !== 0) return 0;
  if (kind === 'bit') return 1;
  return kind === 'uint16' ? 65535 : 255;
}
