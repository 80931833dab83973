import { describe, expect, it } from 'vitest';
import type { Image2D } from '../types.js';
import { readImage2D } from './read-image.js';
import { encodeImage2D, writeImage2D } from './write-image.js';

/** The body of the first chunk of type `type` of a PNG file. */
function pngChunkBody(png: Uint8Array, type: string): Uint8Array | undefined {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const name = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (name === type) return png.subarray(at + 8, at + 8 + length);
    at += 12 + length;
  }
  return undefined;
}

const grey = (pixelSize: readonly [number, number], unit: string): Image2D => ({
  data: new Uint8Array(4),
  shape: [2, 2, 1],
  pixelSize,
  unit,
});

describe('encodeImage2D pixel size', () => {
  it('writes pHYs in pixels per metre, x first', () => {
    // Pillow 9.4.0 read this file's info['dpi'] as (78153.8442, 39076.9348): 3076923 and 1538462
    // pixels per metre, x (0.325 µm) then y (0.65 µm).
    const png = encodeImage2D(grey([0.65, 0.325], 'µm'), 'png');
    const body = pngChunkBody(png, 'pHYs')!;
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    expect([view.getUint32(0), view.getUint32(4), body[8]]).toEqual([3076923, 1538462, 1]);
    const back = readImage2D(png);
    expect(back.pixelSize![0]).toBeCloseTo(0.65, 6);
    expect(back.pixelSize![1]).toBeCloseTo(0.325, 6);
  });

  it('writes pHYs for microns however they are spelled', () => {
    // `um` and `micron` (which the TIFF writer takes) wrote no pHYs: the pixel size was lost.
    for (const unit of ['um', 'micron', 'μm', 'µm']) {
      const back = readImage2D(encodeImage2D(grey([0.5, 0.25], unit), 'png'));
      expect([back.pixelSize, back.unit]).toEqual([[0.5, 0.25], 'µm']);
    }
  });

  it('refuses a pixel size pHYs cannot hold instead of wrapping it', () => {
    // 0.1 nm is 10^10 pixels per metre: written modulo 2³², Pillow read 0.709 nm; 3 m rounded
    // to 0 pixels per metre.
    for (const [size, unit] of [
      [0.1, 'nm'],
      [3, 'm'],
    ] as const)
      expect(() => encodeImage2D(grey([size, size], unit), 'png')).toThrow(
        /encodeImage2D: 'image.pixelSize' must be a pixel size PNG can hold/,
      );
    expect(pngChunkBody(encodeImage2D(grey([1, 1], 'm'), 'png'), 'pHYs')).toBeDefined();
  });

  it('refuses a pixel size that is not two positive finite numbers, naming the argument', async () => {
    // A zero, negative or NaN size was written as 0 or 4293967296 pixels per metre in PNG.
    for (const pixelSize of [[0, 1], [-1, 1], [Number.NaN, 1], [1]] as never[])
      for (const format of ['png', 'tiff'] as const)
        expect(() => encodeImage2D(grey(pixelSize, 'µm'), format)).toThrow(
          /encodeImage2D: 'image.pixelSize' must be two positive finite numbers/,
        );
    expect(() => encodeImage2D({ ...grey([1, 1], 'µm'), unit: 5 as never }, 'png')).toThrow(
      /encodeImage2D: 'image.unit' must be a string/,
    );
    await expect(writeImage2D('never-written.png', grey([0, 1], 'µm'))).rejects.toThrow(
      /writeImage2D: 'image.pixelSize'/,
    );
  });
});
