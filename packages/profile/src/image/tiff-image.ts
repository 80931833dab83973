import { FormatError, type TypedArray } from '@cellshape/core';
import { decodeTiffVolume, encodeTiff, type Volume } from '@cellshape/helper';
import { decode } from 'tiff';
import type { Image2D } from '../types.js';
import type { ImageLimits } from './image-limits.js';
import { imageJFields, omePixels, tiffPixelSize } from './pixel-size.js';

/**
 * 2D TIFF on top of `@cellshape/helper`'s TIFF decoder and encoder, which read and write
 * grey-level pages (8/16/32-bit integers, 32/64-bit floats) with every size checked against the
 * file's bytes before anything is allocated. Here the pages become channels or frames, and the
 * pixel size and its unit are read.
 */

/** A decoded TIFF: its pages as `[pages, height, width]`, channels per frame and pixel size. */
export interface TiffPages {
  volume: Volume;
  /** Channels of one frame: samples per pixel × (ImageJ `channels=`, OME `SizeC`, else 1). */
  channelsPerFrame: number;
  pixelSize?: { pixelSize: [number, number]; unit: string };
}

/** Channels per frame as the file's ImageJ or OME-XML description states them. */
function statedChannels(description: string | undefined): number {
  const stated = imageJFields(description)?.get('channels') ?? omePixels(description)?.get('SizeC');
  const n = Number(stated ?? 1);
  return Number.isSafeInteger(n) && n > 0 ? n : 1;
}

/** Decodes every full-resolution page of a TIFF; `fn` and `where` name caller and file. */
export function decodeTiffPages(
  bytes: Uint8Array,
  fn: string,
  where: string,
  limits: ImageLimits,
): TiffPages {
  const volume = decodeTiffVolume(bytes, fn, where, {
    maxVoxels: limits.maxPixels,
    limitName: 'maxPixels',
    hyperstacks: true,
    samples: true,
    expansionBound: limits.expansionBound,
  });
  // The chain of directories is sound (checked above): reading the tags again is safe and cheap.
  const first = decode(bytes, { ignoreImageData: true, pages: [0] })[0]!;
  const description =
    typeof first.imageDescription === 'string' ? first.imageDescription : undefined;
  // Samples of a pixel (RGB) are channels of the same frame, as are ImageJ's `channels=`.
  const stated = statedChannels(description) * first.samplesPerPixel;
  const pages = volume.shape[0];
  // A description that does not divide the pages (e.g. pages added by another tool) is ignored.
  const channelsPerFrame = pages % stated === 0 ? stated : 1;
  const size = tiffPixelSize(first);
  return size ? { volume, channelsPerFrame, pixelSize: size } : { volume, channelsPerFrame };
}

/** Pages `from … from + count - 1` of a page stack, interleaved as the channels of one image. */
export function pagesAsChannels(
  pages: TiffPages,
  from: number,
  count: number,
  fn: string,
  where: string,
): Image2D {
  const [n, height, width] = pages.volume.shape;
  if (from + count > n)
    throw new FormatError(`${fn}: ${where} has ${n} pages, fewer than the ${from + count} needed`, {
      fn,
      arg: where,
    });
  const source = pages.volume.data;
  const plane = height * width;
  const data = new (source.constructor as new (length: number) => TypedArray)(plane * count);
  for (let c = 0; c < count; c++) {
    const offset = (from + c) * plane;
    for (let i = 0; i < plane; i++) data[i * count + c] = source[offset + i]!;
  }
  const image: Image2D = { data, shape: [height, width, count] };
  if (pages.pixelSize) {
    image.pixelSize = pages.pixelSize.pixelSize;
    image.unit = pages.pixelSize.unit;
  }
  return image;
}

/** ImageJ spells microns `micron` (its own `\u00B5m` escape is read back too). */
function imageJUnit(unit: string): string {
  return unit === 'µm' ? 'micron' : unit;
}

/**
 * Encodes an image as a TIFF with one page per channel (an ImageJ hyperstack `channels=C` when
 * C > 1), samples of the image's own type, and the pixel size as X/YResolution with ImageJ
 * `unit=` when the image has one.
 */
export function encodeTiffImage(image: Image2D, compression: 'none' | 'deflate'): Uint8Array {
  const [height, width, channels] = image.shape;
  const plane = height * width;
  const source = image.data;
  const data = new (source.constructor as new (length: number) => TypedArray)(source.length);
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < plane; i++) data[c * plane + i] = source[i * channels + c]!;
  const volume: Volume = { data, shape: [channels, height, width] };
  if (image.pixelSize) volume.spacing = [1, image.pixelSize[0], image.pixelSize[1]];
  return encodeTiff(volume, {
    compression,
    pages: 'channels',
    unit: image.pixelSize ? imageJUnit(image.unit ?? 'pixel') : '',
  });
}
