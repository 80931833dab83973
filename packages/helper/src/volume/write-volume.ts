import { encodeNpy, FileSystemError, invalidArgument, writeFileAtomic } from '@cellshape/core';
import type { Volume } from '../types.js';
import { assertVolume } from './assert-volume.js';
import { formatFromExtension, type VolumeFormat } from './read-volume.js';
import { type EncodeTiffOptions, encodeTiff, resolveEncodeTiffOptions } from './tiff-encode.js';

/** Options of {@link writeVolume}; the TIFF options apply to TIFF output only. */
export interface WriteVolumeOptions extends EncodeTiffOptions {
  /** The file format. Default `'auto'`: from the extension (`.tif`/`.tiff` → TIFF, `.npy`). */
  format?: VolumeFormat | 'auto';
}

/** Defaults of {@link WriteVolumeOptions}. */
export const DEFAULT_WRITE_VOLUME_OPTIONS: Readonly<Required<WriteVolumeOptions>> = {
  format: 'auto',
  littleEndian: true,
  compression: 'none',
  unit: '',
  pages: 'slices',
};

/**
 * Writes a volume to `path` atomically (a temporary file renamed into place, so a crash never
 * leaves a half-written file; missing folders are created). TIFF output is {@link encodeTiff}'s
 * multi-page stack (with spacing metadata); `.npy` output holds the [z, y, x] array and no
 * spacing. Resolves when the file is in place; rejects with `InvalidArgumentError` for a bad
 * volume, path or option and `FileSystemError` when writing fails.
 */
export async function writeVolume(
  path: string,
  volume: Volume,
  options?: WriteVolumeOptions,
): Promise<void> {
  const fn = 'writeVolume';
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument(fn, 'path', 'a non-empty string', path);
  assertVolume(fn, 'volume', volume);
  const tiffOptions = resolveEncodeTiffOptions(fn, options);
  const requested = options?.format ?? DEFAULT_WRITE_VOLUME_OPTIONS.format;
  const format = requested === 'auto' ? formatFromExtension(path) : requested;
  let bytes: Uint8Array;
  switch (format) {
    case 'tiff':
      bytes = encodeTiff(volume, tiffOptions);
      break;
    case 'npy':
      bytes = encodeNpy({ data: volume.data, shape: [...volume.shape] });
      break;
    case undefined:
      throw invalidArgument(
        fn,
        'path',
        "a path ending in .tif, .tiff or .npy (or pass options.format 'tiff' or 'npy')",
        path,
      );
    default:
      throw invalidArgument(
        fn,
        'options.format',
        "'auto', 'tiff' or 'npy'",
        format satisfies never,
      );
  }
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw new FileSystemError(`${fn}: could not write ${JSON.stringify(path)}`, {
      fn,
      arg: path,
      cause: error,
    });
  }
}
