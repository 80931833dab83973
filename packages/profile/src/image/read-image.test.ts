import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { createRng, isCellshapeError, UnsupportedError } from '@cellshape/core';
import { encodeTiff } from '@cellshape/helper';
import { encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import type { Image2D } from '../types.js';
import { pngChunk, pngFile } from './png-test-bytes.js';
import { readImage2D, readImageFrames2D, readLabelImage2D } from './read-image.js';
import { haveImages2D, IMAGES_2D } from './test-data.js';
import { encodeImage2D, writeImage2D } from './write-image.js';

const dir = mkdtempSync(join(tmpdir(), 'cellshape-image2d-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic image whose every sample differs: value = f(y, x, c). */
function ramp<T extends Image2D['data']>(
  make: (n: number) => T,
  [h, w, c]: [number, number, number],
  f = (y: number, x: number, k: number) => y * 31 + x * 7 + k * 101,
): Image2D<T> {
  const data = make(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = f(y, x, k);
  return { data, shape: [h, w, c] };
}

const KINDS: [string, (n: number) => Image2D['data']][] = [
  ['uint8', (n) => new Uint8Array(n)],
  ['int8', (n) => new Int8Array(n)],
  ['uint16', (n) => new Uint16Array(n)],
  ['int16', (n) => new Int16Array(n)],
  ['uint32', (n) => new Uint32Array(n)],
  ['int32', (n) => new Int32Array(n)],
  ['float32', (n) => new Float32Array(n)],
  ['float64', (n) => new Float64Array(n)],
];

describe('TIFF round trips', () => {
  for (const [name, make] of KINDS)
    for (const channels of [1, 3])
      it(`${name}, ${channels} channel(s), both compressions`, () => {
        const image = ramp(make, [5, 7, channels], (y, x, k) => (y * 7 + x) * (k + 1) - 9);
        for (const compression of ['none', 'deflate'] as const) {
          const back = readImage2D(encodeImage2D(image, 'tiff', { compression }));
          expect(back.shape).toEqual([5, 7, channels]);
          expect(back.data.constructor).toBe(image.data.constructor);
          expect(Array.from(back.data)).toEqual(Array.from(image.data));
          expect(back.pixelSize).toBeUndefined();
        }
      });

  it('carries the pixel size and unit (ImageJ unit= + X/YResolution)', async () => {
    const image = {
      ...ramp((n) => new Uint16Array(n), [4, 6, 2]),
      pixelSize: [0.5, 0.25] as const,
      unit: 'µm',
    };
    const path = join(dir, 'calibrated.tif');
    await writeImage2D(path, image);
    const back = readImage2D(path);
    expect(back.unit).toBe('µm');
    expect(back.pixelSize![0]).toBeCloseTo(0.5, 8);
    expect(back.pixelSize![1]).toBeCloseTo(0.25, 8);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads pages as channels (default) or as frames', () => {
    // Four pages with no description of channels: four channels, or four 1-channel frames.
    const pages = new Uint8Array(4 * 2 * 3).map((_, i) => i);
    const bytes = encodeTiff({ data: pages, shape: [4, 2, 3] });
    const asChannels = readImage2D(bytes);
    expect(asChannels.shape).toEqual([2, 3, 4]);
    expect(asChannels.data[1 * 4 + 2]).toBe(2 * 6 + 1); // pixel (0, 1), page 2
    const third = readImage2D(bytes, { pages: 'frames', frame: 2 });
    expect(third.shape).toEqual([2, 3, 1]);
    expect(Array.from(third.data)).toEqual([12, 13, 14, 15, 16, 17]);
    expect(readImageFrames2D(bytes)).toHaveLength(4);
    expect(() => readImage2D(bytes, { pages: 'frames', frame: 4 })).toThrow(/options\.frame/);
    // An ImageJ hyperstack of 2 channels × 2 frames groups the pages two by two.
    const hyper = encodeTiff({ data: pages, shape: [4, 2, 3] }, { pages: 'channels' });
    const frames = readImageFrames2D(patch(hyper, 'channels=4', 'channels=2'));
    expect(frames).toHaveLength(2);
    expect(frames[1]!.shape).toEqual([2, 3, 2]);
    expect([frames[1]!.data[0], frames[1]!.data[1]]).toEqual([12, 18]);
  });

  it('reads the TIFF resolution in centimetres as µm', () => {
    const bytes = encodeTiff({
      data: new Uint8Array(4),
      shape: [1, 2, 2],
      spacing: [1, 0.002, 0.004],
    });
    // No ImageJ unit: drop the description's ImageJ marker so the ResolutionUnit (none → cm) rules.
    const withoutImageJ = patch(bytes, 'ImageJ=', 'ImageX=');
    const unit = findTag(withoutImageJ, 296);
    new DataView(withoutImageJ.buffer).setUint16(unit + 8, 3, true); // centimetre
    const back = readImage2D(withoutImageJ);
    expect(back.unit).toBe('µm');
    expect(back.pixelSize![0]).toBeCloseTo(20, 6);
    expect(back.pixelSize![1]).toBeCloseTo(40, 6);
  });
});

/** Replaces an ASCII string of the same length inside bytes (a copy). */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const out = bytes.slice();
  const text = Buffer.from(out).toString('latin1');
  const at = text.indexOf(from);
  expect(at).toBeGreaterThan(0);
  expect(to.length).toBe(from.length);
  for (let i = 0; i < to.length; i++) out[at + i] = to.charCodeAt(i);
  return out;
}

/** Byte offset of the first directory entry with `tag` (little-endian file). */
function findTag(bytes: Uint8Array, tag: number): number {
  const view = new DataView(bytes.buffer);
  const ifd = view.getUint32(4, true);
  const n = view.getUint16(ifd, true);
  for (let i = 0; i < n; i++)
    if (view.getUint16(ifd + 2 + 12 * i, true) === tag) return ifd + 2 + 12 * i;
  throw new Error(`tag ${tag} not found`);
}

describe('multi-sample TIFF pages (fixtures by scripts/make-tiff-fixtures.py, tifffile/Pillow)', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  /** v[y, x, c] = (y * 4 + x) * 3 + c + offset over the 5×4×3 fixtures. */
  const expected = (offset: number) => Array.from({ length: 60 }, (_, i) => i + offset);

  it('reads interleaved RGB (Deflate, strips of 2 rows) as 3 channels', () => {
    const image = readImage2D(fixture('rgb_u8_chunky_deflate.tif'));
    expect(image.shape).toEqual([5, 4, 3]);
    expect(image.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(image.data)).toEqual(expected(0));
  });

  it('reads planar 16-bit samples and the resolution in centimetres', () => {
    const image = readImage2D(fixture('minisblack_u16_planar.tif'));
    expect(image.shape).toEqual([5, 4, 3]);
    expect(image.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(image.data)).toEqual(expected(1000));
    expect(image.unit).toBe('µm');
    expect(image.pixelSize).toEqual([5000, 5000]); // 2 pixels per cm
  });

  it('undoes the horizontal predictor per sample, big-endian', () => {
    expect(Array.from(readImage2D(fixture('rgb_u8_predictor_be.tif')).data)).toEqual(expected(7));
  });

  it('reads interleaved RGB with LZW (Pillow/libtiff)', () => {
    const image = readImage2D(fixture('rgb_u8_lzw.tif'));
    expect(image.shape).toEqual([5, 4, 3]);
    expect(Array.from(image.data)).toEqual(expected(0));
  });
});

describe('OME-TIFF frames, series, reduced pages and descriptions (fixtures by scripts/make-tiff-fixtures.py, tifffile; issue 17 reviews)', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

  it('groups the pages of OME DimensionOrder XYZTC by time point, not consecutively', () => {
    // 2 channels × 3 time points stored channel after channel: frame 0 was [c0 t0, c0 t1].
    const frames = readImageFrames2D(fixture('ome_ctyx_u8.tif'));
    expect(frames.map((f) => f.shape)).toEqual([
      [3, 5, 2],
      [3, 5, 2],
      [3, 5, 2],
    ]);
    frames.forEach((frame, t) => {
      const want = Array.from({ length: 30 }, (_, i) => {
        const [pixel, c] = [Math.floor(i / 2), i % 2];
        return (c * 3 + t) * 15 + pixel;
      });
      expect(Array.from(frame.data)).toEqual(want);
    });
    const second = readImage2D(fixture('ome_ctyx_u8.tif'), { pages: 'frames', frame: 1 });
    expect(Array.from(second.data)).toEqual(Array.from(frames[1]!.data));
    expect(readImage2D(fixture('ome_ctyx_u8.tif')).shape).toEqual([3, 5, 6]);
  });

  it('takes OME SizeC of RGB pages as their samples: 2 frames of 3 channels, not 6 of 1', () => {
    const frames = readImageFrames2D(fixture('ome_rgb_t2_u8.tif'));
    expect(frames.map((f) => f.shape)).toEqual([
      [2, 3, 3],
      [2, 3, 3],
    ]);
    expect(Array.from(frames[1]!.data)).toEqual(Array.from({ length: 18 }, (_, i) => 18 + i));
  });

  it('refuses an OME-TIFF of two RGB series instead of reading them as one 6-channel image', () => {
    expect(() => readImage2D(fixture('ome_rgb_2series_u8.tif'))).toThrow(
      /^readImage2D: .*ome_rgb_2series_u8\.tif": an OME-TIFF whose first image has 1 planes, but the file holds 2 pages/,
    );
  });

  it('takes the pixel size from the first full-resolution page, not a thumbnail before it', () => {
    // The thumbnail states 1 pixel per cm: the size was 10,000 µm.
    const image = readImage2D(fixture('thumbnail_first_u8.tif'));
    expect(image.shape).toEqual([3, 4, 1]);
    expect(Array.from(image.data)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect([image.pixelSize, image.unit]).toEqual([[0.5, 0.5], 'µm']);
  });

  it('reads a tifffile image with a description (two ImageDescription tags; it was refused)', () => {
    const image = readImage2D(fixture('described_rgb_u8.tif'));
    expect(image.shape).toEqual([2, 3, 3]);
    expect(Array.from(image.data)).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect([image.pixelSize, image.unit]).toEqual([[0.5, 0.5], 'µm']);
    // The shape, in the second description, still tells two series from one image.
    expect(() => readImage2D(fixture('described_2series_u8.tif'))).toThrow(
      /^readImage2D: .*described_2series_u8\.tif": a tifffile series of 1 pages, but the file holds 2 pages/,
    );
  });
});

describe('BigTIFF', () => {
  it('is named unsupported, not "neither a TIFF nor a PNG"', () => {
    const header = (order: number[], magic: number[]) =>
      Uint8Array.from([...order, ...magic, 0, 8, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]);
    for (const bytes of [header([0x49, 0x49], [43, 0]), header([0x4d, 0x4d], [0, 43])])
      for (const read of [readImage2D, readLabelImage2D]) {
        expect(() => read(bytes)).toThrow(UnsupportedError);
        expect(() => read(bytes)).toThrow(/BigTIFF files are not supported, only classic TIFF$/);
      }
  });
});

describe('frames of a PNG (issue 17 third review)', () => {
  it('refuses a frame past the only one, as for a one-page TIFF (it returned frame 0)', () => {
    const image: Image2D = { data: Uint8Array.from([1, 2, 3, 4]), shape: [2, 2, 1] };
    const png = encodeImage2D(image, 'png');
    for (const read of [readImage2D, readLabelImage2D])
      expect(() => read(png, { pages: 'frames', frame: 3 })).toThrow(
        /^read(Image2D|LabelImage2D): 'options\.frame' must be a frame below 1 \(the given bytes has 1\), got 3$/,
      );
    expect(Array.from(readLabelImage2D(png, { pages: 'frames', frame: 0 }).data)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(Array.from(readImage2D(png, { pages: 'frames' }).data)).toEqual([1, 2, 3, 4]);
  });
});

describe('PNG round trips', () => {
  for (const channels of [1, 2, 3, 4])
    for (const [name, make] of [
      ['uint8', (n: number): Image2D['data'] => new Uint8Array(n)],
      ['uint16', (n: number): Image2D['data'] => new Uint16Array(n)],
    ] as const)
      it(`${name}, ${channels} channel(s)`, () => {
        const image = ramp(make, [6, 5, channels], (y, x, k) => (y * 5 + x) * 9 + k * 3);
        const back = readImage2D(encodeImage2D(image, 'png'));
        expect(back.shape).toEqual([6, 5, channels]);
        expect(back.data.constructor).toBe(image.data.constructor);
        expect(Array.from(back.data)).toEqual(Array.from(image.data));
      });

  it('carries the pixel size through pHYs (pixels per metre)', () => {
    const image = {
      ...ramp((n) => new Uint8Array(n), [3, 3, 1]),
      pixelSize: [0.87, 0.87] as const,
      unit: 'µm',
    };
    const back = readImage2D(encodeImage2D(image, 'png'));
    expect(back.unit).toBe('µm');
    expect(back.pixelSize![0]).toBeCloseTo(0.87, 5);
    expect(Array.from(back.data)).toEqual(Array.from(image.data));
  });

  it('unpacks 1-bit grey and reads palette images as colours or label indices', () => {
    const bits = encode({
      width: 3,
      height: 2,
      depth: 1,
      channels: 1,
      data: new Uint8Array([0b10100000, 0b01000000]),
    });
    expect(Array.from(readImage2D(bits).data)).toEqual([1, 0, 1, 0, 1, 0]);
    const palette = encode({
      width: 2,
      height: 1,
      depth: 8,
      channels: 1,
      data: new Uint8Array([0, 1]),
      palette: [
        [0, 0, 0],
        [10, 20, 30],
      ],
    });
    expect(Array.from(readImage2D(palette).data)).toEqual([0, 0, 0, 10, 20, 30]);
    expect(Array.from(readLabelImage2D(palette).data)).toEqual([0, 1]);
  });

  it('refuses images PNG cannot hold', () => {
    const float = ramp((n) => new Float32Array(n), [2, 2, 1]);
    expect(() => encodeImage2D(float, 'png')).toThrow(/image\.data.*Uint8Array or Uint16Array/);
    expect(() =>
      encodeImage2D(
        ramp((n) => new Uint8Array(n), [2, 2, 5]),
        'png',
      ),
    ).toThrow(/image\.shape/);
  });
});

describe('label images', () => {
  it('reads integer TIFF and PNG labels as Int32, refuses fractions and several channels', () => {
    const labels = { data: new Uint16Array([0, 1, 1, 65535]), shape: [2, 2, 1] as const };
    const back = readLabelImage2D(encodeImage2D(labels, 'tiff'));
    expect(back.data).toBeInstanceOf(Int32Array);
    expect(Array.from(back.data)).toEqual([0, 1, 1, 65535]);
    expect(Array.from(readLabelImage2D(encodeImage2D(labels, 'png')).data)).toEqual([
      0, 1, 1, 65535,
    ]);
    const fractional = { data: new Float32Array([0, 1.5, 2, 3]), shape: [2, 2, 1] as const };
    expect(() => readLabelImage2D(encodeImage2D(fractional, 'tiff'))).toThrow(/1\.5 at pixel 1/);
    const rgb = { data: new Uint8Array(12), shape: [2, 2, 3] as const };
    expect(() => readLabelImage2D(encodeImage2D(rgb, 'png'))).toThrow(/3 channels/);
  });
});

describe('hostile and bad input', () => {
  const png = encodeImage2D(
    ramp((n) => new Uint8Array(n), [16, 16, 1]),
    'png',
  );
  const tiff = encodeImage2D(
    ramp((n) => new Uint8Array(n), [16, 16, 1]),
    'tiff',
  );

  it('throws FormatError on truncated, empty and unknown bytes', () => {
    for (const bytes of [
      png.subarray(0, png.length - 20),
      tiff.subarray(0, 60),
      new Uint8Array(0),
      new Uint8Array([1, 2, 3, 4]),
    ]) {
      let error: unknown;
      try {
        readImage2D(bytes);
      } catch (e) {
        error = e;
      }
      expect(isCellshapeError(error, 'INVALID_FORMAT')).toBe(true);
    }
  });

  it('refuses a PNG declaring a huge size before allocating', () => {
    const huge = png.slice();
    const view = new DataView(huge.buffer);
    view.setUint32(16, 60000); // IHDR width
    view.setUint32(20, 60000); // IHDR height
    view.setUint32(29, crc32(huge.subarray(12, 29))); // IHDR's CRC-32, so the size check is reached
    expect(() => readImage2D(huge)).toThrow(/too few even at Deflate's largest ratio|maxPixels/);
    expect(() => readImage2D(png, { maxPixels: 100 })).toThrow(/maxPixels = 100/);
    // Past 2⁵³ pixel counts are no longer exact: a typed refusal of the option.
    expect(() => readImage2D(png, { maxPixels: 2 ** 60 })).toThrow(/options\.maxPixels/);
  });

  it("names maxPixels, not the 3-D reader's maxVoxels, when an image is larger than it", () => {
    const image: Image2D = { data: new Uint16Array(900), shape: [30, 30, 1] };
    for (const format of ['tiff', 'png'] as const) {
      const bytes = encodeImage2D(image, format);
      for (const read of [readImage2D, readLabelImage2D])
        expect(() => read(bytes, { maxPixels: 800 })).toThrow(
          /30×30 (= 900 )?pixels, more than maxPixels = 800 \(raise options\.maxPixels to read it\)$/,
        );
    }
  });

  it('checks the CRC-32 of every PNG chunk (issue 17, adversarial review)', () => {
    // A flipped bit inside a stored Deflate block read as a wrong pixel: fast-png checked
    // neither the chunk CRC nor zlib's Adler-32 (png-pixels.test.ts tests the Adler-32).
    const raw = Uint8Array.from({ length: 4 * 5 }, (_, i) => (i % 5 === 0 ? 0 : i));
    const ihdr = Uint8Array.from([0, 0, 0, 4, 0, 0, 0, 4, 8, 0, 0, 0, 0]);
    const idat = new Uint8Array(deflateSync(raw, { level: 0 }));
    const good = pngFile(
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', idat),
      pngChunk('IEND', new Uint8Array(0)),
    );
    expect(Array.from(readImage2D(good).data)).toEqual(
      Array.from(raw).filter((_, i) => i % 5 !== 0),
    );
    const flipped = good.slice();
    const pixel = 8 + 25 + 8 + idat.length - 4 - 2; // the second-to-last pixel, inside the IDAT chunk
    expect(flipped[pixel]).toBe(18);
    flipped[pixel] = 18 ^ 0x40;
    expect(() => readImage2D(flipped)).toThrow(
      /^readImage2D: the given bytes is not a readable PNG: chunk IDAT at byte 33 fails its CRC-32 check \(corrupt file\)$/,
    );
    const phys = encodeImage2D(
      { ...ramp((n) => new Uint8Array(n), [4, 4, 1]), pixelSize: [0.5, 0.5], unit: 'µm' },
      'png',
    );
    expect(readImage2D(phys).pixelSize).toEqual([0.5, 0.5]);
    const wrongSize = phys.slice();
    wrongSize[33 + 8 + 2] = wrongSize[33 + 8 + 2]! ^ 1; // pHYs x pixels per metre, after IHDR
    expect(() => readImage2D(wrongSize)).toThrow(/chunk pHYs at byte 33 fails its CRC-32 check/);
    // Colour type 3 without PLTE: its indices were read as grey levels.
    const paletteIhdr = ihdr.slice();
    paletteIhdr[9] = 3;
    const noPalette = pngFile(
      pngChunk('IHDR', paletteIhdr),
      pngChunk('IDAT', idat),
      pngChunk('IEND', new Uint8Array(0)),
    );
    expect(() => readImage2D(noPalette)).toThrow(
      /^readImage2D: the given bytes is not a readable PNG: it is a palette image without a PLTE chunk$/,
    );
  });

  /**
   * A 2×2 uint8 little-endian TIFF with the basic tags plus `extra` ones: [tag, type, bytes of
   * the value] (type 2 ASCII, 3 SHORT, 12 DOUBLE), values stored after the directory.
   */
  function tiffWith(extra: [number, number, Uint8Array][]): Uint8Array {
    const short = (v: number) => Uint8Array.from([v & 0xff, v >> 8]);
    const long = (v: number) => Uint8Array.from([v & 0xff, (v >> 8) & 0xff, v >> 16, 0]);
    const entries: [number, number, Uint8Array][] = [
      [256, 3, short(2)],
      [257, 3, short(2)],
      [258, 3, short(8)],
      [259, 3, short(1)],
      [262, 3, short(1)],
      [273, 4, long(8)],
      [277, 3, short(1)],
      [278, 3, short(2)],
      [279, 4, long(4)],
      ...extra,
    ];
    entries.sort((a, b) => a[0] - b[0]);
    const ifd = 12;
    let tail = ifd + 2 + 12 * entries.length + 4;
    const out = new Uint8Array(tail + entries.reduce((n, [, , v]) => n + v.length + 1, 0));
    const view = new DataView(out.buffer);
    out.set([0x49, 0x49, 42, 0, ifd, 0, 0, 0, 1, 2, 3, 4]);
    view.setUint16(ifd, entries.length, true);
    entries.forEach(([tag, type, value], i) => {
      const at = ifd + 2 + 12 * i;
      const size = { 2: 1, 3: 2, 4: 4, 12: 8 }[type]!;
      view.setUint16(at, tag, true);
      view.setUint16(at + 2, type, true);
      view.setUint32(at + 4, value.length / size, true);
      if (value.length <= 4) out.set(value, at + 8);
      else {
        view.setUint32(at + 8, tail, true);
        out.set(value, tail);
        tail += value.length + (value.length % 2);
      }
    });
    return out;
  }
  const ascii = (text: string) => new TextEncoder().encode(`${text}\0`);
  const double = (v: number) => new Uint8Array(Float64Array.of(v).buffer);

  it('states no pixel size for a resolution that makes it infinite (issue 17, adversarial review)', () => {
    const centimetre = Uint8Array.from([3, 0]);
    const fine = tiffWith([
      [282, 12, double(2e4)],
      [283, 12, double(4e4)],
      [296, 3, centimetre],
    ]);
    expect(readImage2D(fine).pixelSize).toEqual([0.25, 0.5]);
    // 1 / 5e-324 is Infinity: it came back as the pixel size [Infinity, Infinity].
    const tiny = tiffWith([
      [282, 12, double(5e-324)],
      [283, 12, double(5e-324)],
      [296, 3, centimetre],
    ]);
    const image = readImage2D(tiny);
    expect(Array.from(image.data)).toEqual([1, 2, 3, 4]);
    expect(image.pixelSize).toBeUndefined();
  });

  it('reads OME descriptions that made its regular expressions quadratic (issue 17, adversarial review)', () => {
    const ome = tiffWith([[270, 2, ascii('<OME><Pixels SizeC="1" PhysicalSizeX="0.5"/></OME>')]]);
    expect(readImage2D(ome).pixelSize).toEqual([0.5, 0.5]);
    for (const description of [`<Pixels ${'a'.repeat(100_000)}>`, '<Pixels '.repeat(12_500)]) {
      const image = readImage2D(tiffWith([[270, 2, ascii(description)]]));
      expect(Array.from(image.data)).toEqual([1, 2, 3, 4]);
      expect(image.pixelSize).toBeUndefined();
    }
    // Number() read PhysicalSizeX="0x10" as 16 µm (issue 17 second review).
    const hex = tiffWith([[270, 2, ascii('<OME><Pixels SizeC="1" PhysicalSizeX="0x10"/></OME>')]]);
    expect(readImage2D(hex).pixelSize).toBeUndefined();
  });

  it('gives an OME y size stated in another unit in the unit of x (independent campaign)', () => {
    // A Y in the default µm beside PhysicalSizeXUnit="nm" was reported as 0.2 nm.
    const description =
      '<OME><Pixels SizeC="1" PhysicalSizeX="100" PhysicalSizeXUnit="nm" PhysicalSizeY="0.2"/></OME>';
    const image = readImage2D(tiffWith([[270, 2, ascii(description)]]));
    expect([image.pixelSize, image.unit]).toEqual([[200, 100], 'nm']);
    const odd =
      '<OME><Pixels SizeC="1" PhysicalSizeX="1" PhysicalSizeYUnit="parsec" PhysicalSizeY="2"/></OME>';
    expect(readImage2D(tiffWith([[270, 2, ascii(odd)]])).pixelSize).toBeUndefined();
  });

  it('gives an ImageJ y in its own unit (yunit=) in the unit of x (issue 17 third review)', () => {
    // ImageJ writes `yunit=nm` beside `unit=micron`: 1 / YResolution is in nm (it was read as µm).
    const image = readImage2D(
      tiffWith([
        [270, 2, ascii('ImageJ=1.53\nunit=micron\nyunit=nm\n')],
        [282, 12, double(4)],
        [283, 12, double(2)],
      ]),
    );
    expect(image.unit).toBe('µm');
    expect(image.pixelSize![0]).toBeCloseTo(0.0005, 12);
    expect(image.pixelSize![1]).toBe(0.25);
    const odd = tiffWith([
      [270, 2, ascii('ImageJ=1.53\nunit=micron\nyunit=pixel\n')],
      [282, 12, double(4)],
    ]);
    expect(readImage2D(odd).pixelSize).toBeUndefined();
  });

  it('reads OME-XML as UTF-8: "µm" is µm, not "Âµm" (issue 17 third review)', () => {
    // tifffile and Bio-Formats write PhysicalSizeXUnit="µm" as UTF-8; read byte by byte it was
    // the unit "Âµm", and beside a Y in the default µm it left the image uncalibrated.
    const both =
      '<OME><Pixels SizeC="1" PhysicalSizeX="0.5" PhysicalSizeXUnit="µm" PhysicalSizeY="0.25" PhysicalSizeYUnit="µm"/></OME>';
    const image = readImage2D(tiffWith([[270, 2, ascii(both)]]));
    expect([image.pixelSize, image.unit]).toEqual([[0.25, 0.5], 'µm']);
    const xOnly =
      '<OME><Pixels SizeC="1" PhysicalSizeX="0.5" PhysicalSizeXUnit="µm" PhysicalSizeY="0.25"/></OME>';
    const calibrated = readImage2D(tiffWith([[270, 2, ascii(xOnly)]]));
    expect([calibrated.pixelSize, calibrated.unit]).toEqual([[0.25, 0.5], 'µm']);
    // Bytes that are not UTF-8 stay one character each (an ImageJ unit in Latin-1: B5 is µ).
    const latin1 = Uint8Array.from(
      [...'ImageJ=1.53\nunit=\xb5m\n'].map((c) => c.charCodeAt(0)).concat(0),
    );
    const imageJ = tiffWith([
      [270, 2, latin1],
      [282, 12, double(4)],
    ]);
    expect([readImage2D(imageJ).pixelSize, readImage2D(imageJ).unit]).toEqual([[0.25, 0.25], 'µm']);
  });

  it('mutated TIFF and PNG bytes give a cellshape error or an image, nothing else', () => {
    // A small in-test fuzz pass (the fuzz package runs longer ones): byte flips, truncations and
    // interesting 32-bit values written over the seeds, seeded for reproducibility.
    const fixtures = [
      'rgb_u8_chunky_deflate.tif',
      'minisblack_u16_planar.tif',
      'rgb_u8_lzw.tif',
    ].map((name) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))));
    const seeds = [png, tiff, ...fixtures.map((b) => new Uint8Array(b))];
    const rng = createRng(7);
    const interesting = [0, 1, 0x7fffffff, 0xffffffff, 0x10000, 60000];
    for (let i = 0; i < 400; i++) {
      const bytes = seeds[i % seeds.length]!.slice();
      const kind = rng.int(3);
      const at = rng.int(bytes.length);
      if (kind === 0) bytes[at] = rng.int(256);
      else if (kind === 1 && at + 4 <= bytes.length)
        new DataView(bytes.buffer).setUint32(
          at,
          interesting[rng.int(interesting.length)]!,
          rng.int(2) === 0,
        );
      const input = kind === 2 ? bytes.subarray(0, at) : bytes;
      try {
        const image = readImage2D(input);
        expect(image.data.length).toBe(image.shape[0] * image.shape[1] * image.shape[2]);
      } catch (error) {
        if (!isCellshapeError(error)) throw error;
      }
    }
  });

  it('names the argument for bad options, images and paths', async () => {
    expect(() => readImage2D(png, { pages: 'slices' as never })).toThrow(/options\.pages/);
    expect(() => readImage2D(42 as never)).toThrow(/'source'|source/);
    expect(() => readImage2D(join(dir, 'missing.tif'))).toThrow(/cannot read/);
    const wrongRank = { data: new Uint8Array(4), shape: [2, 2] } as unknown as Image2D;
    await expect(writeImage2D(join(dir, 'x.tif'), wrongRank)).rejects.toThrow(
      /image\.shape.*rank-3/,
    );
    await expect(
      writeImage2D(
        join(dir, 'x.jpg'),
        ramp((n) => new Uint8Array(n), [2, 2, 1]),
      ),
    ).rejects.toThrow(/'path'|path/);
    expect(readdirSync(dir).filter((f) => f.startsWith('x.'))).toEqual([]);
  });
});

describe.runIf(
  haveImages2D(
    'real 2D images',
    'usiigaci_T98G_phase_t01.tif',
    'usiigaci_T98G_id_masks_t01.png',
    'stardist_dsb2018_img2d.tif',
    'stardist_dsb2018_mask2d_labels.tif',
  ),
)('real images read as tifffile and scikit-image read them', () => {
  // Expected values: /usr/bin/python3 with tifffile.imread / skimage.io.imread on the same files
  // (a[y, x] indexing), run on 2026-12-06.
  it('Usiigaci phase frame (uint16 TIFF) and id mask (uint8 PNG)', () => {
    const phase = readImage2D(join(IMAGES_2D, 'usiigaci_T98G_phase_t01.tif'));
    expect(phase.shape).toEqual([1022, 1024, 1]);
    expect(phase.data).toBeInstanceOf(Uint16Array);
    const at = (y: number, x: number) => phase.data[y * 1024 + x];
    expect([at(0, 0), at(100, 200), at(511, 700), at(1021, 1023)]).toEqual([
      34319, 41747, 25593, 31076,
    ]);
    expect(Array.from(phase.data).reduce((s, v) => s + v, 0)).toBe(34143663448);
    const mask = readLabelImage2D(join(IMAGES_2D, 'usiigaci_T98G_id_masks_t01.png'));
    expect(mask.shape).toEqual([1022, 1024, 1]);
    expect([
      mask.data[180 * 1024 + 178],
      mask.data[500 * 1024 + 500],
      mask.data[31 * 1024 + 700],
    ]).toEqual([70, 0, 3]);
    expect(mask.data.reduce((s, v) => s + v, 0)).toBe(11327934);
  });

  it('StarDist image and labels (uint16 TIFF, ResolutionUnit none → no pixel size)', () => {
    const image = readImage2D(join(IMAGES_2D, 'stardist_dsb2018_img2d.tif'));
    expect(image.pixelSize).toBeUndefined();
    expect([image.data[0], image.data[256 * 512 + 256], image.data[100 * 512 + 300]]).toEqual([
      14, 102, 20,
    ]);
    expect(Array.from(image.data).reduce((s, v) => s + v, 0)).toBe(8331268);
    const labels = readLabelImage2D(join(IMAGES_2D, 'stardist_dsb2018_mask2d_labels.tif'));
    expect(labels.data.reduce((m, v) => Math.max(m, v), 0)).toBe(183);
    expect(new Set(labels.data).size).toBe(126);
    expect(labels.data[256 * 512 + 256]).toBe(174);
  });
});

describe('conversions that expand decoded pixels (issue 17 second review)', () => {
  /** A PNG of `ihdr` and zero-filled rows (filter 0) of `rowBytes` each, plus `extra` chunks. */
  function pngOf(ihdr: number[], rowBytes: number, rows: number, extra: [string, number[]][] = []) {
    const idat = new Uint8Array(deflateSync(new Uint8Array((rowBytes + 1) * rows), { level: 9 }));
    return pngFile(
      pngChunk('IHDR', Uint8Array.from(ihdr)),
      ...extra.map(([type, body]) => pngChunk(type, Uint8Array.from(body))),
      pngChunk('IDAT', idat),
      pngChunk('IEND', new Uint8Array(0)),
    );
  }
  const size = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

  it('refuses a small 1-bit palette PNG whose RGBA colours would take gigabytes', () => {
    // 16384² 1-bit indices deflate to 32 KB; as RGBA colours they took 1 GB (1.4 GB of memory).
    // Here 4096²: 5 bytes a pixel (indices unpacked, RGBA) = 80 MiB from ~2 KB.
    const ihdr = [...size(4096), ...size(4096), 1, 3, 0, 0, 0];
    const bomb = pngOf(ihdr, 512, 4096, [['PLTE', [0, 0, 0, 255, 255, 255]]]);
    expect(bomb.length).toBeLessThan(4000);
    expect(() => readImage2D(bomb)).toThrow(
      /^readImage2D: the given bytes would expand to 83886080 bytes of pixels from \d+ bytes, more than 64 MiB plus 1032 per byte .*; setting options\.maxPixels lifts this bound$/,
    );
    expect(() => readImage2D(bomb)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    // A caller who sets maxPixels bounds the image instead (an almost empty image is valid).
    expect(readImage2D(bomb, { maxPixels: 4096 * 4096 }).shape).toEqual([4096, 4096, 3]);
    // Its indices (a label image) take a byte a pixel: within the bound, read.
    expect(readLabelImage2D(bomb).shape).toEqual([4096, 4096, 1]);
    // The same pixels at 256² (under 64 MiB) are read whatever the ratio.
    const small = pngOf([...size(256), ...size(256), 1, 3, 0, 0, 0], 32, 256, [
      ['PLTE', [0, 0, 0, 255, 255, 255]],
    ]);
    expect(readImage2D(small).shape).toEqual([256, 256, 3]);
  });

  it('refuses a label image whose Int32 ids would take too much for its bytes', () => {
    // 1-bit grey 6000²: 36 MB unpacked (under 64 MiB), 144 MB of Int32 ids from ~5 KB.
    const bomb = pngOf([...size(6000), ...size(6000), 1, 0, 0, 0, 0], 750, 6000);
    expect(() => readLabelImage2D(bomb)).toThrow(
      /^readLabelImage2D: the given bytes would expand to 144000000 bytes of Int32 labels.*; setting options\.maxPixels lifts this bound$/,
    );
    expect(readLabelImage2D(bomb, { maxPixels: 6000 * 6000 }).shape).toEqual([6000, 6000, 1]);
    expect(readImage2D(bomb).shape).toEqual([6000, 6000, 1]);
  });
});
