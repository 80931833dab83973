import { checkBoolean, invalidArgument, UnsupportedError, withDefaults } from '@cellshape/core';
import { zlibSync } from 'fflate';
import type { Volume } from '../types.js';
import { assertVolume } from './assert-volume.js';
import { SAMPLE_TYPES, sampleKindOf } from './tiff-sample.js';

/** Compression of the pages written by {@link encodeTiff}. */
export type TiffCompression = 'none' | 'deflate';

/** Options of {@link encodeTiff}. */
export interface EncodeTiffOptions {
  /** Byte order of the file: little-endian (`II`) when true, big-endian (`MM`) when false. Default true. */
  littleEndian?: boolean;
  /** `'none'` (default) or `'deflate'` (zlib, TIFF compression 8, as tifffile's `'zlib'`). */
  compression?: TiffCompression;
  /**
   * The unit of `volume.spacing`, written as ImageJ's `unit=` (e.g. `'micron'`, or `'µm'`, written
   * `\u00B5m` as ImageJ does; printable ASCII and µ only) so readers
   * report a physical size. Default `''`: none written.
   */
  unit?: string;
  /**
   * What the pages are, in the ImageJ description: `'slices'` (default, z), or `'channels'` /
   * `'frames'` (a hyperstack; used for 2D multi-channel images and time series).
   */
  pages?: 'slices' | 'channels' | 'frames';
}

/** Defaults of {@link EncodeTiffOptions}. */
export const DEFAULT_ENCODE_TIFF_OPTIONS: Readonly<Required<EncodeTiffOptions>> = {
  littleEndian: true,
  compression: 'none',
  unit: '',
  pages: 'slices',
};

/** Validates and completes TIFF options (shared with `writeVolume`). */
export function resolveEncodeTiffOptions(
  fn: string,
  options: EncodeTiffOptions | undefined,
): Required<EncodeTiffOptions> {
  const resolved = withDefaults(fn, DEFAULT_ENCODE_TIFF_OPTIONS, options);
  checkBoolean(fn, 'options.littleEndian', resolved.littleEndian);
  // The description is ASCII: ImageJ spells µ `\u00B5` (written so below), and any other
  // character beyond ASCII has no spelling that ImageJ and tifffile both read (masked to 7 bits,
  // `µm` was written `5m` and `Å` `E`).
  if (typeof resolved.unit !== 'string' || !/^[\x20-\x3c\x3e-\x7eµμ]*$/.test(resolved.unit))
    throw invalidArgument(
      fn,
      'options.unit',
      'a string of printable ASCII characters and µ, without =',
      resolved.unit,
    );
  if (!['slices', 'channels', 'frames'].includes(resolved.pages))
    throw invalidArgument(fn, 'options.pages', "'slices', 'channels' or 'frames'", resolved.pages);
  switch (resolved.compression) {
    case 'none':
    case 'deflate':
      return resolved;
    default:
      throw invalidArgument(fn, 'options.compression', "'none' or 'deflate'", resolved.compression);
  }
}

const TYPE = { ascii: 2, short: 3, long: 4, rational: 5 } as const;

interface Entry {
  tag: number;
  type: (typeof TYPE)[keyof typeof TYPE];
  /** Inline value (SHORT or LONG, count 1). */
  value?: number;
  /** Out-of-line bytes (ASCII text or RATIONAL), written after the directory. */
  bytes?: Uint8Array;
  count?: number;
}

const UINT32_MAX = 0xffffffff;

/**
 * The resolution 1 / `spacing` (pixels per unit) as a TIFF RATIONAL (two uint32): the first
 * continued-fraction convergent h / k of `spacing` that divides back to `spacing` as a double
 * (as h / k and as 1 / (k / h)), or the closest one whose terms fit in uint32. Simple sizes are exact (spacing 2 → 1/2, 0.3 →
 * 10/3) so that tifffile's `resolution` and `denominator / numerator` give the spacing back; a
 * fixed denominator of ~2³² / value read 2 back as 1.9999999995 and 5000 as 5000.0027.
 */
