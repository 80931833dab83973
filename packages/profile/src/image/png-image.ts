import { constants } from 'node:buffer';
import { crc32 } from 'node:zlib';
import { checkExpansion, FormatError, invalidArgument, UnsupportedError } from '@cellshape/core';
import { encode } from 'fast-png';
import type { Image2D } from '../types.js';
import type { ImageLimits } from './image-limits.js';
import { decodePngPixels, filteredLength, type PngLayout } from './png-pixels.js';

/**
 * 2D PNG: grey, grey + alpha, RGB, RGBA and palette images of 1–16 bits, interlaced or not.
 * The chunk structure and the declared size are checked here before anything is allocated,
 * every chunk's CRC-32 and place are checked, and the pixel data's zlib stream must be whole
 * with a right Adler-32 (png-pixels.ts). The first `pHYs` before the image data, in pixels per
 * metre, gives the pixel size in µm (libpng ignores later ones). The samples are returned as
 * stored: tRNS of grey and RGB images makes no alpha channel (numpy.asarray of a Pillow image
 * has none), and gAMA, sBIT, cHRM and iCCP are not applied. Writing uses `fast-png` (image-js).
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Channels of each PNG colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** The bit depths the PNG specification allows for each colour type. */
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** Deflate never decodes one byte to more than 1032. */
const MAX_INFLATE_RATIO = 1032;

/** What the chunks of a PNG declare. */
interface PngHeader extends PngLayout {
  colourType: number;
  /** The IDAT chunks' bodies, in order. */
  idat: Uint8Array[];
  /** PLTE's body (RGB triples). */
  palette?: Uint8Array;
  /** tRNS's body: for palette images, the alpha of the first palette entries. */
  transparency?: Uint8Array;
  /** The first pHYs chunk's body (libpng ignores later ones and those after the image data). */
  physical?: Uint8Array;
}

/** Whether `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => bytes[i] === b);
}

type Fail = (detail: string) => FormatError | UnsupportedError;

/** Chunk types as big-endian uint32s: the walk compares numbers, not strings. */
const IHDR = 0x49484452;
const PLTE = 0x504c5445;
const IDAT = 0x49444154;
const IEND = 0x49454e44;
const TRNS = 0x74524e53;
const PHYS = 0x70485973;
/** The chunks whose place PNG fixes: one bit each in {@link ChunkOrder.seen}. */
const ORDERED: Record<number, number> = { [IHDR]: 1, [PLTE]: 2, [TRNS]: 4, [IDAT]: 8, [IEND]: 16 };

/** IHDR's fields, checked against what PNG defines. */
function readIhdr(view: DataView, body: number, length: number, fail: Fail): PngHeader {
  if (length !== 13) throw fail(`the IHDR chunk holds ${length} bytes, not 13`);
  const colourType = view.getUint8(body + 9);
  const depth = view.getUint8(body + 8);
  const channels = CHANNELS[colourType];
  if (channels === undefined) throw fail(`colour type ${colourType} is not a PNG colour type`);
  if (!DEPTHS[colourType]!.includes(depth))
    throw fail(
      `colour type ${colourType} cannot have ${depth}-bit samples (PNG allows ${DEPTHS[colourType]!.join(', ')})`,
    );
  const [compression, filter, interlace] = [0, 1, 2].map((i) => view.getUint8(body + 10 + i));
  if (compression !== 0 || filter !== 0 || interlace! > 1)
    throw fail(
      `IHDR declares compression ${compression}, filter ${filter}, interlace ${interlace} (PNG defines 0, 0, 0 or 1)`,
    );
  return {
    width: view.getUint32(body),
    height: view.getUint32(body + 4),
    depth,
    channels,
    colourType,
    interlaced: interlace === 1,
    idat: [],
  };
}

/** The ordered chunks met so far (bits of {@link ORDERED}) and the last chunk's type. */
interface ChunkOrder {
  seen: number;
  last: number;
}

