import type { TypedArray } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { readVolume } from './read-volume.js';
import { encodeTiff } from './tiff-encode.js';
import { SAMPLE_TYPES, type SampleKind } from './tiff-sample.js';

/** A [3, 4, 5] volume of `kind` holding the type's extremes and a ramp. */
function sampleVolume(kind: SampleKind, spacing?: [number, number, number]): Volume {
  const data = SAMPLE_TYPES[kind].create(60);
  const extremes: Record<SampleKind, [number, number]> = {
    uint8: [0, 255],
    int8: [-128, 127],
    uint16: [0, 65535],
    int16: [-32768, 32767],
    uint32: [0, 4294967295],
    int32: [-2147483648, 2147483647],
    float32: [-3.4e38, 1.5e-45],
    float64: [-Number.MAX_VALUE, Number.MIN_VALUE],
  };
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 100;
  data[0] = extremes[kind][0];
  data[59] = extremes[kind][1];
  if (kind.startsWith('float')) data[30] = 0.25;
  return spacing ? { data, shape: [3, 4, 5], spacing } : { data, shape: [3, 4, 5] };
}

const KINDS = Object.keys(SAMPLE_TYPES) as SampleKind[];

describe('encodeTiff → readVolume round trip', () => {
  for (const kind of KINDS) {
    for (const littleEndian of [true, false]) {
      for (const compression of ['none', 'deflate'] as const) {
        it(`${kind}, ${littleEndian ? 'little' : 'big'}-endian, ${compression}`, () => {
          const volume = sampleVolume(kind);
          const bytes = encodeTiff(volume, { littleEndian, compression });
          expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe(littleEndian ? 'II' : 'MM');
          const back = readVolume(bytes);
          expect(back.shape).toEqual([3, 4, 5]);
          expect(back.data.constructor).toBe(volume.data.constructor);
          expect(Array.from(back.data)).toEqual(Array.from(volume.data));
          expect(back.spacing).toBeUndefined();
        });
      }
    }
  }

  it('keeps the voxel spacing in ImageJ metadata (z exactly, x/y via resolution)', () => {
    for (const littleEndian of [true, false]) {
      const volume = sampleVolume('uint16', [2.18, 0.87, 0.123]);
      const back = readVolume(encodeTiff(volume, { littleEndian }));
      expect(back.spacing![0]).toBe(2.18);
      expect(back.spacing![1]).toBeCloseTo(0.87, 8);
      expect(back.spacing![2]).toBeCloseTo(0.123, 8);
    }
    const coarse = readVolume(encodeTiff(sampleVolume('uint8', [1, 250, 1000])));
    expect(coarse.spacing![1] / 250).toBeCloseTo(1, 6);
    expect(coarse.spacing![2] / 1000).toBeCloseTo(1, 6);
  });

  it('writes a 2-D image as one page and Uint8ClampedArray as uint8', () => {
    const data = Uint8ClampedArray.from({ length: 6 }, (_, i) => i * 40);
    const back = readVolume(encodeTiff({ data, shape: [1, 2, 3] }, { compression: 'deflate' }));
    expect(back.shape).toEqual([1, 2, 3]);
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.data)).toEqual([0, 40, 80, 120, 160, 200]);
  });

  it('preserves NaN and infinities in float volumes and reads views of larger buffers', () => {
    const buffer = new Float32Array(10);
    const data = buffer.subarray(2, 8) as TypedArray;
    data.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1, 2]);
    const back = readVolume(encodeTiff({ data, shape: [2, 1, 3] }, { littleEndian: false }));
    expect(Array.from(back.data)).toEqual([Number.NaN, Infinity, -Infinity, -0, 1, 2]);
  });

  it('compresses repetitive data with deflate', () => {
    const volume: Volume = { data: new Uint16Array(32 * 32 * 8), shape: [8, 32, 32] };
    const raw = encodeTiff(volume);
    const packed = encodeTiff(volume, { compression: 'deflate' });
    expect(raw.length).toBeGreaterThan(16384);
    expect(packed.length).toBeLessThan(raw.length / 10);
    expect(readVolume(packed).data).toEqual(volume.data);
  });
});

