import { extname } from 'node:path';
import {
  checkExpansion,
  checkInteger,
  checkOneOf,
  FormatError,
  invalidArgument,
  readSourceBytes,
  withDefaults,
} from '@cellshape/core';
import { DEFAULT_MAX_VOXELS } from '@cellshape/helper';
import type { Image2D } from '../types.js';
import type { ImageLimits } from './image-limits.js';
import { decodePngImage, isPng } from './png-image.js';
import { decodeTiffPages, pagesAsChannels, type TiffPages } from './tiff-image.js';

/** File formats of 2D images. */
export type ImageFormat = 'tiff' | 'png';

/** Options of {@link readImage2D}, {@link readImageFrames2D} and {@link readLabelImage2D}. */
export interface ReadImage2DOptions {
  /** `'auto'` (default): from the first bytes (TIFF `II*\0`/`MM\0*`, PNG signature). */
  format?: ImageFormat | 'auto';
  /**
   * TIFF only, what the pages of a multi-page file become in {@link readImage2D}:
   * `'channels'` (default) — every page is one channel, so a 3-page file gives 3 channels
   * (in frame order: an OME-TIFF stored channel after channel gives each frame's channels together);
   * `'frames'` — the pages are a time series whose frame {@link ReadImage2DOptions.frame} is
   * returned, with as many channels per frame as the ImageJ (`channels=`) or OME (`SizeC`)
   * description states, else 1.
   */
  pages?: 'channels' | 'frames';
  /** The frame returned when `pages` is `'frames'` (0-based). Default 0. */
  frame?: number;
  /**
   * The most pixels (pages × height × width) a file may declare; a larger one throws
   * `FormatError` before anything is allocated. Default 2³¹. While it has its default, the
   * conversions that expand decoded pixels (1/2/4-bit samples to bytes, palette indices to
   * colours, ids to Int32 labels) may take at most 64 MiB + 1032 bytes per byte of the file (a
   * decompression-bomb guard that an almost empty, highly compressed image can meet); setting
   * `maxPixels` replaces that bound with yours.
   */
  maxPixels?: number;
}

/** Defaults of {@link ReadImage2DOptions}. */
export const DEFAULT_READ_IMAGE_2D_OPTIONS: Readonly<Required<ReadImage2DOptions>> = {
  format: 'auto',
  pages: 'channels',
  frame: 0,
  maxPixels: DEFAULT_MAX_VOXELS,
};

/** The format a path's extension names (`.tif`, `.tiff`, `.png`, any case). */
export function imageFormatFromPath(path: string): ImageFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.tif' || ext === '.tiff') return 'tiff';
  if (ext === '.png') return 'png';
  return undefined;
}

/** A TIFF's byte-order mark: BigTIFF too (II+ or MM\0+), which the TIFF reader names unsupported. */
function isTiff(bytes: Uint8Array): boolean {
  const [a, b, c, d] = bytes;
  return (a === 0x49 && b === 0x49 && d === 0) || (a === 0x4d && b === 0x4d && c === 0);
}

interface Source {
  bytes: Uint8Array;
  where: string;
  format: ImageFormat;
}

/** Reads a path or takes bytes, and finds the format; throws typed errors naming `fn`. */
function loadSource(fn: string, source: unknown, format: ImageFormat | 'auto'): Source {
  const { bytes, where } = readSourceBytes(fn, source);
  if (bytes.length === 0) throw new FormatError(`${fn}: ${where} is empty`, { fn, arg: where });
  const found =
    format !== 'auto' ? format : isTiff(bytes) ? 'tiff' : isPng(bytes) ? 'png' : undefined;
  if (found === undefined)
    throw new FormatError(
      `${fn}: ${where} is neither a TIFF nor a PNG (unrecognised first bytes)`,
      {
        fn,
        arg: where,
      },
    );
  return { bytes, where, format: found };
}