/** A chunk type's four letters, for messages. */
function typeName(code: number): string {
  return String.fromCharCode(code >>> 24, (code >>> 16) & 255, (code >>> 8) & 255, code & 255);
}

/**
 * Checks where a chunk comes. libpng refuses, or skips, a second IHDR/PLTE/tRNS, PLTE or tRNS
 * after the image data, tRNS before PLTE and IDAT chunks split by another chunk; reading them
 * anyway would give other pixels than other readers, so each is an error here.
 */
function checkOrder(code: number, order: ChunkOrder, colourType: number, fail: Fail): void {
  const bit = ORDERED[code] ?? 0;
  const idat = ORDERED[IDAT]!;
  if (code === IDAT && order.seen & idat && order.last !== IDAT)
    throw fail(
      `its IDAT chunks are split by a ${typeName(order.last)} chunk (PNG keeps them consecutive)`,
    );
  if (code !== IHDR && code !== PLTE && code !== TRNS) return;
  const type = typeName(code);
  if (order.seen & bit) throw fail(`it has a second ${type} chunk`);
  if (order.seen & idat) throw fail(`its ${type} chunk comes after the image data (IDAT)`);
  if (code === TRNS && colourType === 3 && !(order.seen & ORDERED[PLTE]!))
    throw fail('its tRNS chunk comes before the palette (PLTE)');
}

/** Reads one chunk into `header` (IHDR makes it); other chunks are skipped. */
function takeChunk(
  header: PngHeader | undefined,
  code: number,
  view: DataView,
  body: number,
  length: number,
  afterIdat: boolean,
  fail: Fail,
): PngHeader {
  if (code === IHDR) return readIhdr(view, body, length, fail);
  if (!header) throw fail(`chunk ${typeName(code)} at byte ${body - 8} comes before IHDR`);
  const data = new Uint8Array(view.buffer, view.byteOffset + body, length);
  if (code === IDAT) {
    if (length > 0) header.idat.push(data);
  } else if (code === PLTE) header.palette = data;
  else if (code === TRNS) header.transparency = data;
  else if (code === PHYS && !afterIdat) header.physical ??= data;
  return header;
}

/** Whether each byte of a chunk type is an ASCII letter (else the length or file is corrupt). */
function isChunkType(code: number): boolean {
  for (let shift = 0; shift < 32; shift += 8) {
    const lower = ((code >>> shift) & 255) | 32;
    if (lower < 97 || lower > 122) return false;
  }
  return true;
}

/** Walks the chunks, checking every length, CRC and place against the file; reads what it needs. */
function readChunks(bytes: Uint8Array, fail: Fail, unsupported: Fail): PngHeader {
  if (!isPng(bytes)) throw fail('the PNG signature is missing');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  const order: ChunkOrder = { seen: 0, last: 0 };
  let at = 8;
  while (at + 8 <= bytes.length && !(order.seen & ORDERED[IEND]!)) {
    const length = view.getUint32(at);
    const code = view.getUint32(at + 4);
    if (!isChunkType(code))
      throw fail(
        `the chunk at byte ${at} has type bytes ${bytes.subarray(at + 4, at + 8)}, not 4 ASCII letters`,
      );
    if (at + 12 + length > bytes.length)
      throw fail(
        `chunk ${typeName(code)} at byte ${at} runs past the end of the file (truncated?)`,
      );
    const body = at + 8;
    // Every chunk's CRC-32 (of its type and data), as PIL and libpng check it: a flipped bit is
    // an error, never a wrong pixel.
    if (crc32(bytes.subarray(at + 4, body + length)) !== view.getUint32(body + length))
      throw fail(`chunk ${typeName(code)} at byte ${at} fails its CRC-32 check (corrupt file)`);
    checkOrder(code, order, header?.colourType ?? -1, fail);
    // An unknown critical chunk (upper-case first letter) changes how the image must be read.
    if (code < 0x61000000 && ORDERED[code] === undefined)
      throw unsupported(`chunk ${typeName(code)} at byte ${at} is critical and unknown to PNG`);
    const afterIdat = (order.seen & ORDERED[IDAT]!) !== 0;
    header = takeChunk(header, code, view, body, length, afterIdat, fail);
    order.seen |= ORDERED[code] ?? 0;
    order.last = code;
    at += 12 + length;
  }
  if (!header) throw fail('it has no IHDR chunk');
  if (!(order.seen & ORDERED[IEND]!)) throw fail('it has no IEND chunk (truncated?)');
  return header;
}

