import { constants } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import { FormatError, UnsupportedError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { ihdrBody, pngChunk, pngFile } from './png-test-bytes.js';
import { readImage2D, readLabelImage2D } from './read-image.js';

/**
 * Where PNG chunks may come (issue 17, differential review against Pillow and libpng): a chunk
 * out of place is an error, never pixels other readers would not give.
 */

const empty = new Uint8Array(0);
const prefix = 'readImage2D: the given bytes is not a readable PNG: ';
/** A 2×2 palette image's rows (indices 0 1 / 1 0) and its palette and alphas. */
const indices = new Uint8Array(deflateSync(Uint8Array.from([0, 0, 1, 0, 1, 0])));
const plte = pngChunk('PLTE', Uint8Array.from([10, 11, 12, 20, 21, 22]));
const trns = pngChunk('tRNS', Uint8Array.from([7]));
const ihdr = pngChunk('IHDR', ihdrBody(2, 2, 8, 3));
const idat = pngChunk('IDAT', indices);
const iend = pngChunk('IEND', empty);

function refusal(bytes: Uint8Array): Error {
  try {
    readImage2D(bytes);
  } catch (error) {
    return error as Error;
  }
  throw new Error('read a PNG that should be refused');
}

describe('PNG chunk order', () => {
  it('reads the palette, alphas and ancillary chunks in their places', () => {
    const text = pngChunk('tEXt', new TextEncoder().encode('Comment\0ok'));
    const bytes = pngFile(ihdr, text, plte, trns, text, idat, text, iend, text);
    expect(Array.from(readImage2D(bytes).data)).toEqual([
      10, 11, 12, 7, 20, 21, 22, 255, 20, 21, 22, 255, 10, 11, 12, 7,
    ]);
    expect(Array.from(readLabelImage2D(bytes).data)).toEqual([0, 1, 1, 0]);
  });

  it.each([
    [
      'a second IHDR',
      [ihdr, pngChunk('IHDR', ihdrBody(1, 1, 8, 0)), plte, idat],
      'it has a second IHDR chunk',
    ],
    ['a second PLTE', [ihdr, plte, plte, idat], 'it has a second PLTE chunk'],
    ['a second tRNS', [ihdr, plte, trns, trns, idat], 'it has a second tRNS chunk'],
    [
      'tRNS before PLTE',
      [ihdr, trns, plte, idat],
      'its tRNS chunk comes before the palette (PLTE)',
    ],
    ['PLTE after IDAT', [ihdr, idat, plte], 'its PLTE chunk comes after the image data (IDAT)'],
    [
      'tRNS after IDAT',
      [ihdr, plte, idat, trns],
      'its tRNS chunk comes after the image data (IDAT)',
    ],
  ])('refuses %s (libpng refuses or skips it: other pixels)', (_, chunks, detail) => {
    const error = refusal(pngFile(...chunks, iend));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toBe(prefix + detail);
  });

  it('refuses IDAT chunks split by another chunk (libpng refuses, Pillow stops at the first run)', () => {
    const rows = new Uint8Array(deflateSync(Uint8Array.from([0, 1, 2, 0, 3, 4])));
    const split = pngFile(
      pngChunk('IHDR', ihdrBody(2, 2, 8, 0)),
      pngChunk('IDAT', rows.subarray(0, 4)),
      pngChunk('tEXt', new TextEncoder().encode('a\0b')),
      pngChunk('IDAT', rows.subarray(4)),
      iend,
    );
    expect(refusal(split).message).toBe(
      `${prefix}its IDAT chunks are split by a tEXt chunk (PNG keeps them consecutive)`,
    );
  });

  it('refuses an IHDR that is not 13 bytes and a palette over 256 colours', () => {
    const long = pngChunk('IHDR', Uint8Array.from([...ihdrBody(2, 2, 8, 3), 0]));
    expect(refusal(pngFile(long, plte, idat, iend)).message).toBe(
      `${prefix}the IHDR chunk holds 14 bytes, not 13`,
    );
    const big = pngChunk('PLTE', new Uint8Array(3 * 257));
    expect(refusal(pngFile(ihdr, big, idat, iend)).message).toBe(
      `${prefix}its PLTE chunk holds 771 bytes, not 1–256 RGB colours`,
    );
  });

  it('refuses an unknown critical chunk (UnsupportedError) and type bytes that are not letters', () => {
    const critical = refusal(pngFile(ihdr, plte, pngChunk('CRIT', empty), idat, iend));
    expect(critical).toBeInstanceOf(UnsupportedError);
    expect(critical.message).toBe(
      'readImage2D: the given bytes is a PNG this reader cannot read: chunk CRIT at byte 51 is critical and unknown to PNG',
    );
    const junk = pngChunk('tEXt', empty);
    junk.set([0x74, 0x45, 0x00, 0x74], 4);
    expect(refusal(pngFile(ihdr, plte, junk, idat, iend)).message).toBe(
      `${prefix}the chunk at byte 51 has type bytes 116,69,0,116, not 4 ASCII letters`,
    );
  });

  it('reads a stream after many empty IDAT chunks', () => {
    const empties = Array.from({ length: 1000 }, () => pngChunk('IDAT', empty));
    const bytes = pngFile(ihdr, plte, ...empties, idat, ...empties, iend);
    expect(Array.from(readLabelImage2D(bytes).data)).toEqual([0, 1, 1, 0]);
  });
});

describe('PNG sizes and pixel sizes', () => {
  /** A pHYs body: pixels per metre along x and y, and the unit (1: metre). */
  const phys = (x: number, y: number, unit = 1, extra = 0) => {
    const body = new Uint8Array(9 + extra);
    new DataView(body.buffer).setUint32(0, x);
    new DataView(body.buffer).setUint32(4, y);
    body[8] = unit;
    return pngChunk('pHYs', body);
  };
  const withPhys =
    (...before: Uint8Array[]) =>
    (...after: Uint8Array[]) =>
      readImage2D(pngFile(ihdr, plte, ...before, idat, ...after, iend));

  it('takes the first pHYs before the image data, as libpng does', () => {
    expect(withPhys(phys(2e6, 4e6), phys(1e6, 1e6))().pixelSize).toEqual([0.25, 0.5]);
    // A first pHYs without a metric size states none; one after IDAT is ignored.
    expect(withPhys(phys(2, 3, 0), phys(1e6, 1e6))().pixelSize).toBeUndefined();
    expect(withPhys()(phys(1e6, 1e6)).pixelSize).toBeUndefined();
    expect(withPhys(phys(1e6, 1e6, 1, 1))().pixelSize).toBeUndefined();
  });

  it('refuses a side of 2³¹ pixels even under a large maxPixels', () => {
    const wide = pngFile(pngChunk('IHDR', ihdrBody(2 ** 31, 1, 1, 0)), idat, iend);
    expect(() => readImage2D(wide, { maxPixels: 2 ** 40 })).toThrow(
      `${prefix}it declares 2147483648×1 pixels (PNG allows 1 to 2³¹ − 1 each way)`,
    );
  });

  // Node 22+ buffers hold 2⁵³ − 1 bytes: the case exists on Node 20 only.
  it.skipIf(constants.MAX_LENGTH > 12_800_040_000)(
    'refuses rows larger than one buffer (Node 20: 4 GiB) before inflating',
    () => {
      // 40000² RGBA of 16 bits: 12.8 GB of rows, which 12.5 MB of Deflate could hold.
      const stream = new Uint8Array(12_500_000);
      const huge = pngFile(
        pngChunk('IHDR', ihdrBody(40000, 40000, 16, 6)),
        pngChunk('IDAT', stream),
        iend,
      );
      const error = (() => {
        try {
          readImage2D(huge, { maxPixels: 2 ** 40 });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(UnsupportedError);
      expect(error?.message).toMatch(
        /^readImage2D: the given bytes is a PNG this reader cannot read: its 40000×40000 pixels take 12800040000 bytes, more than one buffer holds \(\d+\)$/,
      );
    },
  );
});
