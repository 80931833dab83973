import type { TypedArray } from '@cellshape/core';

/** The sample types cellshape reads from and writes to TIFF. */
export type SampleKind =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'float32'
  | 'float64';

/** TIFF SampleFormat tag values. */
export const SAMPLE_FORMAT = { uint: 1, int: 2, float: 3 } as const;

interface SampleType {
  bits: 8 | 16 | 32 | 64;
  format: 1 | 2 | 3;
  create: (length: number) => TypedArray;
  view: (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
}

/** Bits, SampleFormat and array constructors of every {@link SampleKind}. */
export const SAMPLE_TYPES: Record<SampleKind, SampleType> = {
  uint8: {
    bits: 8,
    format: 1,
    create: (n) => new Uint8Array(n),
    view: (b, o, n) => new Uint8Array(b, o, n),
  },
  int8: {
    bits: 8,
    format: 2,
    create: (n) => new Int8Array(n),
    view: (b, o, n) => new Int8Array(b, o, n),
  },
  uint16: {
    bits: 16,
    format: 1,
    create: (n) => new Uint16Array(n),
    view: (b, o, n) => new Uint16Array(b, o, n),
  },
  int16: {
    bits: 16,
    format: 2,
    create: (n) => new Int16Array(n),
    view: (b, o, n) => new Int16Array(b, o, n),
  },
  uint32: {
    bits: 32,
    format: 1,
    create: (n) => new Uint32Array(n),
    view: (b, o, n) => new Uint32Array(b, o, n),
  },
  int32: {
    bits: 32,
    format: 2,
    create: (n) => new Int32Array(n),
    view: (b, o, n) => new Int32Array(b, o, n),
  },
  float32: {
    bits: 32,
    format: 3,
    create: (n) => new Float32Array(n),
    view: (b, o, n) => new Float32Array(b, o, n),
  },
  float64: {
    bits: 64,
    format: 3,
    create: (n) => new Float64Array(n),
    view: (b, o, n) => new Float64Array(b, o, n),
  },
};

/** The sample kind of a typed array (`Uint8ClampedArray` counts as uint8). */
export function sampleKindOf(data: TypedArray): SampleKind {
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** The sample kind for TIFF BitsPerSample + SampleFormat, or undefined when unsupported. */
export function sampleKindFor(bits: number, format: number): SampleKind | undefined {
  // SampleFormat 4 ("void") is read as unsigned, as libtiff does.
  const f = format === 4 ? 1 : format;
  for (const [kind, type] of Object.entries(SAMPLE_TYPES) as [SampleKind, SampleType][]) {
    if (type.bits === bits && type.format === f) return kind;
  }
  return undefined;
}
