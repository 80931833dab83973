import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { filteredPng, ihdrBody, pngChunk, pngFile } from './png-test-bytes.js';
import { readImage2D, readLabelImage2D } from './read-image.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));

/** The fixtures' samples (scripts/make-png-fixtures.py): ((y·13 + x)·channels + c)·K mod 2^depth. */
function formula(channels: number, depth: number): number[] {
  const k = depth === 16 ? 4099 : 7;
  return Array.from({ length: 11 * 13 * channels }, (_, i) => (i * k) % 2 ** depth);
}

/** The palette fixtures' colour of each pixel: index k = (y·13 + x)·7 mod 16 → (16k, 255 − 16k, 5k). */
const paletteIndices = Array.from({ length: 11 * 13 }, (_, i) => (i * 7) % 16);
const paletteColours = paletteIndices.flatMap((k) => [16 * k, 255 - 16 * k, 5 * k]);

describe('PNG pixels written by libpng (ImageMagick) and Pillow', () => {
  it.each([1, 2, 4, 8, 16])('Adam7 grey, %i-bit', (depth) => {
    const image = readImage2D(fixture(`grey${depth}_adam7.png`));
    expect(image.shape).toEqual([11, 13, 1]);
    expect(image.data).toBeInstanceOf(depth === 16 ? Uint16Array : Uint8Array);
    expect(Array.from(image.data)).toEqual(formula(1, depth));
  });

  it.each([
    ['rgb8_adam7.png', 3, 8],
    ['greyalpha8_adam7.png', 2, 8],
    ['rgba16_adam7.png', 4, 16],
    ['rgb16.png', 3, 16],
  ])('%s: %i channels of %i bits', (name, channels, depth) => {
    const image = readImage2D(fixture(name));
    expect(image.shape).toEqual([11, 13, channels]);
    expect(Array.from(image.data)).toEqual(formula(channels, depth));
  });

  it('palette images: colours, or indices as labels (8-bit Adam7, 4-bit packed)', () => {
    expect(Array.from(readImage2D(fixture('palette8_adam7.png')).data)).toEqual(paletteColours);
    const packed = fixture('palette4.png');
    expect(Array.from(readImage2D(packed).data)).toEqual(paletteColours);
    const labels = readLabelImage2D(packed);
    expect(labels.shape).toEqual([11, 13, 1]);
    expect(Array.from(labels.data)).toEqual(paletteIndices);
  });
});

describe('row filters', () => {
  const rng = createRng(17);
  const raw = Uint8Array.from({ length: 7 * 6 * 3 * 2 }, () => rng.int(256));

  it.each([0, 1, 2, 3, 4])(
    'first row filtered with %i, then every filter, 8-bit RGB and 16-bit grey',
    (first) => {
      const types = [first, 0, 1, 2, 3, 4];
      const rgb = readImage2D(filteredPng(raw.subarray(0, 7 * 6 * 3), 7, 8, 2, 3, types));
      expect(Array.from(rgb.data)).toEqual(Array.from(raw.subarray(0, 7 * 6 * 3)));
      const grey = readImage2D(filteredPng(raw.subarray(0, 7 * 6 * 2), 7, 16, 0, 1, types));
      const bigEndian = Array.from({ length: 42 }, (_, i) => raw[2 * i]! * 256 + raw[2 * i + 1]!);
      expect(Array.from(grey.data)).toEqual(bigEndian);
    },
  );

  it('refuses an undefined filter type', () => {
    const bytes = filteredPng(raw.subarray(0, 6), 2, 8, 0, 1, [0, 0, 0]);
    const stream = new Uint8Array([0, 1, 2, 5, 3, 4, 0, 5, 6]);
    const bad = pngFile(
      pngChunk('IHDR', ihdrBody(2, 3, 8, 0)),
      pngChunk('IDAT', new Uint8Array(deflateSync(stream))),
      pngChunk('IEND', new Uint8Array(0)),
    );
    expect(readImage2D(bytes).shape).toEqual([3, 2, 1]);
    expect(() => readImage2D(bad)).toThrow(
      /^readImage2D: the given bytes is not a readable PNG: row 1 has filter type 5 \(0–4 are defined\)$/,
    );
  });
});

