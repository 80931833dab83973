import { readFileSync } from 'node:fs';
import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { decodeLzw, LzwError } from './tiff-lzw.js';
import { decodeTiffVolume } from './tiff-read.js';

/**
 * Tiled pages, read by tiff-tiles.ts. The fixtures are 2×21×37 stacks in 16×16 tiles (so the
 * right and bottom tiles are padded) written by libtiff's tiffcp from tifffile's uncompressed
 * files (scripts/make-libtiff-fixtures.sh): v(z, y, x) = (7z + 5y + 3x) mod 251, scaled.
 */

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

function expected(scale: (v: number) => number): number[] {
  const out: number[] = [];
  for (let z = 0; z < 2; z++)
    for (let y = 0; y < 21; y++)
      for (let x = 0; x < 37; x++) out.push(scale((7 * z + 5 * y + 3 * x) % 251));
  return out;
}

const read = (bytes: Uint8Array) => decodeTiffVolume(bytes, 'readVolume', 'tiles.tif');

/** The byte offset of the value of tag `tag` in the first image directory (little-endian). */
function tagEntry(bytes: Uint8Array, tag: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = view.getUint32(4, true);
  for (let e = 0; e < view.getUint16(ifd, true); e++)
    if (view.getUint16(ifd + 2 + 12 * e, true) === tag) return ifd + 2 + 12 * e;
  throw new Error(`no tag ${tag}`);
}

describe('tiled TIFF pages', () => {
  it.each([
    ['tiled-lzw-predictor-uint16-2x21x37.tif', Uint16Array, (v: number) => v * 257],
    ['tiled-packbits-uint8-2x21x37.tif', Uint8Array, (v: number) => v],
    ['tiled-deflate-int32-2x21x37.tif', Int32Array, (v: number) => v * 100000 - 12500000],
    // WhiteIsZero is read as max − v, as for strips.
    ['tiled-lzw-miniswhite-uint8-2x21x37.tif', Uint8Array, (v: number) => 255 - v],
  ] as const)('%s reads back exactly', (name, type, scale) => {
    const volume = read(fixture(name));
    expect(volume.shape).toEqual([2, 21, 37]);
    expect(volume.data).toBeInstanceOf(type);
    expect(Array.from(volume.data)).toEqual(expected(scale));
  });

  it('refuses tiles without a byte count of their own', () => {
    const bytes = fixture('tiled-packbits-uint8-2x21x37.tif');
    const view = new DataView(bytes.buffer);
    const entry = tagEntry(bytes, 325); // TileByteCounts: 6 tiles → claim 1
    view.setUint32(entry + 4, 1, true);
    expect(() => read(bytes)).toThrow(/needs 6 tiles but has 1 tile byte counts/);
  });

  it('refuses a tile that runs past the end of the file', () => {
    const bytes = fixture('tiled-packbits-uint8-2x21x37.tif');
    const view = new DataView(bytes.buffer);
    const counts = view.getUint32(tagEntry(bytes, 325) + 8, true);
    view.setUint32(counts + 4, 1e6, true);
    expect(() => read(bytes)).toThrow(/tile 1 runs past the end of the file/);
  });

  it('names corrupt LZW data in a tile', () => {
    const bytes = fixture('tiled-lzw-miniswhite-uint8-2x21x37.tif');
    const view = new DataView(bytes.buffer);
    const offsets = view.getUint32(tagEntry(bytes, 324) + 8, true);
    const first = view.getUint32(offsets, true);
    bytes.fill(0xff, first, first + 8); // codes 511…: not yet defined
    expect(() => read(bytes)).toThrow(/tile 0 is not valid LZW data/);
    try {
      read(bytes);
    } catch (error) {
      expect(isCellshapeError(error, 'INVALID_FORMAT')).toBe(true);
    }
  });
});

describe('decodeLzw', () => {
  /** Codes packed most significant bit first at the given widths. */
  function pack(codes: [number, number][]): Uint8Array {
    let bits = '';
    for (const [code, width] of codes) bits += code.toString(2).padStart(width, '0');
    bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    return Uint8Array.from({ length: bits.length / 8 }, (_, i) =>
      Number.parseInt(bits.slice(8 * i, 8 * i + 8), 2),
    );
  }

  it('decodes the KwKwK case and stops at the end code', () => {
    // clear, 'a', 258 (= 'aa', defined by this very code), end → 'aaa'
    const out = new Uint8Array(10);
    const n = decodeLzw(
      pack([
        [256, 9],
        [97, 9],
        [258, 9],
        [257, 9],
      ]),
      out,
    );
    expect(Array.from(out.subarray(0, n))).toEqual([97, 97, 97]);
  });

  it('stops when the output is full, whatever follows', () => {
    const out = new Uint8Array(2);
    expect(
      decodeLzw(
        pack([
          [256, 9],
          [97, 9],
          [258, 9],
          [999, 9],
        ]),
        out,
      ),
    ).toBe(2);
  });

  it('refuses codes not yet defined, strings before a first code, and repeated clears', () => {
    const out = new Uint8Array(8);
    expect(() =>
      decodeLzw(
        pack([
          [256, 9],
          [97, 9],
          [300, 9],
        ]),
        out,
      ),
    ).toThrow(LzwError);
    expect(() =>
      decodeLzw(
        pack([
          [256, 9],
          [300, 9],
        ]),
        out,
      ),
    ).toThrow(/before any string/);
    expect(() =>
      decodeLzw(
        pack([
          [256, 9],
          [256, 9],
          [256, 9],
        ]),
        out,
      ),
    ).toThrow(/two clear codes/);
  });
});