describe('encodeTiff: invalid input', () => {
  const ok: Volume = { data: new Uint8Array(8), shape: [2, 2, 2] };
  it('rejects malformed volumes', () => {
    expect(() => encodeTiff({ data: new Uint8Array(4), shape: [2, 2] } as never)).toThrow(
      /encodeTiff: 'volume.shape' must be \[z, y, x\]/,
    );
    expect(() => encodeTiff({ data: new Uint8Array(7), shape: [2, 2, 2] })).toThrow(
      /data.length \(7\)/,
    );
    expect(() => encodeTiff({ data: [1, 2] as never, shape: [1, 1, 2] })).toThrow(
      /'volume.data' must be a numeric typed array/,
    );
    expect(() => encodeTiff({ data: new BigInt64Array(1) as never, shape: [1, 1, 1] })).toThrow(
      /typed array/,
    );
    expect(() => encodeTiff({ ...ok, spacing: [1, 0, 1] })).toThrow(/'volume.spacing'/);
    expect(() => encodeTiff(null as never)).toThrow(/'volume' must be a volume/);
  });
  /** The first page's RATIONAL tag `tag` as [numerator, denominator] (little-endian files). */
  function rationalTag(bytes: Uint8Array, tag: number): [number, number] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ifd = view.getUint32(4, true);
    for (let e = 0; e < view.getUint16(ifd, true); e++) {
      const at = ifd + 2 + 12 * e;
      if (view.getUint16(at, true) !== tag) continue;
      const offset = view.getUint32(at + 8, true);
      return [view.getUint32(offset, true), view.getUint32(offset + 4, true)];
    }
    throw new Error(`no tag ${tag}`);
  }

  it('writes the resolution as the simplest exact fraction (tifffile reads the spacing back)', () => {
    // tifffile 2023.2.3 read these files' XResolution/YResolution as (1, 5000) and (10, 3), and
    // the old fixed denominator as (858993, 4294967295): a 5000 µm pixel was 5000.0027 µm.
    const volume: Volume = { data: new Uint8Array(4), shape: [1, 2, 2], spacing: [1, 0.3, 5000] };
    const bytes = encodeTiff(volume, { unit: 'micron' });
    expect(rationalTag(bytes, 282)).toEqual([1, 5000]);
    expect(rationalTag(bytes, 283)).toEqual([10, 3]);
    expect(readVolume(bytes).spacing).toEqual([1, 0.3, 5000]);
    const two = encodeTiff({ ...volume, spacing: [2, 2, 123.456] });
    expect(rationalTag(two, 283)).toEqual([1, 2]);
    expect(rationalTag(two, 282)).toEqual([125, 15432]);
    // The extremes uint32 terms hold; beyond them (clamped, 1e-12 was written as 2.3e-10) refused.
    const extreme = encodeTiff({ ...volume, spacing: [1, 2 ** -32 * 1.5, 2 ** 31] });
    expect(rationalTag(extreme, 283)).toEqual([2863311531, 1]); // 2³² / 1.5 rounded
    expect(rationalTag(extreme, 282)).toEqual([1, 2 ** 31]);
    for (const spacing of [
      [1, 1e-12, 1],
      [1, 1, 1e12],
    ] as [number, number, number][])
      expect(() => encodeTiff({ ...volume, spacing })).toThrow(
        /encodeTiff: 'volume.spacing' must be sizes a TIFF resolution holds/,
      );
  });

  it('spells µ in the unit as ImageJ does and refuses other non-ASCII characters', () => {
    // Masked to 7 bits, `µm` was written `unit=5m` (tifffile 2023.2.3 imagej_metadata['unit']
    // was '5m'); tifffile itself refuses a non-ASCII description.
    const volume: Volume = { data: new Uint8Array(8), shape: [2, 2, 2], spacing: [2, 0.5, 0.5] };
    for (const unit of ['µm', 'μm']) {
      const bytes = encodeTiff(volume, { unit });
      expect(new TextDecoder('latin1').decode(bytes)).toContain('unit=\\u00B5m\n');
      expect(readVolume(bytes).spacing).toEqual([2, 0.5, 0.5]);
    }
    for (const unit of ['Å', 'mm\t', 'a=b'])
      expect(() => encodeTiff(volume, { unit })).toThrow(/encodeTiff: 'options.unit' must be/);
  });

  const Float16 = (globalThis as { Float16Array?: new (n: number) => TypedArray }).Float16Array;
  it.skipIf(Float16 === undefined)('refuses a Float16Array (Node ≥ 24) it wrote as float64', () => {
    const data = new Float16!(8);
    expect(() => encodeTiff({ data, shape: [2, 2, 2] })).toThrow(
      /encodeTiff: 'volume.data' must be a typed array of a TIFF sample type/,
    );
  });

  it('rejects bad options', () => {
    expect(() => encodeTiff(ok, { compression: 'lzw' as never })).toThrow(
      /'options.compression' must be 'none' or 'deflate', got "lzw"/,
    );
    expect(() => encodeTiff(ok, { littleEndian: 1 as never })).toThrow(/'options.littleEndian'/);
    expect(() => encodeTiff(ok, 'deflate' as never)).toThrow(/'options' must be an object/);
  });
});