/** The options with their defaults, and the limits a decoder needs. */
function resolveOptions(fn: string, options: ReadImage2DOptions | undefined) {
  const resolved = withDefaults(fn, DEFAULT_READ_IMAGE_2D_OPTIONS, options);
  checkOneOf(fn, 'options.format', resolved.format, ['auto', 'tiff', 'png']);
  checkOneOf(fn, 'options.pages', resolved.pages, ['channels', 'frames']);
  checkInteger(fn, 'options.frame', resolved.frame, { min: 0 });
  checkInteger(fn, 'options.maxPixels', resolved.maxPixels, {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
  // A caller's own maxPixels bounds expanding conversions instead of the file's size.
  const limits: ImageLimits = {
    maxPixels: resolved.maxPixels,
    expansionBound: options?.maxPixels === undefined && 'options.maxPixels',
  };
  return { ...resolved, limits };
}

/** A PNG holds one frame: asking for another is an error (it was answered with frame 0). */
function checkPngFrame(fn: string, where: string, pages: string, frame: number): void {
  if (pages === 'frames' && frame > 0)
    throw invalidArgument(fn, 'options.frame', `a frame below 1 (${where} has 1)`, frame);
}

/** The frames of a page stack, `channelsPerFrame` pages each. */
function tiffFrames(pages: TiffPages, fn: string, where: string): Image2D[] {
  const c = pages.channelsPerFrame;
  const count = pages.volume.shape[0] / c;
  return Array.from({ length: count }, (_, t) => pagesAsChannels(pages, t * c, c, fn, where));
}

/**
 * Reads a 2D TIFF or PNG image as an {@link Image2D} `{ data, shape: [height, width,
 * channels], pixelSize?, unit? }` (channels last), samples of the file's own type.
 *
 * * TIFF: grey-level pages of 8/16/32-bit integers (signed or not) or 32/64-bit floats,
 *   uncompressed, LZW, Deflate or PackBits, strips or tiles (read by `@cellshape/helper`); a
 *   multi-page file gives one channel per page, or one frame (`options.pages: 'frames'`).
 *   Pages with several samples per pixel (RGB; strips, interleaved or planar) give one channel
 *   per sample.
 * * PNG: grey (1 channel), grey + alpha (2), RGB (3), RGBA (4), 1–8 bits → Uint8Array,
 *   16 bits → Uint16Array; palette images → their RGB(A) colours.
 *
 * `pixelSize` `[y, x]` and `unit` are set only when the file states them: TIFF ImageJ `unit=`
 * with X/YResolution, OME-XML PhysicalSizeX/Y, or X/YResolution in inch or centimetre
 * (converted to µm); PNG `pHYs` in pixels per metre (→ µm).
 *
 * @throws FileSystemError when the file cannot be read, FormatError for empty, truncated,
 *   corrupt or oversized files (checked before allocating), UnsupportedError for valid files
 *   using an unsupported feature, InvalidArgumentError for bad options.
 */
export function readImage2D(
  source: string | Uint8Array | ArrayBuffer,
  options?: ReadImage2DOptions,
): Image2D {
  const fn = 'readImage2D';
  const { format, pages, frame, limits } = resolveOptions(fn, options);
  const { bytes, where, format: found } = loadSource(fn, source, format);
  if (found === 'png') {
    checkPngFrame(fn, where, pages, frame);
    return decodePngImage(bytes, fn, where, limits, 'colours');
  }
  const stack = decodeTiffPages(bytes, fn, where, limits);
  if (pages === 'channels') return pagesAsChannels(stack, 0, stack.volume.shape[0], fn, where);
  const frames = stack.volume.shape[0] / stack.channelsPerFrame;
  if (frame >= frames)
    throw invalidArgument(
      fn,
      'options.frame',
      `a frame below ${frames} (${where} has ${frames})`,
      frame,
    );
  const c = stack.channelsPerFrame;
  return pagesAsChannels(stack, frame * c, c, fn, where);
}

/**
 * Reads every frame of a 2D TIFF time series (or a PNG, one frame): the pages are grouped
 * `channels` at a time, as the ImageJ (`channels=`) or OME (`SizeC`) description states
 * (else one page per frame). Same formats and errors as {@link readImage2D}.
 */
export function readImageFrames2D(
  source: string | Uint8Array | ArrayBuffer,
  options?: Omit<ReadImage2DOptions, 'pages' | 'frame'>,
): Image2D[] {
  const fn = 'readImageFrames2D';
  const { format, limits } = resolveOptions(fn, options);
  const { bytes, where, format: found } = loadSource(fn, source, format);
  if (found === 'png') return [decodePngImage(bytes, fn, where, limits, 'colours')];
  return tiffFrames(decodeTiffPages(bytes, fn, where, limits), fn, where);
}

/**
 * Reads a label image (0 background, 1, 2, … one id per object) as an `Int32Array` image of one
 * channel: TIFF of any integer type (one page, or frame `options.frame` when `pages` is
 * `'frames'`), or PNG (grey 8/16-bit, or palette indices). Float TIFFs are accepted when every
 * value is a whole number.
 *
 * @throws FormatError when the file has more than one channel, or values that are not integer
 *   ids in the Int32 range; otherwise as {@link readImage2D}.
 */
export function readLabelImage2D(
  source: string | Uint8Array | ArrayBuffer,
  options?: ReadImage2DOptions,
): Image2D<Int32Array> {
  const fn = 'readLabelImage2D';
  const resolved = resolveOptions(fn, options);
  const { bytes, where, format } = loadSource(fn, source, resolved.format);
  let image: Image2D;
  if (format === 'png') {
    checkPngFrame(fn, where, resolved.pages, resolved.frame);
    image = decodePngImage(bytes, fn, where, resolved.limits, 'indices');
  } else {
    const stack = decodeTiffPages(bytes, fn, where, resolved.limits);
    // Only the frame returned is built (building every frame copied the whole stack again).
    const c = stack.channelsPerFrame;
    const frames = Math.floor(stack.volume.shape[0] / c);
    if (resolved.pages === 'frames' && resolved.frame >= frames)
      throw invalidArgument(fn, 'options.frame', `a frame below ${frames}`, resolved.frame);
    image =
      resolved.pages === 'frames'
        ? pagesAsChannels(stack, resolved.frame * c, c, fn, where)
        : pagesAsChannels(stack, 0, stack.volume.shape[0], fn, where);
  }
  return toLabels(image, fn, where, bytes.length, resolved.limits.expansionBound);
}

function toLabels(
  image: Image2D,
  fn: string,
  where: string,
  fileBytes: number,
  expansionBound: string | false,
): Image2D<Int32Array> {
  const [height, width, channels] = image.shape;
  if (channels !== 1)
    throw new FormatError(
      `${fn}: ${where} has ${channels} channels; a label image has one (an id per pixel)`,
      { fn, arg: where },
    );
  // Int32 ids take 4 bytes a pixel: 4× an 8-bit image already expanded from its compression.
  if (expansionBound)
    checkExpansion(fn, where, 4 * image.data.length, fileBytes, 'Int32 labels', expansionBound);
  const data = new Int32Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = image.data[i]!;
    if (!(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31))
      throw new FormatError(
        `${fn}: ${where} holds ${v} at pixel ${i}; label ids must be integers in the Int32 range`,
        { fn, arg: where },
      );
    data[i] = v;
  }
  const labels: Image2D<Int32Array> = { data, shape: [height, width, 1] };
  if (image.pixelSize) labels.pixelSize = image.pixelSize;
  if (image.unit !== undefined) labels.unit = image.unit;
  return labels;
}
