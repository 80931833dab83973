import { extname } from 'node:path';
import {
  type AnyTypedArray,
  CellshapeError,
  FormatError,
  invalidArgument,
  parseNpy,
  readSourceBytes,
  type TypedArray,
  UnsupportedError,
} from '@cellshape/core';
import type { Volume } from '../types.js';
import { DEFAULT_MAX_VOXELS, decodeTiffVolume } from './tiff-read.js';

/** File formats of volumes: TIFF (`.tif`, `.tiff`) and NumPy `.npy`. */
export type VolumeFormat = 'tiff' | 'npy';

/** Options of {@link readVolume}. */
export interface ReadVolumeOptions {
  /**
   * The file format. Default `'auto'`: from the magic bytes (`II*\0` / `MM\0*` for TIFF,
   * `\x93NUMPY` for .npy), else from the extension of a path.
   */
  format?: VolumeFormat | 'auto';
  /**
   * TIFF only: the most voxels (pages × height × width) a file may declare; a larger one throws
   * `FormatError` before anything is allocated. Default 2³¹.
   * Independently of it, every page must hold the bytes its declared size needs. While it has
   * its default, 1-bit pages, which expand to a byte a voxel, may take at most 64 MiB + 1032
   * bytes per byte of the file (a decompression-bomb guard that an almost empty, highly
   * compressed mask can meet); setting `maxVoxels` replaces that bound with yours.
   */
  maxVoxels?: number;
}

/** Defaults of {@link ReadVolumeOptions}. */
export const DEFAULT_READ_VOLUME_OPTIONS: Readonly<Required<ReadVolumeOptions>> = {
  format: 'auto',
  maxVoxels: DEFAULT_MAX_VOXELS,
};

/** The format a path's extension names, if any (`.tif`, `.tiff`, `.npy`, any case). */
export function formatFromExtension(path: string): VolumeFormat | undefined {
  switch (extname(path).toLowerCase()) {
    case '.tif':
    case '.tiff':
      return 'tiff';
    case '.npy':
      return 'npy';
    default:
      return undefined;
  }
}

function formatFromMagic(bytes: Uint8Array): VolumeFormat | undefined {
  const [a, b, c, d] = bytes;
  if ((a === 0x49 && b === 0x49 && d === 0) || (a === 0x4d && b === 0x4d && c === 0)) return 'tiff';
  if (a === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY') return 'npy';
  return undefined;
}

/** NumPy integers wider than 32 bits fit a volume only when their values do. */
function narrowBigInt(data: AnyTypedArray, fn: string, where: string): TypedArray {
  if (!(data instanceof BigInt64Array || data instanceof BigUint64Array)) return data;
  const signed = data instanceof BigInt64Array;
  const out = signed ? new Int32Array(data.length) : new Uint32Array(data.length);
  const [lo, hi] = signed ? [-(2n ** 31n), 2n ** 31n - 1n] : [0n, 2n ** 32n - 1n];
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo || v > hi) {
      throw new UnsupportedError(
        `${fn}: ${where} holds ${signed ? 'int64' : 'uint64'} value ${v}, outside the 32-bit range volumes support`,
        { fn, arg: where },
      );
    }
    out[i] = Number(v);
  }
  return out;
}

function decodeNpyVolume(bytes: Uint8Array, fn: string, where: string): Volume {
  let array: ReturnType<typeof parseNpy>;
  try {
    array = parseNpy(bytes);
  } catch (error) {
    const detail =
      error instanceof Error ? error.message.replace(/^parseNpy: /, '') : String(error);
    const Type = error instanceof UnsupportedError ? UnsupportedError : FormatError;
    throw new Type(`${fn}: ${where} is not a readable .npy file: ${detail}`, {
      fn,
      arg: where,
      cause: error,
    });
  }
  const { shape } = array;
  if (!(shape.length === 2 || shape.length === 3) || shape.some((d) => d === 0)) {
    throw new FormatError(
      `${fn}: ${where} holds an array of shape [${shape.join(', ')}]; a volume needs a non-empty 2-D [y, x] or 3-D [z, y, x] array`,
      { fn, arg: where },
    );
  }
  const data = narrowBigInt(array.data, fn, where);
  const [z, y, x] = shape.length === 2 ? [1, shape[0]!, shape[1]!] : (shape as number[]);
  return { data, shape: [z!, y!, x!] };
}

