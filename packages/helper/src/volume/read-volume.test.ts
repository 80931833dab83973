import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeNpy,
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  UnsupportedError,
} from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { readVolume } from './read-volume.js';
import { haveSharedData, SHARED_DATA } from './test-data.js';
import { encodeTiff } from './tiff-encode.js';

const tmp = mkdtempSync(join(tmpdir(), 'cellshape-read-volume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ramp = (n: number) => Uint16Array.from({ length: n }, (_, i) => i * 3);
const stack: Volume = { data: ramp(2 * 3 * 4), shape: [2, 3, 4] };

/** Offset of the first IFD entry with `tag` in a little-endian TIFF written by encodeTiff. */
function entryOffset(bytes: Uint8Array, tag: number, page = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ifd = view.getUint32(4, true);
  for (let p = 0; p < page; p++)
    ifd = view.getUint32(ifd + 2 + 12 * view.getUint16(ifd, true), true);
  for (let i = 0; i < view.getUint16(ifd, true); i++) {
    if (view.getUint16(ifd + 2 + 12 * i, true) === tag) return ifd + 2 + 12 * i;
  }
  throw new Error(`tag ${tag} not found`);
}

/** A copy of encodeTiff(stack) with the SHORT/LONG value of `tag` replaced on `pages`. */
function patched(tag: number, value: number, pages = [0]): Uint8Array {
  const bytes = encodeTiff(stack);
  const view = new DataView(bytes.buffer);
  for (const page of pages) {
    const at = entryOffset(bytes, tag, page);
    if (view.getUint16(at + 2, true) === 3) view.setUint16(at + 8, value, true);
    else view.setUint32(at + 8, value, true);
  }
  return bytes;
}

describe('readVolume: sources and formats', () => {
  it('reads a path, a Uint8Array and an ArrayBuffer alike', () => {
    const bytes = encodeTiff(stack);
    const path = join(tmp, 'stack.tif');
    writeFileSync(path, bytes);
    for (const source of [path, bytes, bytes.slice().buffer]) {
      const volume = readVolume(source);
      expect(volume.shape).toEqual([2, 3, 4]);
      expect(volume.data).toEqual(stack.data);
    }
  });

  it('detects the format from magic bytes, whatever the extension', () => {
    const path = join(tmp, 'stack.data');
    writeFileSync(path, encodeNpy({ data: stack.data, shape: [2, 3, 4] }));
    expect(readVolume(path).data).toEqual(stack.data);
    const tif = join(tmp, 'really-a-tiff.npy');
    writeFileSync(tif, encodeTiff(stack));
    expect(readVolume(tif).shape).toEqual([2, 3, 4]);
    expect(() => readVolume(tif, { format: 'npy' })).toThrow(FormatError);
  });

  it('reads .npy: 2-D as [1, y, x], 3-D as is, bool as uint8, int64 narrowed to int32', () => {
    const flat = readVolume(
      encodeNpy({ data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] }),
    );
    expect(flat.shape).toEqual([1, 2, 3]);
    expect(flat.data).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(flat.spacing).toBeUndefined();
    const labels = readVolume(
      encodeNpy({ data: new BigInt64Array([0n, 7n, -3n, 2147483647n]), shape: [1, 2, 2] }),
    );
    expect(labels.data).toEqual(new Int32Array([0, 7, -3, 2147483647]));
    const unsigned = readVolume(
      encodeNpy({ data: new BigUint64Array([4294967295n]), shape: [1, 1] }),
    );
    expect(unsigned.data).toEqual(new Uint32Array([4294967295]));
    // A hand-written bool .npy (NumPy's '|b1'), as np.save writes masks.
    const header = "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }";
    const padded = `${header}${' '.repeat(64 - ((10 + header.length + 1) % 64))}\n`;
    const bool = new Uint8Array([
      0x93,
      78,
      85,
      77,
      80,
      89,
      1,
      0,
      padded.length,
      0,
      ...Buffer.from(padded),
      0,
      1,
      1,
      0,
    ]);
    const mask = readVolume(bool);
    expect(mask.data).toEqual(new Uint8Array([0, 1, 1, 0]));
    expect(mask.shape).toEqual([1, 2, 2]);
  });

  it('reads WhiteIsZero images inverted, as ImageJ displays them', () => {
    const inverted = readVolume(patched(262, 0, [0, 1]));
    expect(Array.from(inverted.data)).toEqual(Array.from(stack.data, (v) => 65535 - v));
  });

  it('reads a page without PhotometricInterpretation as BlackIsZero, as libtiff and tifffile do', () => {
    const bytes = encodeTiff(stack);
    const view = new DataView(bytes.buffer);
    // Renamed to Threshholding (263, ignored), so the directory stays sorted.
    for (const page of [0, 1]) view.setUint16(entryOffset(bytes, 262, page), 263, true);
    expect(Array.from(readVolume(bytes).data)).toEqual(Array.from(stack.data));
  });

  it('keeps the x/y spacing of a 2-D image', () => {
    const volume: Volume = { data: new Uint8Array(4), shape: [1, 2, 2], spacing: [1, 0.5, 0.25] };
    const bytes = encodeTiff(volume);
    const back = readVolume(bytes);
    expect(back.spacing?.[0]).toBe(1);
    expect(back.spacing?.[1]).toBeCloseTo(0.5, 9);
    expect(back.spacing?.[2]).toBeCloseTo(0.25, 9);
  });
});

describe('readVolume: invalid input', () => {
  it('rejects bad arguments', () => {
    expect(() => readVolume(42 as never)).toThrow(InvalidArgumentError);
    expect(() => readVolume('')).toThrow(/'source' must be a non-empty path/);
    expect(() => readVolume(encodeTiff(stack), { format: 'png' as never })).toThrow(
      /'options.format' must be 'auto', 'tiff' or 'npy', got "png"/,
    );
    expect(() => readVolume(encodeTiff(stack), 'tiff' as never)).toThrow(/'options'/);
  });

  it('throws FileSystemError for a missing file or a folder', () => {
    const missing = join(tmp, 'nope.tif');
    expect(() => readVolume(missing)).toThrow(FileSystemError);
    expect(() => readVolume(missing)).toThrow(/readVolume: cannot read ".*nope.tif" \(ENOENT/);
    expect(() => readVolume(tmp)).toThrow(FileSystemError);
  });

  it('throws FormatError for empty, unknown and truncated bytes', () => {
    const empty = join(tmp, 'empty.tif');
    writeFileSync(empty, new Uint8Array(0));
    expect(() => readVolume(empty)).toThrow(/readVolume: ".*empty.tif" is empty/);
    expect(() => readVolume(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]))).toThrow(
      /neither a TIFF nor a .npy file/,
    );
    const bytes = encodeTiff(stack);
    // Cut inside the header, the first directory, the first strip, the last directory.
    for (const length of [5, 20, bytes.length - 30, bytes.length - 5]) {
      expect(() => readVolume(bytes.subarray(0, length)), `cut at ${length}`).toThrow(FormatError);
    }
    const path = join(tmp, 'cut.tif');
    writeFileSync(path, bytes.subarray(0, 100));
    expect(() => readVolume(path)).toThrow(/readVolume: ".*cut.tif" is not a readable TIFF/);
    expect(() => readVolume(new Uint8Array([0x49, 0x49, 41, 0, 8, 0, 0, 0]))).toThrow(
      /version number is 41/,
    );
    const npy = encodeNpy({ data: new Float64Array(8), shape: [2, 4] });
    expect(() => readVolume(npy.subarray(0, npy.length - 1))).toThrow(
      /readVolume: the given bytes is not a readable .npy file: the .npy file is truncated/,
    );
    expect(() => readVolume(encodeNpy({ data: new Uint8Array(16), shape: [2, 2, 2, 2] }))).toThrow(
      /shape \[2, 2, 2, 2\]; a volume needs a non-empty 2-D/,
    );
    expect(() => readVolume(encodeNpy({ data: new Uint8Array(0), shape: [0, 3] }))).toThrow(
      FormatError,
    );
  });

  it('throws FormatError for a corrupt Deflate strip and a looping directory chain', () => {
    const deflated = encodeTiff(stack, { compression: 'deflate' });
    const strip = new DataView(deflated.buffer).getUint32(entryOffset(deflated, 273) + 8, true);
    const corrupt = deflated.slice();
    corrupt.fill(0xff, strip, strip + 6);
    expect(() => readVolume(corrupt)).toThrow(FormatError);
    const looping = encodeTiff(stack);
    const view = new DataView(looping.buffer);
    const first = view.getUint32(4, true);
    const second = view.getUint32(first + 2 + 12 * view.getUint16(first, true), true);
    view.setUint32(second + 2 + 12 * view.getUint16(second, true), first, true);
    expect(() => readVolume(looping)).toThrow(/chain of image directories loops/);
  });

  it('throws FormatError when pages differ in size', () => {
    expect(() => readVolume(patched(256, 2, [1]))).toThrow(
      /page 2 is 2×3 uint16 but page 1 is 4×3 uint16/,
    );
  });

  it('reads PackBits stacks of 8-bit, 16-bit and float samples (files written by Pillow)', () => {
    // Fixtures: Pillow 9.4 `Image.save(..., compression='packbits')`; the values are formulas
    // recomputed here, with one constant row each so the files hold replicate runs too.
    const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
    const u8 = readVolume(readFileSync(fixture('packbits-uint8-3x20x30.tif')));
    expect(u8.shape).toEqual([3, 20, 30]);
    for (let z = 0; z < 3; z++) {
      for (let i = 0; i < 600; i++) {
        const expected =
          Math.floor(i / 30) === 5 && z === 0 ? 7 : Math.floor((i * (z + 1)) / 5) % 256;
        if (u8.data[z * 600 + i] !== expected)
          throw new Error(`uint8 PackBits mismatch at ${z},${i}`);
      }
    }
    const u16 = readVolume(readFileSync(fixture('packbits-uint16-16x24.tif')));
    expect(u16.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(u16.data)).toEqual(
      Array.from({ length: 384 }, (_, i) => (Math.floor(i / 24) === 3 ? 1234 : (i * 37) % 65536)),
    );
    const f32 = readVolume(readFileSync(fixture('packbits-float32-16x24.tif')));
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual(
      Array.from({ length: 384 }, (_, i) => (Math.floor(i / 24) === 2 ? 0.5 : Math.fround(i / 7))),
    );
  });

  it('throws UnsupportedError for RGB, LZMA, JPEG, float16, BigTIFF and hyperstacks', () => {
    expect(() => readVolume(patched(277, 3))).toThrow(UnsupportedError);
    expect(() => readVolume(patched(277, 3))).toThrow(/3 samples per pixel/);
    expect(() => readVolume(patched(259, 34925))).toThrow(/LZMA compression/);
    expect(() => readVolume(patched(259, 7))).toThrow(/JPEG compression/);
    expect(() => readVolume(patched(339, 3))).toThrow(/16-bit samples of SampleFormat 3/);
    expect(() => readVolume(patched(262, 2))).toThrow(/PhotometricInterpretation 2/);
    expect(() => readVolume(new Uint8Array([0x49, 0x49, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
      /BigTIFF/,
    );
    const int32 = encodeTiff({ data: new Int32Array(4), shape: [1, 2, 2] });
    const at = entryOffset(int32, 259);
    new DataView(int32.buffer).setUint16(at + 8, 50000, true);
    expect(() => readVolume(int32)).toThrow(/Zstandard compression, which is not supported/);
  });
});

const DATA = SHARED_DATA;
const HAVE_DATA = haveSharedData('readVolume real-file tests', 'masks3d', 'images2d');

// Expected sums and voxel values from tifffile.imread + numpy on the same files.
describe.skipIf(!HAVE_DATA)('readVolume: real files', () => {
  const sum = (volume: Volume) => {
    let total = 0;
    for (const v of volume.data) total += v;
    return total;
  };
  it('reads the big-endian QCANet binary mask (51 × 120 × 122 uint8, 0/255)', () => {
    const mask = readVolume(join(DATA, 'masks3d/qcanet_16cell_nuclei_binary.tif'));
    expect(mask.shape).toEqual([51, 120, 122]);
    expect(mask.data).toBeInstanceOf(Uint8Array);
    expect(new Set(mask.data)).toEqual(new Set([0, 255]));
    expect(sum(mask) / 255).toBe(27914);
    expect(mask.spacing).toBeUndefined(); // the ImageJ description has no calibration
  });
  it('reads the big-endian QCANet raw uint16 stack', () => {
    const raw = readVolume(join(DATA, 'masks3d/qcanet_16cell_raw_uint16.tif'));
    expect(raw.shape).toEqual([51, 120, 122]);
    expect(raw.data).toBeInstanceOf(Uint16Array);
    expect(sum(raw)).toBe(91480180);
    expect(raw.data[(25 * 120 + 60) * 122 + 61]).toBe(220);
  });
  it('reads little-endian 2-D uint16 images (one strip, and many 4-row strips)', () => {
    const img = readVolume(join(DATA, 'images2d/stardist_dsb2018_img2d.tif'));
    expect(img.shape).toEqual([1, 512, 512]);
    expect(sum(img)).toBe(8331268);
    expect(img.data[100 * 512 + 200]).toBe(26);
    const phase = readVolume(join(DATA, 'images2d/usiigaci_T98G_phase_t01.tif'));
    expect(phase.shape).toEqual([1, 1022, 1024]);
    expect(sum(phase)).toBe(34143663448);
    expect(phase.data[500 * 1024 + 700]).toBe(33770);
  });
});

describe('metadata numbers (issue 17 second review)', () => {
  it('reads a hexadecimal, binary or octal ImageJ spacing as absent, not as a number', () => {
    // Number() read "spacing=0b11" as 3; ImageJ and tifffile do not read it as a number.
    const volume: Volume = { data: new Uint8Array(8), shape: [2, 2, 2], spacing: [3.25, 1, 1] };
    const bytes = encodeTiff(volume);
    expect(readVolume(bytes).spacing).toEqual([3.25, 1, 1]);
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf('spacing=3.25');
    expect(at).toBeGreaterThan(0);
    const edited = bytes.slice();
    edited.set(new TextEncoder().encode('spacing=0b11'), at);
    expect(readVolume(edited).spacing).toEqual([1, 1, 1]);
  });
});
