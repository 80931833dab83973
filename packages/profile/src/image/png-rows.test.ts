import { deflateSync } from 'node:zlib';
import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { filteredPng, ihdrBody, pngChunk, pngFile } from './png-test-bytes.js';
import { readImage2D } from './read-image.js';

/** Rows whose inflated stream spans several of zlib's 1 MiB output pieces (png-pixels.ts). */
describe('PNG rows larger than one inflate output piece', () => {
  it('reads 16-bit RGBA of 1.28 MB, every filter, samples swapped in place', () => {
    const [width, height] = [400, 400];
    const rng = createRng(7);
    const raw = Uint8Array.from({ length: width * height * 8 }, () => rng.int(256));
    const types = Array.from({ length: height }, (_, r) => (r * 3 + 4) % 5);
    const image = readImage2D(filteredPng(raw, width, 16, 6, 4, types));
    expect(image.shape).toEqual([height, width, 4]);
    expect(image.data).toBeInstanceOf(Uint16Array);
    expect(image.data.length).toBe(raw.length / 2);
    const expected = Uint16Array.from(
      { length: raw.length / 2 },
      (_, i) => raw[2 * i]! * 256 + raw[2 * i + 1]!,
    );
    expect(
      Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).equals(
        Buffer.from(expected.buffer),
      ),
    ).toBe(true);
  });
});

describe('PNG rows of one pixel', () => {
  it('reads a 1×3000 grey image, every filter (rows copied byte by byte)', () => {
    const rng = createRng(11);
    const raw = Uint8Array.from({ length: 3000 }, () => rng.int(256));
    const types = Array.from({ length: 3000 }, (_, r) => r % 5);
    const image = readImage2D(filteredPng(raw, 1, 8, 0, 1, types));
    expect(image.shape).toEqual([3000, 1, 1]);
    expect(Array.from(image.data)).toEqual(Array.from(raw));
  });
});

describe('PNG filter types', () => {
  it('names the row and the Adam7 pass of an undefined filter type', () => {
    // A 2×2 Adam7 image: pass 1 holds pixel (0, 0), pass 6 pixel (1, 0), pass 7 row 1.
    const stream = Uint8Array.from([0, 9, 0, 8, 6, 7, 7]);
    const bytes = pngFile(
      pngChunk('IHDR', ihdrBody(2, 2, 8, 0, 1)),
      pngChunk('IDAT', new Uint8Array(deflateSync(stream))),
      pngChunk('IEND', new Uint8Array(0)),
    );
    expect(() => readImage2D(bytes)).toThrow(
      /^readImage2D: the given bytes is not a readable PNG: Adam7 pass 7: row 0 has filter type 6 \(0–4 are defined\)$/,
    );
    stream[4] = 0;
    const fixed = pngFile(
      pngChunk('IHDR', ihdrBody(2, 2, 8, 0, 1)),
      pngChunk('IDAT', new Uint8Array(deflateSync(stream))),
      pngChunk('IEND', new Uint8Array(0)),
    );
    expect(Array.from(readImage2D(fixed).data)).toEqual([9, 8, 7, 7]);
  });
});