function rational(spacing: number, littleEndian: boolean): Uint8Array {
  let [h0, k0, h1, k1] = [0, 1, 1, 0];
  let x = spacing;
  for (let i = 0; i < 64 && Number.isFinite(x); i++) {
    const a = Math.floor(x);
    const h2 = a * h1 + h0;
    const k2 = a * k1 + k0;
    if (h2 > UINT32_MAX || k2 > UINT32_MAX) break;
    [h0, k0, h1, k1] = [h1, k1, h2, k2];
    // Exact both as tifffile users (denominator / numerator) and as ImageJ (1 / (n / d)) divide.
    if (h1 / k1 === spacing && 1 / (k1 / h1) === spacing) break;
    x = 1 / (x - a);
  }
  // A spacing beyond what uint32 terms express (below 2⁻³² or above 2³² units): clamped to the
  // nearest bound, 1e-12 µm was written as 2.3e-10 µm.
  if (h1 === 0 || k1 === 0)
    throw invalidArgument(
      'encodeTiff',
      'volume.spacing',
      'sizes a TIFF resolution holds, between 2⁻³² and 2³² units (give them in another unit)',
      spacing,
    );
  const [numerator, denominator] = [k1, h1];
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, numerator, littleEndian);
  view.setUint32(4, denominator, littleEndian);
  return out;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length + 1); // NUL-terminated
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

/** One page's samples in the file's byte order. */
function pageBytes(volume: Volume, z: number, bytesPerSample: number, littleEndian: boolean) {
  const { data, shape } = volume;
  const length = shape[1] * shape[2] * bytesPerSample;
  const native = new Uint8Array(data.buffer, data.byteOffset + z * length, length);
  // Typed arrays are little-endian on every platform Node runs on.
  if (littleEndian || bytesPerSample === 1) return native;
  const swapped = new Uint8Array(length);
  for (let i = 0; i < length; i += bytesPerSample) {
    for (let b = 0; b < bytesPerSample; b++) swapped[i + b] = native[i + bytesPerSample - 1 - b]!;
  }
  return swapped;
}

const even = (n: number): number => n + (n & 1);

/** One strip per z slice: the page's samples in the file's byte order, deflated if asked. */
function encodeStrips(
  volume: Volume,
  bytesPerSample: number,
  littleEndian: boolean,
  compression: TiffCompression,
): Uint8Array[] {
  const strips: Uint8Array[] = [];
  for (let z = 0; z < volume.shape[0]; z++) {
    const raw = pageBytes(volume, z, bytesPerSample, littleEndian);
    strips.push(compression === 'deflate' ? zlibSync(raw, { level: 6 }) : raw);
  }
  return strips;
}

/** The ImageJ-style description of the first page. */
function imageJDescription(
  depth: number,
  spacing: Volume['spacing'],
  { unit, pages }: Pick<Required<EncodeTiffOptions>, 'unit' | 'pages'>,
): string {
  let description = 'ImageJ=1.11a\n';
  if (depth > 1) description += `images=${depth}\n${pages}=${depth}\n`;
  if (depth > 1 && pages !== 'slices') description += 'hyperstack=true\n';
  if (spacing && unit !== '') description += `unit=${unit.replace(/[µμ]/g, '\\u00B5')}\n`;
  if (spacing && pages === 'slices') description += `spacing=${spacing[0]}\n`;
  if (depth > 1) description += 'loop=false\n';
  return description;
}

/** What every page's directory holds, in tag order. */
interface PageFormat {
  width: number;
  height: number;
  bits: number;
  format: number;
  compression: TiffCompression;
  spacing: Volume['spacing'];
  description: string;
  littleEndian: boolean;
}

/** The directory entries of page `z` (the strip offset is filled in when writing). */
function pageEntries(page: PageFormat, strip: Uint8Array, z: number): Entry[] {
  const { width, height, spacing, littleEndian } = page;
  const entries: Entry[] = [
    { tag: 254, type: TYPE.long, value: 0 },
    { tag: 256, type: TYPE.long, value: width },
    { tag: 257, type: TYPE.long, value: height },
    { tag: 258, type: TYPE.short, value: page.bits },
    { tag: 259, type: TYPE.short, value: page.compression === 'deflate' ? 8 : 1 },
    { tag: 262, type: TYPE.short, value: 1 },
  ];
  if (z === 0) entries.push({ tag: 270, type: TYPE.ascii, bytes: ascii(page.description) });
  entries.push(
    { tag: 273, type: TYPE.long, value: 0 }, // strip offset, filled in below
    { tag: 277, type: TYPE.short, value: 1 },
    { tag: 278, type: TYPE.long, value: height },
    { tag: 279, type: TYPE.long, value: strip.length },
  );
  if (spacing) {
    entries.push(
      { tag: 282, type: TYPE.rational, bytes: rational(spacing[2], littleEndian), count: 1 },
      { tag: 283, type: TYPE.rational, bytes: rational(spacing[1], littleEndian), count: 1 },
    );
  }
  entries.push({ tag: 284, type: TYPE.short, value: 1 });
  if (spacing) entries.push({ tag: 296, type: TYPE.short, value: 1 });
  entries.push({ tag: 339, type: TYPE.short, value: page.format });
  return entries;
}