describe('the zlib stream of the pixels (issue 17: no wrong or zero-filled pixels)', () => {
  /** A 4×3 8-bit grey PNG of this IDAT body (rows 0..11 with filter 0 by default). */
  const rows = Uint8Array.from([0, 1, 2, 3, 4, 0, 5, 6, 7, 8, 0, 9, 10, 11, 12]);
  const png = (...idat: Uint8Array[]) =>
    pngFile(
      pngChunk('IHDR', ihdrBody(4, 3, 8, 0)),
      ...idat.map((body) => pngChunk('IDAT', body)),
      pngChunk('IEND', new Uint8Array(0)),
    );
  const prefix = /^readImage2D: the given bytes is not a readable PNG: /;

  it('reads a stream split over several IDAT chunks, an empty one among them', () => {
    const stream = new Uint8Array(deflateSync(rows));
    const image = readImage2D(png(stream.subarray(0, 3), new Uint8Array(0), stream.subarray(3)));
    expect(Array.from(image.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('checks the Adler-32: a changed pixel under a valid chunk CRC is an error', () => {
    const stream = new Uint8Array(deflateSync(rows, { level: 0 })); // stored: the pixels as they are
    const at = stream.indexOf(7);
    stream[at] = 8;
    expect(() => readImage2D(png(stream))).toThrow(
      new RegExp(
        `${prefix.source}its image data are not a valid zlib stream \\(incorrect data check; corrupt or truncated\\)$`,
      ),
    );
  });

  it('refuses a stream cut short, or holding fewer or more rows than the image', () => {
    const stream = new Uint8Array(deflateSync(rows));
    expect(() => readImage2D(png(stream.subarray(0, stream.length - 5)))).toThrow(
      /its image data are not a valid zlib stream \(unexpected end of file; corrupt or truncated\)$/,
    );
    expect(() => readImage2D(png(new Uint8Array(deflateSync(rows.subarray(0, 10)))))).toThrow(
      /its image data inflate to 10 bytes, not the 15 its rows take \(truncated\?\)$/,
    );
    const longer = Uint8Array.from([...rows, 0, 1, 2, 3, 4]);
    expect(() => readImage2D(png(new Uint8Array(deflateSync(longer))))).toThrow(
      /its image data inflate to more than the 15 bytes its rows take$/,
    );
  });
});

describe('what IHDR, PLTE and tRNS declare', () => {
  const stream = new Uint8Array(deflateSync(Uint8Array.from([0, 0, 1, 0, 1, 0])));
  const file = (ihdr: Uint8Array, ...chunks: Uint8Array[]) =>
    pngFile(
      pngChunk('IHDR', ihdr),
      ...chunks,
      pngChunk('IDAT', stream),
      pngChunk('IEND', new Uint8Array(0)),
    );

  it('refuses depths, methods and chunk orders PNG does not define', () => {
    expect(() => readImage2D(file(ihdrBody(2, 2, 16, 3)))).toThrow(
      /colour type 3 cannot have 16-bit samples \(PNG allows 1, 2, 4, 8\)$/,
    );
    expect(() => readImage2D(file(ihdrBody(2, 2, 4, 2)))).toThrow(
      /colour type 2 cannot have 4-bit samples/,
    );
    expect(() => readImage2D(file(ihdrBody(2, 2, 8, 0, 2)))).toThrow(
      /IHDR declares compression 0, filter 0, interlace 2 \(PNG defines 0, 0, 0 or 1\)$/,
    );
    const late = pngFile(
      pngChunk('pHYs', new Uint8Array(9)),
      pngChunk('IHDR', ihdrBody(2, 2, 8, 0)),
    );
    expect(() => readImage2D(late)).toThrow(/chunk pHYs at byte 8 comes before IHDR$/);
  });

  it('reads RGB with a suggested palette as RGB', () => {
    const rgb = Uint8Array.from([0, 1, 2, 3, 4, 5, 6]);
    const bytes = pngFile(
      pngChunk('IHDR', ihdrBody(2, 1, 8, 2)),
      pngChunk('PLTE', Uint8Array.from([9, 9, 9])),
      pngChunk('IDAT', new Uint8Array(deflateSync(rgb))),
      pngChunk('IEND', new Uint8Array(0)),
    );
    expect(readImage2D(bytes).shape).toEqual([1, 2, 3]);
    expect(Array.from(readImage2D(bytes).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives palette colours the alphas of tRNS (255 past its end) and refuses bad palettes', () => {
    const palette = pngChunk('PLTE', Uint8Array.from([10, 11, 12, 20, 21, 22]));
    const bytes = file(ihdrBody(2, 2, 8, 3), palette, pngChunk('tRNS', Uint8Array.from([7])));
    expect(readImage2D(bytes).shape).toEqual([2, 2, 4]);
    expect(Array.from(readImage2D(bytes).data)).toEqual([
      10, 11, 12, 7, 20, 21, 22, 255, 20, 21, 22, 255, 10, 11, 12, 7,
    ]);
    expect(Array.from(readLabelImage2D(bytes).data)).toEqual([0, 1, 1, 0]);
    const short = file(ihdrBody(2, 2, 8, 3), pngChunk('PLTE', Uint8Array.from([10, 11, 12])));
    expect(() => readImage2D(short)).toThrow(/pixel 1 names colour 1, beyond the palette's 1$/);
    const ragged = file(ihdrBody(2, 2, 8, 3), pngChunk('PLTE', Uint8Array.from([10, 11])));
    expect(() => readImage2D(ragged)).toThrow(
      /its PLTE chunk holds 2 bytes, not 1–256 RGB colours$/,
    );
    const alphas = file(
      ihdrBody(2, 2, 8, 3),
      palette,
      pngChunk('tRNS', Uint8Array.from([1, 2, 3])),
    );
    expect(() => readImage2D(alphas)).toThrow(
      /its tRNS chunk holds more alpha values than the palette has colours$/,
    );
  });
});
