import { crc32, deflateSync } from 'node:zlib';
import { invalidArgument } from '@cellshape/core';

/**
 * A greyscale image as a PNG data URL, for pictures embedded in the report (e.g. voxel slices):
 * 8-bit grey, one unfiltered scanline per row, zlib-compressed (PNG, RFC 2083).
 */

/** A `width × height` greyscale image, row-major, 0 black … 255 white. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** The PNG bytes of a greyscale image. */
export function encodeGreyPng(image: GreyImage): Uint8Array {
  const { data, width, height } = image;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
    throw invalidArgument('encodeGreyPng', 'image', 'positive integer width and height', [
      width,
      height,
    ]);
  if (!(data instanceof Uint8Array) || data.length !== width * height)
    throw invalidArgument(
      'encodeGreyPng',
      'image.data',
      `a Uint8Array of ${width * height} values`,
      data,
    );
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit, greyscale, deflate, adaptive filtering, no interlace
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++)
    raw.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** The image as a `data:image/png;base64,…` URL. */
export function greyPngDataUrl(image: GreyImage): string {
  return `data:image/png;base64,${Buffer.from(encodeGreyPng(image)).toString('base64')}`;
}
