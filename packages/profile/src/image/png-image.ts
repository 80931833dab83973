import { crc32 } from 'node:zlib';
import { checkExpansion, FormatError, UnsupportedError } from '@cellshape/core';
import { decode, encode } from 'fast-png';
import type { Image2D } from '../types.js';

/**
 * 2D PNG on top of `fast-png` (image-js): grey, grey + alpha, RGB, RGBA and palette images of
 * 1–16 bits. The chunk structure and the declared size are checked here before the decoder
 * allocates anything, and every chunk's CRC-32 is checked; `pHYs` (pixels per metre) gives the
 * pixel size in µm.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Channels of each PNG colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Deflate never decodes one byte to more than 1032. */
const MAX_INFLATE_RATIO = 1032;

/** What the chunks of a PNG declare. */
interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  /** Adam7 interlacing. */
  interlaced: boolean;
  /** Pixels per metre along x and y, when a `pHYs` chunk with the metre unit is present. */
  perMetre?: [number, number];
}

/** Whether `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Walks the chunks, checking every length against the file, and reads IHDR and pHYs. */
function readPngHeader(bytes: Uint8Array, fn: string, where: string, maxPixels: number): PngHeader {
  const fail = (detail: string): FormatError =>
    new FormatError(`${fn}: ${where} is not a readable PNG: ${detail}`, { fn, arg: where });
  if (!isPng(bytes)) throw fail('the PNG signature is missing');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let idat = 0;
  let palette = false;
  let at = 8;
  let ended = false;
  while (at + 8 <= bytes.length && !ended) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length)
      throw fail(`chunk ${type} at byte ${at} runs past the end of the file (truncated?)`);
    const body = at + 8;
    // Every chunk's CRC-32 (of its type and data), as PIL and libpng check it: a flipped bit is
    // an error, never a wrong pixel (the decoder checks neither the CRC nor zlib's Adler-32).
    if (crc32(bytes.subarray(at + 4, body + length)) !== view.getUint32(body + length))
      throw fail(`chunk ${type} at byte ${at} fails its CRC-32 check (corrupt file)`);
    if (type === 'IHDR') {
      if (length < 13) throw fail('the IHDR chunk is too short');
      header = {
        width: view.getUint32(body),
        height: view.getUint32(body + 4),
        depth: bytes[body + 8]!,
        colourType: bytes[body + 9]!,
        interlaced: bytes[body + 12] === 1,
      };
    } else if (type === 'pHYs' && length >= 9 && header && bytes[body + 8] === 1) {
      header.perMetre = [view.getUint32(body), view.getUint32(body + 4)];
    } else if (type === 'PLTE') palette = true;
    else if (type === 'IDAT') idat += length;
    else if (type === 'IEND') ended = true;
    at += 12 + length;
  }
  if (!header) throw fail('it has no IHDR chunk');
  if (!ended) throw fail('it has no IEND chunk (truncated?)');
  const { width, height, depth, colourType } = header;
  const channels = CHANNELS[colourType];
  if (channels === undefined) throw fail(`colour type ${colourType} is not a PNG colour type`);
  // Without its palette a palette image's indices were read as grey levels.
  if (colourType === 3 && !palette) throw fail('it is a palette image without a PLTE chunk');
  if (!(width > 0 && height > 0)) throw fail(`it declares ${width}×${height} pixels`);
  if (width * height > maxPixels)
    throw fail(`it declares ${width}×${height} pixels, more than maxPixels = ${maxPixels}`);
  // fast-png reads an interlaced row of 1/2/4-bit samples as one byte per sample: such files
  // failed with "Unsupported filter".
  if (header.interlaced && depth < 8)
    throw new UnsupportedError(
      `${fn}: ${where}: interlaced (Adam7) PNGs of ${depth}-bit samples are not supported; save it without interlacing`,
      { fn, arg: where },
    );
  const rowBytes = 1 + Math.ceil((width * channels * depth) / 8);
  if (rowBytes * height > idat * MAX_INFLATE_RATIO)
    throw fail(
      `it declares ${width}×${height} pixels (${rowBytes * height} bytes) but its IDAT chunks hold ${idat} bytes, too few even at Deflate's largest ratio (corrupt size or truncated file)`,
    );
  return header;
}

/** Unpacks 1/2/4-bit samples (rows start on a byte boundary) to one byte each. */
function unpackSamples(packed: ArrayLike<number>, width: number, height: number, depth: number) {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const byte = packed[y * rowBytes + Math.floor(x / perByte)]!;
      out[y * width + x] = (byte >> (8 - depth * ((x % perByte) + 1))) & mask;
    }
  return out;
}

