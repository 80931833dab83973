import {
  checkOneOf,
  FileSystemError,
  invalidArgument,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import type { Image2D } from '../types.js';
import { assertImage2D } from './assert-image.js';
import { encodePngImage } from './png-image.js';
import { type ImageFormat, imageFormatFromPath } from './read-image.js';
import { encodeTiffImage } from './tiff-image.js';

/** Options of {@link writeImage2D} and {@link encodeImage2D}. */
export interface WriteImage2DOptions {
  /** `'auto'` (default): from the extension (`.tif`/`.tiff` → TIFF, `.png` → PNG). */
  format?: ImageFormat | 'auto';
  /** TIFF only: `'none'` (default) or `'deflate'`. PNG is always deflated. */
  compression?: 'none' | 'deflate';
}

/** Defaults of {@link WriteImage2DOptions}. */
export const DEFAULT_WRITE_IMAGE_2D_OPTIONS: Readonly<Required<WriteImage2DOptions>> = {
  format: 'auto',
  compression: 'none',
};

/**
 * The pixel size and unit an image file can hold: `pixelSize` two positive finite numbers and
 * `unit` a string. Unchecked, a zero or negative PNG pixel size was written as 0 or 4293967296
 * pixels per metre, and a TIFF one failed in `encodeTiff` under another argument's name.
 */
function assertCalibration(fn: string, image: Image2D): void {
  const { pixelSize, unit } = image;
  if (
    pixelSize !== undefined &&
    !(
      Array.isArray(pixelSize) &&
      pixelSize.length === 2 &&
      pixelSize.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)
    )
  )
    throw invalidArgument(fn, 'image.pixelSize', 'two positive finite numbers [y, x]', pixelSize);
  if (unit !== undefined && typeof unit !== 'string')
    throw invalidArgument(fn, 'image.unit', 'a string', unit);
}

/**
 * The bytes of an image file. TIFF: one page per channel (an ImageJ hyperstack `channels=C`
 * when C > 1), samples of the image's own type, pixel size as X/YResolution + ImageJ `unit=`.
 * PNG: Uint8 or Uint16 images of 1–4 channels (grey, grey + alpha, RGB, RGBA), pixel size in
 * `pHYs` when its unit is metric (nm, µm, mm, cm, m). `format` must be `'tiff'` or `'png'`.
 *
 * @throws InvalidArgumentError for a bad image, or one PNG cannot hold (other types or channels).
 */
export function encodeImage2D(
  image: Image2D,
  format: ImageFormat,
  options?: Omit<WriteImage2DOptions, 'format'>,
): Uint8Array {
  const fn = 'encodeImage2D';
  assertImage2D(fn, 'image', image);
  assertCalibration(fn, image);
  const { compression } = withDefaults(fn, DEFAULT_WRITE_IMAGE_2D_OPTIONS, options);
  checkOneOf(fn, 'options.compression', compression, ['none', 'deflate']);
  switch (format) {
    case 'tiff':
      return encodeTiffImage(image, compression);
    case 'png': {
      const channels = image.shape[2];
      const { data } = image;
      if (
        !(
          data instanceof Uint8Array ||
          data instanceof Uint16Array ||
          data instanceof Uint8ClampedArray
        )
      )
        throw invalidArgument(
          fn,
          'image.data',
          'a Uint8Array or Uint16Array for PNG (write a TIFF for other types)',
          data.constructor.name,
        );
      if (channels > 4)
        throw invalidArgument(fn, 'image.shape', '1–4 channels for PNG (write a TIFF)', channels);
      return encodePngImage(image);
    }
    default:
      throw invalidArgument(fn, 'format', "'tiff' or 'png'", format satisfies never);
  }
}

/**
 * Writes an image to `path` as TIFF or PNG ({@link encodeImage2D}), atomically: a temporary file
 * renamed into place, so a crash never leaves a half-written file; missing folders are created.
 *
 * @throws InvalidArgumentError for a bad image, path or option; FileSystemError when writing fails.
 */
export async function writeImage2D(
  path: string,
  image: Image2D,
  options?: WriteImage2DOptions,
): Promise<void> {
  const fn = 'writeImage2D';
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument(fn, 'path', 'a non-empty string', path);
  assertImage2D(fn, 'image', image);
  assertCalibration(fn, image);
  const { format: requested, compression } = withDefaults(
    fn,
    DEFAULT_WRITE_IMAGE_2D_OPTIONS,
    options,
  );
  checkOneOf(fn, 'options.format', requested, ['auto', 'tiff', 'png']);
  const format = requested === 'auto' ? imageFormatFromPath(path) : requested;
  if (format === undefined)
    throw invalidArgument(
      fn,
      'path',
      "a path ending in .tif, .tiff or .png (or pass options.format 'tiff' or 'png')",
      path,
    );
  const bytes = encodeImage2D(image, format, { compression });
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