/** Layout: header, then per page its directory, its out-of-line values and its strip. */
function layoutPages(
  directories: Entry[][],
  strips: Uint8Array[],
): { starts: number[]; size: number } {
  let size = 8;
  const starts = directories.map((entries, z) => {
    const start = size;
    size += 2 + 12 * entries.length + 4;
    for (const entry of entries)
      if (entry.bytes && entry.bytes.length > 4) size += even(entry.bytes.length);
    size += even(strips[z]!.length);
    return start;
  });
  return { starts, size };
}

/** Writes one page at `start`: its directory, its out-of-line values, then its strip. */
function writePage(
  out: Uint8Array,
  view: DataView,
  entries: Entry[],
  start: number,
  next: number,
  strip: Uint8Array,
  le: boolean,
): void {
  let extra = start + 2 + 12 * entries.length + 4;
  const stripOffset =
    extra +
    entries.reduce((n, e) => n + (e.bytes && e.bytes.length > 4 ? even(e.bytes.length) : 0), 0);
  view.setUint16(start, entries.length, le);
  entries.forEach((entry, i) => {
    const at = start + 2 + 12 * i;
    view.setUint16(at, entry.tag, le);
    view.setUint16(at + 2, entry.type, le);
    if (entry.bytes) {
      view.setUint32(at + 4, entry.count ?? entry.bytes.length, le);
      if (entry.bytes.length <= 4) out.set(entry.bytes, at + 8);
      else {
        view.setUint32(at + 8, extra, le);
        out.set(entry.bytes, extra);
        extra += even(entry.bytes.length);
      }
    } else {
      view.setUint32(at + 4, 1, le);
      const value = entry.tag === 273 ? stripOffset : entry.value!;
      if (entry.type === TYPE.short) view.setUint16(at + 8, value, le);
      else view.setUint32(at + 8, value, le);
    }
  });
  view.setUint32(start + 2 + 12 * entries.length, next, le);
  out.set(strip, stripOffset);
}

/**
 * Encodes a volume as a multi-page grey-level TIFF: one page per z slice, one strip per page,
 * samples of the volume's own type (uint8, int8, uint16, int16, uint32, int32, float32,
 * float64; `Uint8ClampedArray` as uint8). The first page carries an ImageJ-style description
 * (`images=`, `slices=`, and `spacing=` for the z spacing when the volume has `spacing`);
 * X/YResolution then hold 1 / spacing along x and y, so {@link readVolume} (and ImageJ,
 * tifffile) get the voxel size back. Files are classic TIFF, so at most 4 GiB.
 */
export function encodeTiff(volume: Volume, options?: EncodeTiffOptions): Uint8Array {
  const fn = 'encodeTiff';
  assertVolume(fn, 'volume', volume);
  const resolved = resolveEncodeTiffOptions(fn, options);
  const { littleEndian, compression } = resolved;
  const [depth, height, width] = volume.shape;
  const type = SAMPLE_TYPES[sampleKindOf(volume.data)];
  // A view of another sample size (a Float16Array, where the runtime has one) was written as
  // float64, 8 bytes per sample read from a buffer of 2.
  if (volume.data.BYTES_PER_ELEMENT * 8 !== type.bits)
    throw invalidArgument(
      fn,
      'volume.data',
      'a typed array of a TIFF sample type (not Float16Array)',
      volume.data.constructor.name,
    );
  const strips = encodeStrips(volume, type.bits / 8, littleEndian, compression);
  const spacing = volume.spacing;
  const page: PageFormat = {
    width,
    height,
    bits: type.bits,
    format: type.format,
    compression,
    spacing,
    description: imageJDescription(depth, spacing, resolved),
    littleEndian,
  };
  const directories = strips.map((strip, z) => pageEntries(page, strip, z));
  const { starts, size } = layoutPages(directories, strips);
  if (size > 0xffffffff) {
    throw new UnsupportedError(
      `${fn}: the volume needs ${size} bytes, more than classic TIFF's 4 GiB (BigTIFF is not supported); write .npy instead`,
      { fn, arg: 'volume' },
    );
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const le = littleEndian;
  out.set(le ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  view.setUint16(2, 42, le);
  view.setUint32(4, starts[0]!, le);
  directories.forEach((entries, z) => {
    writePage(out, view, entries, starts[z]!, starts[z + 1] ?? 0, strips[z]!, le);
  });
  return out;
}