/**
 * Reads a 2-D or 3-D image as a {@link Volume} `{ data, shape: [z, y, x], spacing? }`.
 *
 * * TIFF: single pages or multi-page stacks (pages → z; a 2-D image gives shape [1, y, x]),
 *   8/16/32-bit unsigned or signed integers, 32/64-bit floats and bilevel (1-bit → uint8 0/1),
 *   big- or little-endian, strips or tiles, uncompressed, LZW, Deflate or PackBits, with or
 *   without the horizontal predictor (integers). Single-channel only: RGB and multi-channel
 *   images throw `UnsupportedError`; so do JPEG, the floating-point predictor, BigTIFF and
 *   volumetric pages (ImageDepth above 1, tifffile's `volumetric=True`). Reduced-resolution
 *   pages are skipped.
 *   `spacing` ([z, y, x], physical units per voxel) is set only when the file states it:
 *   ImageJ `spacing=` / `unit=` with X/YResolution (spacing = 1 / resolution), or OME-XML
 *   PhysicalSizeZ/Y/X; a missing component is 1.
 * * NumPy `.npy`: 2-D → [1, y, x], 3-D as is; bool → uint8, int64/uint64 → int32/uint32 when
 *   the values fit. No spacing.
 *
 * `source` is a path or the file's bytes. Throws `FileSystemError` when the file cannot be read,
 * `FormatError` for empty, truncated, corrupt or unrecognised bytes, `UnsupportedError` for
 * valid files using a feature listed above as unsupported.
 */
export function readVolume(
  source: string | Uint8Array | ArrayBuffer,
  options?: ReadVolumeOptions,
): Volume {
  const fn = 'readVolume';
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw invalidArgument(fn, 'options', 'an object or undefined', options);
  const format = options?.format ?? DEFAULT_READ_VOLUME_OPTIONS.format;
  if (!['auto', 'tiff', 'npy'].includes(format))
    throw invalidArgument(fn, 'options.format', "'auto', 'tiff' or 'npy'", format);
  const maxVoxels = options?.maxVoxels ?? DEFAULT_READ_VOLUME_OPTIONS.maxVoxels;
  if (!(Number.isSafeInteger(maxVoxels) && maxVoxels > 0))
    throw invalidArgument(fn, 'options.maxVoxels', 'a positive integer', maxVoxels);

  const { bytes, where } = readSourceBytes(fn, source);
  if (bytes.length === 0) throw new FormatError(`${fn}: ${where} is empty`, { fn, arg: where });

  const resolved =
    format !== 'auto'
      ? format
      : (formatFromMagic(bytes) ??
        (typeof source === 'string' ? formatFromExtension(source) : undefined));
  switch (resolved) {
    case 'tiff':
      // A caller's own maxVoxels bounds the file instead of its size.
      return decodeTiffVolume(bytes, fn, where, {
        maxVoxels,
        expansionBound: options?.maxVoxels === undefined && 'options.maxVoxels',
      });
    case 'npy':
      return decodeNpyVolume(bytes, fn, where);
    case undefined:
      throw new FormatError(
        `${fn}: ${where} is neither a TIFF nor a .npy file (unrecognised first bytes and extension)`,
        { fn, arg: where },
      );
    default: {
      const never: never = resolved;
      throw new CellshapeError('INVALID_ARGUMENT', `${fn}: unknown format ${String(never)}`);
    }
  }
}
