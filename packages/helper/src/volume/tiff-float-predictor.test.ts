import { readFileSync } from 'node:fs';
import { UnsupportedError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { readVolume } from './read-volume.js';
import { undoFloatPredictor } from './tiff-block.js';
import { decodeTiffVolume } from './tiff-read.js';

/**
 * The floating-point predictor (TIFF Predictor 3, Adobe's Technical Note 3), which tifffile
 * writes for floats given `predictor=True` (with imagecodecs) and libtiff with `tiffcp -c zip:3`.
 * The fixtures are libtiff's (scripts/make-libtiff-fixtures.sh):
 * v(z, y, x) = ((7z + 5y + 3x) mod 251) · 0.37 − 40.
 */

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

const v = (z: number, y: number, x: number) => ((7 * z + 5 * y + 3 * x) % 251) * 0.37 - 40;

function expected(planes: number, round: (x: number) => number): number[] {
  const out: number[] = [];
  for (let z = 0; z < planes; z++)
    for (let y = 0; y < 21; y++) for (let x = 0; x < 37; x++) out.push(round(v(z, y, x)));
  return out;
}

/** The predictor's encoder (Technical Note 3) for one row of `values`: the test's reference. */
function encodeRow(values: Float32Array, stride: number): Uint8Array {
  const size = 4;
  const n = values.length;
  const bigEndian = new DataView(new ArrayBuffer(n * size));
  values.forEach((value, i) => {
    bigEndian.setFloat32(i * size, value, false);
  });
  const planes = new Uint8Array(n * size);
  for (let i = 0; i < n; i++)
    for (let b = 0; b < size; b++) planes[b * n + i] = bigEndian.getUint8(i * size + b);
  const out = planes.slice();
  for (let i = stride; i < out.length; i++) out[i] = (planes[i]! - planes[i - stride]!) & 255;
  return out;
}

describe('the floating-point predictor', () => {
  it.each([
    ['predictor3-deflate-float32-2x21x37.tif', Float32Array, Math.fround], // strips of 8 rows
    ['predictor3-lzw-float64-2x21x37.tif', Float64Array, (x: number) => x],
    ['tiled-predictor3-deflate-float32-2x21x37.tif', Float32Array, Math.fround],
  ] as const)('%s (libtiff) reads back exactly', (name, type, round) => {
    const volume = readVolume(fixture(name));
    expect(volume.shape).toEqual([2, 21, 37]);
    expect(volume.data).toBeInstanceOf(type);
    expect(Array.from(volume.data)).toEqual(expected(2, round));
  });

  it('undoes the differencing across the interleaved samples of a pixel (RGB)', () => {
    const name = 'predictor3-deflate-float32-rgb-21x37.tif';
    const planes = decodeTiffVolume(fixture(name), 'readImage2D', name, { samples: true });
    expect(planes.shape).toEqual([3, 21, 37]);
    expect(Array.from(planes.data)).toEqual(expected(3, Math.fround));
  });

  it('gives the values in either byte order, and leaves the caller’s bytes alone', () => {
    const values = Float32Array.of(1.5, -2.25, 1e-30, 3e38, 0, -0, 7);
    const encoded = encodeRow(values, 1);
    const copy = encoded.slice();
    for (const littleEndian of [true, false]) {
      const out = undoFloatPredictor(encoded, 1, encoded.length, 4, 1, littleEndian);
      const view = new DataView(out.buffer);
      const back = Array.from(values, (_, i) => view.getFloat32(4 * i, littleEndian));
      expect(back).toEqual(Array.from(values));
    }
    expect(encoded).toEqual(copy);
  });

  it('is refused for integer samples (libtiff allows it for floats only)', () => {
    const bytes = fixture('predictor3-deflate-float32-2x21x37.tif');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ifd = view.getUint32(4, true);
    for (let e = 0; e < view.getUint16(ifd, true); e++) {
      const at = ifd + 2 + 12 * e;
      if (view.getUint16(at, true) === 339) view.setUint16(at + 8, 1, true); // SampleFormat uint
    }
    expect(() => readVolume(bytes)).toThrow(UnsupportedError);
    expect(() => readVolume(bytes)).toThrow(
      /page 1 uses predictor 3; supported: none, horizontal differencing for integers and the floating-point predictor for floats$/,
    );
  });
});