/** The chunks of a PNG, checked so that decoding allocates only what the file justifies. */
function readPngHeader(
  bytes: Uint8Array,
  fail: Fail,
  unsupported: Fail,
  maxPixels: number,
): PngHeader {
  const header = readChunks(bytes, fail, unsupported);
  const { width, height, colourType, palette } = header;
  if (colourType === 3) {
    // Without its palette a palette image's indices were read as grey levels.
    if (!palette) throw fail('it is a palette image without a PLTE chunk');
    if (palette.length === 0 || palette.length % 3 !== 0 || palette.length > 3 * 256)
      throw fail(`its PLTE chunk holds ${palette.length} bytes, not 1–256 RGB colours`);
    if ((header.transparency?.length ?? 0) > palette.length / 3)
      throw fail('its tRNS chunk holds more alpha values than the palette has colours');
  }
  if (!(width > 0 && height > 0 && width < 2 ** 31 && height < 2 ** 31))
    throw fail(`it declares ${width}×${height} pixels (PNG allows 1 to 2³¹ − 1 each way)`);
  if (width * height > maxPixels)
    throw fail(
      `it declares ${width}×${height} pixels, more than maxPixels = ${maxPixels} (raise options.maxPixels to read it)`,
    );
  const need = filteredLength(header);
  // Node's zlib cannot inflate into more than one buffer holds (4 GiB on Node 20).
  if (need > constants.MAX_LENGTH)
    throw unsupported(
      `its ${width}×${height} pixels take ${need} bytes, more than one buffer holds (${constants.MAX_LENGTH})`,
    );
  const idat = header.idat.reduce((sum, part) => sum + part.length, 0);
  if (need > idat * MAX_INFLATE_RATIO)
    throw fail(
      `it declares ${width}×${height} pixels (${need} bytes) but its IDAT chunks hold ${idat} bytes, too few even at Deflate's largest ratio (corrupt size or truncated file)`,
    );
  return header;
}

