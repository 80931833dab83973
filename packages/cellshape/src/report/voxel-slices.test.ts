import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGreyPng, greyPngDataUrl } from './grey-png.js';
import { middleSlices } from './voxel-slices.js';

describe('middleSlices', () => {
  it('lays out the three middle slices of each cube, input above reconstruction', () => {
    const n = 4;
    const input = new Float32Array(n ** 3);
    // One voxel at (z 2, y 1, x 3): on the z slice (m = 2) at row 1, col 3 only.
    input[(2 * n + 1) * n + 3] = 1;
    const half = new Float32Array(n ** 3).fill(0.5);
    const image = middleSlices(
      [
        { data: input, size: n },
        { data: half, size: n },
      ],
      1,
    );
    expect([image.width, image.height]).toEqual([3 * 4 + 2, 2 * 4 + 1]);
    const px = (x: number, y: number) => image.data[y * image.width + x];
    expect(px(3, 1)).toBe(255);
    expect(image.data.subarray(0, 4 * image.width).filter((v) => v === 255)).toHaveLength(1);
    expect(px(4, 0)).toBe(128); // the gap between panels
    expect(px(0, 5)).toBe(128); // reconstruction row: 0.5 → 128
    expect(() => middleSlices([{ data: input, size: 3 }])).toThrow(/'rows'/);
  });
});

describe('encodeGreyPng', () => {
  it('writes a valid greyscale PNG whose pixels decode back', () => {
    const data = Uint8Array.from({ length: 6 }, (_, i) => i * 40);
    const png = encodeGreyPng({ data, width: 3, height: 2 });
    expect(Array.from(png.subarray(0, 8))).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ]);
    const view = Buffer.from(png);
    expect(view.toString('latin1', 12, 16)).toBe('IHDR');
    expect([view.readUInt32BE(16), view.readUInt32BE(20), view[24], view[25]]).toEqual([
      3, 2, 8, 0,
    ]);
    const idatLength = view.readUInt32BE(33);
    expect(view.toString('latin1', 37, 41)).toBe('IDAT');
    const raw = inflateSync(view.subarray(41, 41 + idatLength));
    expect(Array.from(raw)).toEqual([0, 0, 40, 80, 0, 120, 160, 200]);
    expect(greyPngDataUrl({ data, width: 3, height: 2 })).toMatch(
      /^data:image\/png;base64,iVBORw0KGgo/,
    );
    expect(() => encodeGreyPng({ data, width: 4, height: 2 })).toThrow(/'image.data'/);
  });
});
