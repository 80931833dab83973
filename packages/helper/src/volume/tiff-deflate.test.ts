import { deflateSync } from 'node:zlib';
import { FormatError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { readVolume } from './read-volume.js';

/**
 * A little-endian 2×3 uint8 TIFF of Deflate strips of `rowsPerStrip` rows, each strip the given
 * bytes (a zlib stream, or anything else a test wants to store).
 */
function deflateTiff(strips: Uint8Array[], rowsPerStrip = 2): Uint8Array {
  const data = strips.reduce((n, s) => n + s.length, 0);
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 2], // ImageWidth
    [257, 3, 1, 3], // ImageLength
    [258, 3, 1, 8], // BitsPerSample
    [259, 3, 1, 8], // Compression: Deflate
    [262, 3, 1, 1], // BlackIsZero
    [273, 4, strips.length, 0], // StripOffsets (filled below)
    [278, 3, 1, rowsPerStrip],
    [279, 4, strips.length, 0], // StripByteCounts
  ];
  const ifd = 8 + data + (data % 2);
  const arrays = ifd + 2 + 12 * entries.length + 4;
  const out = new Uint8Array(arrays + 8 * strips.length);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, ifd, true);
  let at = 8;
  strips.forEach((strip, i) => {
    out.set(strip, at);
    view.setUint32(arrays + 4 * i, at, true);
    view.setUint32(arrays + 4 * (strips.length + i), strip.length, true);
    at += strip.length;
  });
  view.setUint16(ifd, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const entry = ifd + 2 + 12 * i;
    view.setUint16(entry, tag, true);
    view.setUint16(entry + 2, type, true);
    view.setUint32(entry + 4, count, true);
    // One strip: its offset and count fit in the entry; more: they are arrays after the directory.
    const array = tag === 273 ? arrays : tag === 279 ? arrays + 4 * strips.length : undefined;
    if (array !== undefined)
      view.setUint32(entry + 8, count === 1 ? view.getUint32(array, true) : array, true);
    else view.setUint16(entry + 8, value, true);
  });
  return out;
}

const zlib = (bytes: number[], level = 6) =>
  new Uint8Array(deflateSync(Uint8Array.from(bytes), { level }));
const pixels = [1, 2, 3, 4, 5, 6];
const prefix = 'readVolume: the given bytes is not a readable TIFF: ';

describe('Deflate strips of TIFF pages (issue 17: no wrong pixels from a corrupt stream)', () => {
  it('reads strips of whole rows, and a last strip padded to the strip size', () => {
    const rows = [zlib([1, 2, 3, 4]), zlib([5, 6])];
    expect(Array.from(readVolume(deflateTiff(rows)).data)).toEqual(pixels);
    const padded = [zlib([1, 2, 3, 4]), zlib([5, 6, 0, 0])];
    expect(Array.from(readVolume(deflateTiff(padded)).data)).toEqual(pixels);
    expect(Array.from(readVolume(deflateTiff([zlib(pixels)], 3)).data)).toEqual(pixels);
  });

  it("checks the stream's Adler-32: a changed pixel under a valid structure is an error", () => {
    const stored = zlib([1, 2, 3, 4], 0); // a stored block: the pixels as they are
    stored[stored.indexOf(3)] = 9;
    const bytes = deflateTiff([stored, zlib([5, 6])]);
    expect(() => readVolume(bytes)).toThrow(FormatError);
    expect(() => readVolume(bytes)).toThrow(
      new RegExp(`^${prefix}strip 0 is not valid Deflate data \\(incorrect data check\\)$`),
    );
  });

  it('refuses a stream cut short, too short for its rows, or longer than a whole strip', () => {
    const whole = zlib([1, 2, 3, 4]);
    expect(() =>
      readVolume(deflateTiff([whole.subarray(0, whole.length - 3), zlib([5, 6])])),
    ).toThrow(/strip 0 is not valid Deflate data \(unexpected end of file\)$/);
    expect(() => readVolume(deflateTiff([zlib([1, 2, 3]), zlib([5, 6])]))).toThrow(
      /strip 0 holds too few bytes$/,
    );
    expect(() => readVolume(deflateTiff([whole, zlib([5, 6, 7, 8, 9])]))).toThrow(
      /strip 1 inflates to more than the 4 bytes of a whole strip$/,
    );
  });
});