/**
 * The bytes {@link decodePngImage} allocates beyond the decoder's own rows: 1/2/4-bit samples
 * unpacked to a byte each, and palette indices turned into RGB(A) colours (at most 4 bytes).
 */
function expandedBytes(header: PngHeader, palette: 'indices' | 'colours'): number {
  const pixels = header.width * header.height;
  const unpacked = header.depth < 8 ? pixels : 0;
  return header.colourType === 3 && palette === 'colours' ? unpacked + 4 * pixels : unpacked;
}

/**
 * Decodes a PNG into an {@link Image2D}: grey → 1 channel, grey + alpha → 2, RGB → 3, RGBA → 4;
 * 1/2/4/8-bit samples → Uint8Array, 16-bit → Uint16Array. Palette images give their indices
 * (one channel) when `palette` is `'indices'` (label images), else their RGB(A) colours.
 */
export function decodePngImage(
  bytes: Uint8Array,
  fn: string,
  where: string,
  maxPixels: number,
  palette: 'indices' | 'colours',
): Image2D {
  const header = readPngHeader(bytes, fn, where, maxPixels);
  checkExpansion(fn, where, expandedBytes(header, palette), bytes.length, 'pixels');
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new FormatError(
      `${fn}: ${where} is not a readable PNG: the decoder failed (${(error as Error).message})`,
      { fn, arg: where, cause: error },
    );
  }
  const { width, height, depth } = png;
  let data: Uint8Array | Uint16Array;
  let channels = png.channels;
  if (png.palette && palette === 'colours') {
    const indices = depth < 8 ? unpackSamples(png.data, width, height, depth) : png.data;
    const colours = png.palette;
    channels = colours[0]?.length ?? 3;
    data = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) {
      const colour = colours[indices[i]!];
      if (colour === undefined)
        throw new FormatError(`${fn}: ${where}: pixel ${i} names a colour beyond the palette`, {
          fn,
          arg: where,
        });
      for (let c = 0; c < channels; c++) data[i * channels + c] = colour[c] ?? 255;
    }
  } else if (depth < 8) {
    if (channels !== 1)
      throw new UnsupportedError(`${fn}: ${where}: ${depth}-bit PNGs with ${channels} channels`, {
        fn,
        arg: where,
      });
    data = unpackSamples(png.data, width, height, depth);
  } else data = png.data instanceof Uint16Array ? png.data : new Uint8Array(png.data);
  const image: Image2D = { data, shape: [height, width, channels] };
  if (header.perMetre && header.perMetre[0] > 0 && header.perMetre[1] > 0) {
    image.pixelSize = [1e6 / header.perMetre[1], 1e6 / header.perMetre[0]];
    image.unit = 'µm';
  }
  return image;
}

/** Physical sizes in these units are written to pHYs (converted to pixels per metre). */
const METRES_PER_UNIT: Record<string, number> = { µm: 1e-6, nm: 1e-9, mm: 1e-3, cm: 1e-2, m: 1 };

/** A PNG chunk: length, type, body, CRC of type + body. */
function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/**
 * Encodes a 1–4 channel Uint8 or Uint16 image as PNG (grey, grey + alpha, RGB, RGBA), with a
 * `pHYs` chunk when the image's pixel size is in a metric unit. The caller checks type and
 * channels.
 */
export function encodePngImage(image: Image2D): Uint8Array {
  const [height, width, channels] = image.shape;
  const depth = image.data instanceof Uint16Array ? 16 : 8;
  const data =
    image.data instanceof Uint16Array || image.data instanceof Uint8Array
      ? image.data
      : new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
  const png = encode({ width, height, channels, depth, data });
  const metres = image.pixelSize && METRES_PER_UNIT[image.unit ?? ''];
  if (!image.pixelSize || metres === undefined) return png;
  const body = new Uint8Array(9);
  const view = new DataView(body.buffer);
  view.setUint32(0, Math.round(1 / (image.pixelSize[1] * metres)));
  view.setUint32(4, Math.round(1 / (image.pixelSize[0] * metres)));
  body[8] = 1;
  const ihdrEnd = 8 + 12 + 13; // signature + the IHDR chunk, which encoders write first
  const phys = chunk('pHYs', body);
  const out = new Uint8Array(png.length + phys.length);
  out.set(png.subarray(0, ihdrEnd), 0);
  out.set(phys, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + phys.length);
  return out;
}