/** The IDAT bodies as one stream (no copy for the usual single chunk). */
function idatStream(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The bytes {@link decodePngImage} allocates beyond what the inflated rows take (bounded by
 * Deflate's ratio): 1/2/4-bit samples unpacked to a byte each, and palette indices turned into
 * RGB(A) colours (at most 4 bytes).
 */
function expandedBytes(header: PngHeader, palette: 'indices' | 'colours'): number {
  const pixels = header.width * header.height;
  const unpacked = header.depth < 8 ? pixels : 0;
  return header.colourType === 3 && palette === 'colours' ? unpacked + 4 * pixels : unpacked;
}

/** Palette indices → RGB, or RGBA when a tRNS chunk gives alphas (missing ones are 255). */
function paletteColours(indices: Uint8Array, header: PngHeader, fail: Fail): Uint8Array {
  const palette = header.palette!;
  const alpha = header.transparency;
  const channels = alpha ? 4 : 3;
  const colours = palette.length / 3;
  const data = new Uint8Array(indices.length * channels);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (index >= colours)
      throw fail(`pixel ${i} names colour ${index}, beyond the palette's ${colours}`);
    for (let c = 0; c < 3; c++) data[i * channels + c] = palette[3 * index + c]!;
    if (alpha) data[i * channels + 3] = index < alpha.length ? alpha[index]! : 255;
  }
  return data;
}

/** The pixel size [y, x] in µm from a pHYs body: 9 bytes, the unit metre, sizes above 0. */
function pixelSize(physical: Uint8Array | undefined): [number, number] | undefined {
  if (physical?.length !== 9 || physical[8] !== 1) return undefined;
  const view = new DataView(physical.buffer, physical.byteOffset, 9);
  const [x, y] = [view.getUint32(0), view.getUint32(4)];
  return x > 0 && y > 0 ? [1e6 / y, 1e6 / x] : undefined;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Big-endian byte pairs → 16-bit samples, swapped in place: `bytes` is the decoder's own fresh
 * buffer, so no second 2-byte-per-sample array is made.
 */
function samples16(bytes: Uint8Array): Uint16Array {
  const own = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const out = new Uint16Array(own.buffer, own.byteOffset, own.length >> 1);
  if (LITTLE_ENDIAN)
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      out[i] = (v >>> 8) | (v << 8); // the store keeps the low 16 bits
    }
  return out;
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
  limits: ImageLimits,
  palette: 'indices' | 'colours',
): Image2D {
  const fail: Fail = (detail) =>
    new FormatError(`${fn}: ${where} is not a readable PNG: ${detail}`, { fn, arg: where });
  const unsupported: Fail = (detail) =>
    new UnsupportedError(`${fn}: ${where} is a PNG this reader cannot read: ${detail}`, {
      fn,
      arg: where,
    });
  const header = readPngHeader(bytes, fail, unsupported, limits.maxPixels);
  if (limits.expansionBound)
    checkExpansion(
      fn,
      where,
      expandedBytes(header, palette),
      bytes.length,
      'pixels',
      limits.expansionBound,
    );
  const { width, height, depth } = header;
  const pixels = decodePngPixels(idatStream(header.idat), header, fail);
  let data: Uint8Array | Uint16Array = depth === 16 ? samples16(pixels) : pixels;
  let channels = header.channels;
  if (header.colourType === 3 && palette === 'colours') {
    data = paletteColours(pixels, header, fail);
    channels = data.length / (width * height);
  }
  const image: Image2D = { data, shape: [height, width, channels] };
  const size = pixelSize(header.physical);
  if (size) {
    image.pixelSize = size;
    image.unit = 'µm';
  }
  return image;
}

/**
 * Physical sizes in these units are written to pHYs (converted to pixels per metre); microns
 * under every spelling the TIFF writer takes (`um` and `micron` wrote no pHYs at all).
 */
const METRES_PER_UNIT: Record<string, number> = {
  µm: 1e-6,
  μm: 1e-6,
  um: 1e-6,
  micron: 1e-6,
  microns: 1e-6,
  nm: 1e-9,
  mm: 1e-3,
  cm: 1e-2,
  m: 1,
};

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
  // pHYs holds whole pixels per metre, at most 2³¹ − 1 (PNG's four-byte integers): outside that,
  // 0.1 nm wrapped around uint32 to 0.709 nm (Pillow's dpi) and 3 m became 0 pixels per metre.
  const perMetre = image.pixelSize.map((size) => Math.round(1 / (size * metres)));
  if (!perMetre.every((n) => n >= 1 && n <= 0x7fffffff))
    throw invalidArgument(
      'encodeImage2D',
      'image.pixelSize',
      `a pixel size PNG can hold, between 1 / (2³¹ − 1) m and 2 m (write a TIFF)`,
      `[${image.pixelSize.join(', ')}] ${image.unit}`,
    );
  const body = new Uint8Array(9);
  const view = new DataView(body.buffer);
  view.setUint32(0, perMetre[1]!);
  view.setUint32(4, perMetre[0]!);
  body[8] = 1;
  const ihdrEnd = 8 + 12 + 13; // signature + the IHDR chunk, which encoders write first
  const phys = chunk('pHYs', body);
  const out = new Uint8Array(png.length + phys.length);
  out.set(png.subarray(0, ihdrEnd), 0);
  out.set(phys, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + phys.length);
  return out;
}
