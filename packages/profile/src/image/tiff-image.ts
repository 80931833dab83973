import { decimalNumber, FormatError, type TypedArray } from '@cellshape/core';
import { decodeTiff, encodeTiff, tiffDescription, type Volume } from '@cellshape/helper';
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
  /**
   * The plane of each position in frame order (frame after frame, the channels of a frame
   * together), when the file stores them otherwise (OME `DimensionOrder` XYZTC: channel after
   * channel); absent when frame order is file order.
   */
  order?: Int32Array;
  pixelSize?: { pixelSize: [number, number]; unit: string };
}

/** A count stated in a description: a positive integer, else 1. */
function statedCount(text: string | undefined): number {
  const n = decimalNumber(text ?? '1');
  return Number.isSafeInteger(n) && n > 0 ? n : 1;
}

/** How `planes` planes of `samples` samples a page form frames (see {@link TiffPages}). */
type Framing = Pick<TiffPages, 'channelsPerFrame' | 'order'>;

/**
 * Channels per frame as the file's ImageJ or OME-XML description states them, and the order of
 * an OME-TIFF's planes. ImageJ stores a frame's channels together (CZT). OME counts the samples
 * of a page as channels (SizeC 3 for RGB pages: read as 3 × 3, a 3-sample page made 3 frames of
 * one channel) and stores the planes in its DimensionOrder (tifffile writes XYZTC for CTYX data:
 * read as consecutive, frames mixed channels and time points). A description that does not
 * divide the planes (e.g. pages added by another tool) is ignored.
 */
function framing(description: string | undefined, samples: number, planes: number): Framing {
  const imageJ = imageJFields(description);
  const ome = imageJ ? undefined : omePixels(description);
  const sizeC = statedCount((imageJ ?? ome)?.get(imageJ ? 'channels' : 'SizeC'));
  const pageChannels = ome && sizeC % samples === 0 ? sizeC / samples : sizeC;
  const channelsPerFrame = planes % (pageChannels * samples) === 0 ? pageChannels * samples : 1;
  const dimensions = ome?.get('DimensionOrder') ?? '';
  if (channelsPerFrame === 1 || !/^XY(?:ZCT|ZTC|CZT|CTZ|TZC|TCZ)$/.test(dimensions))
    return { channelsPerFrame };
  const size: Record<string, number> = {
    Z: statedCount(ome?.get('SizeZ')),
    C: pageChannels,
    T: statedCount(ome?.get('SizeT')),
  };
  if (size.Z! * size.C! * size.T! * samples !== planes) return { channelsPerFrame };
  // Page strides of the axes, the first of DimensionOrder varying fastest.
  const axes = dimensions.slice(2).split('');
  const stride: Record<string, number> = {};
  let step = 1;
  for (const axis of axes) {
    stride[axis] = step;
    step *= size[axis]!;
  }
  const [fast, slow] = axes.filter((axis) => axis !== 'C') as [string, string];
  const order = new Int32Array(planes);
  let i = 0;
  for (let b = 0; b < size[slow]!; b++)
    for (let a = 0; a < size[fast]!; a++)
      for (let c = 0; c < pageChannels; c++)
        for (let q = 0; q < samples; q++)
          order[i++] = (a * stride[fast]! + b * stride[slow]! + c * stride.C!) * samples + q;
  return order.every((plane, at) => plane === at)
    ? { channelsPerFrame }
    : { channelsPerFrame, order };
}

/** Decodes every full-resolution page of a TIFF; `fn` and `where` name caller and file. */
export function decodeTiffPages(
  bytes: Uint8Array,
  fn: string,
  where: string,
  limits: ImageLimits,
): TiffPages {
  // `first`: the first full-resolution page, whose pixels the stack starts with: a
  // reduced-resolution page (a thumbnail) before it has its own resolution (its pixel size was
  // reported, 20,000× too large) and samples.
  const { volume, first } = decodeTiff(bytes, fn, where, {
    maxVoxels: limits.maxPixels,
    limitName: 'maxPixels',
    hyperstacks: true,
    samples: true,
    expansionBound: limits.expansionBound,
  });
  const description = tiffDescription(first);
  // Samples of a pixel (RGB) are channels of the same frame, as are ImageJ's `channels=`.
  const frames = framing(description, first.samplesPerPixel, volume.shape[0]);
  const size = tiffPixelSize(first);
  return size ? { volume, ...frames, pixelSize: size } : { volume, ...frames };
}

/**
 * Planes `from … from + count - 1` of a page stack in frame order (see {@link TiffPages.order}),
 * interleaved as the channels of one image.
 */
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
    const offset = (pages.order?.[from + c] ?? from + c) * plane;
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
