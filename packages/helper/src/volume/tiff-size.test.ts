import { FormatError, InvalidArgumentError, UnsupportedError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { readVolume } from './read-volume.js';
import { encodeTiff } from './tiff-encode.js';
import { tiffText } from './tiff-read.js';

// Declared image sizes that the bytes present cannot fill (issue 17, cause 6).

const ramp = (n: number) => Uint16Array.from({ length: n }, (_, i) => i * 3);

/** Sets `tag` to the LONG `value` on every page of a little-endian TIFF. */
function setTag(bytes: Uint8Array, tag: number, value: number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  let ifd = view.getUint32(4, true);
  while (ifd !== 0) {
    const n = view.getUint16(ifd, true);
    let found = false;
    for (let i = 0; i < n; i++) {
      const at = ifd + 2 + 12 * i;
      if (view.getUint16(at, true) !== tag) continue;
      view.setUint16(at + 2, 4, true); // LONG
      view.setUint32(at + 4, 1, true);
      view.setUint32(at + 8, value, true);
      found = true;
    }
    expect(found).toBe(true);
    ifd = view.getUint32(ifd + 2 + 12 * n, true);
  }
  return out;
}

/**
 * A tiled little-endian uint16 TIFF of one `height`×`width` page in 16×16 tiles (what tifffile
 * writes with `tile=(16, 16)`); our encoder writes strips only.
 */
function tiledTiff(width: number, height: number, values: Uint16Array): Uint8Array {
  const T = 16;
  const across = Math.ceil(width / T);
  const down = Math.ceil(height / T);
  const tiles = across * down;
  const tileBytes = T * T * 2;
  const entries: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 16],
    [259, 3, 1],
    [262, 3, 1],
    [277, 3, 1],
    [322, 3, T],
    [323, 3, T],
    [324, 4, 0], // TileOffsets, patched below
    [325, 4, 0], // TileByteCounts, patched below
    [339, 3, 1],
  ];
  const ifd = 8;
  const ifdSize = 2 + 12 * entries.length + 4;
  const arrays = ifd + ifdSize;
  const data = arrays + 8 * tiles;
  const out = new Uint8Array(data + tiles * tileBytes);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x4949);
  view.setUint16(2, 42, true);
  view.setUint32(4, ifd, true);
  view.setUint16(ifd, entries.length, true);
  entries.forEach(([tag, type, value], i) => {
    const at = ifd + 2 + 12 * i;
    const many = (tag === 324 || tag === 325) && tiles > 1;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, tag === 324 || tag === 325 ? tiles : 1, true);
    if (tag === 324) view.setUint32(at + 8, many ? arrays : data, true);
    else if (tag === 325) view.setUint32(at + 8, many ? arrays + 4 * tiles : tileBytes, true);
    else if (type === 3) view.setUint16(at + 8, value, true);
    else view.setUint32(at + 8, value, true);
  });
  for (let t = 0; t < tiles; t++) {
    view.setUint32(arrays + 4 * t, data + t * tileBytes, true);
    view.setUint32(arrays + 4 * (tiles + t), tileBytes, true);
    const tx = t % across;
    const ty = Math.floor(t / across);
    for (let y = 0; y < T; y++)
      for (let x = 0; x < T; x++) {
        const [gy, gx] = [ty * T + y, tx * T + x];
        const v = gy < height && gx < width ? (values[gy * width + gx] as number) : 0;
        view.setUint16(data + t * tileBytes + 2 * (y * T + x), v, true);
      }
  }
  return out;
}

describe('readVolume on TIFF sizes the bytes cannot fill', () => {
  const stack: Volume = { data: ramp(2 * 4 * 5), shape: [2, 4, 5] };

  it('refuses a strip TIFF whose width was enlarged, naming the file and the page', () => {
    for (const compression of ['none', 'deflate'] as const) {
      const bytes = setTag(encodeTiff(stack, { compression }), 256, 100_000);
      expect(() => readVolume(bytes)).toThrow(FormatError);
      expect(() => readVolume(bytes)).toThrow(
        /readVolume: the given bytes is not a readable TIFF: page 1 declares 100000×4 uint16 pixels \(800000 bytes\) but its strips hold \d+ bytes, too few/,
      );
    }
  });

  it('refuses a huge ImageWidth and ImageLength before allocating (no RangeError)', () => {
    const huge = setTag(setTag(encodeTiff(stack), 256, 0xffff_ffff), 257, 0xffff);
    expect(() => readVolume(huge)).toThrow(FormatError);
    expect(() => readVolume(huge)).toThrow(
      /declares 2×65535×4294967295 = \d+ voxels, more than maxVoxels = 2147483648/,
    );
    // Raising the limit still leaves the strip and byte checks.
    expect(() => readVolume(huge, { maxVoxels: Number.MAX_SAFE_INTEGER })).toThrow(
      'page 1 declares 4294967295×65535 pixels, which need 16384 strips, but it has 1 strip offsets',
    );
    const oneStrip = setTag(huge, 278, 0xffff_ffff);
    expect(() => readVolume(oneStrip, { maxVoxels: Number.MAX_SAFE_INTEGER })).toThrow(
      /page 1 declares 4294967295×65535 uint16 pixels \(562941363355650 bytes\) but its strips hold 40 bytes, too few/,
    );
  });

  it('applies options.maxVoxels and validates it', () => {
    const bytes = encodeTiff(stack);
    expect(readVolume(bytes, { maxVoxels: 40 }).shape).toEqual([2, 4, 5]);
    expect(() => readVolume(bytes, { maxVoxels: 39 })).toThrow(
      /40 voxels, more than maxVoxels = 39/,
    );
    for (const bad of [0, -1, 1.5, Number.NaN, '40'])
      expect(() => readVolume(bytes, { maxVoxels: bad as number })).toThrow(InvalidArgumentError);
  });

  it('reads a valid tiled uint16 TIFF identically, and refuses one whose width was enlarged', () => {
    const values = ramp(20 * 20);
    const tiled = tiledTiff(20, 20, values);
    const volume = readVolume(tiled);
    expect(volume.shape).toEqual([1, 20, 20]);
    expect(Array.from(volume.data)).toEqual(Array.from(values));
    const wide = setTag(tiled, 256, 100_000);
    expect(() => readVolume(wide)).toThrow(FormatError);
    expect(() => readVolume(wide)).toThrow(
      'readVolume: the given bytes is not a readable TIFF: page 1 declares 100000×20 pixels, which need 12500 tiles, but it has 4 tile offsets',
    );
  });

  it('still reads valid strip TIFFs identically', () => {
    for (const compression of ['none', 'deflate'] as const) {
      const volume = readVolume(encodeTiff(stack, { compression }));
      expect(volume.shape).toEqual([2, 4, 5]);
      expect(Array.from(volume.data)).toEqual(Array.from(stack.data));
    }
  });
});

/**
 * A stack of `pages` copies of the one IFD of `single` (each pointing at the same strips), the
 * copies appended after the original bytes and chained.
 */
function repeatPage(single: Uint8Array, pages: number): Uint8Array {
  const view = new DataView(single.buffer, single.byteOffset, single.byteLength);
  const ifd = view.getUint32(4, true);
  const n = view.getUint16(ifd, true);
  const size = 2 + 12 * n + 4;
  const out = new Uint8Array(single.length + pages * size);
  out.set(single);
  const o = new DataView(out.buffer);
  for (let p = 0; p < pages; p++) {
    const at = single.length + p * size;
    out.set(single.subarray(ifd, ifd + size), at);
    o.setUint32(at + size - 4, p + 1 < pages ? at + size : 0, true);
  }
  o.setUint32(4, single.length, true);
  return out;
}

describe('readVolume on TIFF pages that share their data (found by the fuzz suite)', () => {
  it('refuses pages repeating one Deflate strip before allocating the whole stack', () => {
    // 8 MB of float64 zeros deflate to ~8 KB; 50 pages of it would allocate 400 MB from 16 KB.
    const W = 1024;
    const single = encodeTiff({ data: new Float64Array(W * W), shape: [1, W, W] } as Volume, {
      compression: 'deflate',
    });
    const bytes = repeatPage(single, 50);
    expect(bytes.length).toBeLessThan(20_000);
    expect(() => readVolume(bytes)).toThrow(FormatError);
    expect(() => readVolume(bytes)).toThrow(
      /^readVolume: the given bytes is not a readable TIFF: its 50 pages declare 419430400 bytes of pixels, but their strips and tiles share bytes and hold only \d+ distinct bytes, too few even at 1032:1/,
    );
  });

  it('refuses uncompressed pages sharing a strip, and still reads distinct pages', () => {
    const page = { data: ramp(20), shape: [1, 4, 5] } as Volume;
    expect(() => readVolume(repeatPage(encodeTiff(page), 2))).toThrow(/share bytes/);
    const stack = { data: ramp(40), shape: [2, 4, 5] } as Volume;
    expect(Array.from(readVolume(encodeTiff(stack)).data)).toEqual(Array.from(stack.data));
  });
});

describe('readVolume on tag counts the bytes cannot hold (found by the fuzz suite)', () => {
  it('refuses a tag claiming 16 million values in a small file, before the decoder allocates them', () => {
    const bytes = encodeTiff({ data: ramp(24), shape: [1, 4, 6] } as Volume).slice();
    const view = new DataView(bytes.buffer);
    const ifd = view.getUint32(4, true);
    // The first entry whose values sit outside it (more than 4 bytes) gets a huge count.
    let patched = -1;
    for (let i = 0; i < view.getUint16(ifd, true) && patched < 0; i++) {
      const at = ifd + 2 + 12 * i;
      if (view.getUint16(at + 2, true) === 2 || view.getUint32(at + 4, true) > 1) {
        view.setUint32(at + 4, 2 ** 24, true);
        patched = view.getUint16(at, true);
      }
    }
    expect(patched).toBeGreaterThan(0);
    expect(() => readVolume(bytes, { format: 'tiff' })).toThrow(FormatError);
    expect(() => readVolume(bytes, { format: 'tiff' })).toThrow(
      new RegExp(
        `tag ${patched} of image directory 1 claims \\d+ bytes at offset \\d+, past the end`,
      ),
    );
  });
});

describe('readVolume on TIFFs of very many pages', () => {
  it('reads 150,000 one-pixel pages in linear time, without a call stack overflow', () => {
    // Before: the decoder's page selection was quadratic in the pages, and a spread of one
    // value per page overflowed the call stack past ~125,000 pages (an untyped RangeError).
    const n = 150_000;
    const data = Uint8Array.from({ length: n }, (_, i) => i % 251);
    const volume = readVolume(encodeTiff({ data, shape: [n, 1, 1] }));
    expect(volume.shape).toEqual([n, 1, 1]);
    expect(volume.data).toEqual(data);
  }, 60_000);
});

type Entry = [tag: number, type: number, count: number, value: number];
/**
 * A 2×2 uint8 little-endian TIFF: the pixels at byte 8, `data` at byte 12, the image
 * directory after it with the basic entries and `extra` ones (values are offsets or the value
 * itself; `ifd` stands for the directory's own offset), then `tail` (more directories) whose
 * offsets `tailAt(i)` are relative to the end of the main directory.
 */
function tiff(extra: Entry[], data = new Uint8Array(0), tail: Uint8Array[] = []): Uint8Array {
  const basic: Entry[] = [
    [256, 3, 1, 2],
    [257, 3, 1, 2],
    [258, 3, 1, 8],
    [259, 3, 1, 1],
    [262, 3, 1, 1],
    [273, 4, 1, 8],
    [278, 3, 1, 2],
    [279, 4, 1, 4],
  ];
  // An extra entry of a basic tag replaces it.
  const kept = basic.filter(([tag]) => !extra.some((entry) => entry[0] === tag));
  const entries = [...kept, ...extra].sort((a, b) => a[0] - b[0]);
  const ifd = 12 + data.length + (data.length % 2);
  const end = ifd + 2 + 12 * entries.length + 4;
  const out = new Uint8Array(end + tail.reduce((n, t) => n + t.length, 0));
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, ifd, true);
  out.set([1, 2, 3, 4], 8);
  out.set(data, 12);
  view.setUint16(ifd, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifd + 2 + 12 * i;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    const resolved = value === IFD ? ifd : value === TAIL ? end : value;
    if (type === 3 && count === 1) view.setUint16(at + 8, resolved, true);
    else view.setUint32(at + 8, resolved, true);
  });
  let at = end;
  for (const t of tail) {
    out.set(t, at);
    at += t.length;
  }
  return out;
}
const IFD = -1;
const TAIL = -2;

describe('readVolume: OME descriptions parsed in linear time (issue 17, adversarial review)', () => {
  /** A 2×2 uint8 little-endian TIFF whose ImageDescription is `description`. */
  function describedTiff(description: string): Uint8Array {
    const text = new TextEncoder().encode(`${description}\0`);
    return tiff([[270, 2, text.length, 12]], text); // ImageDescription, after the pixels
  }

  it('refuses a description of more planes than the file holds (independent probe, session 10)', () => {
    // A cut chain of directories (an interrupted write) left a tifffile stack of 5 planes with 4
    // pages: read as they were, the stack came back short without a word.
    expect(() => readVolume(describedTiff('{"shape": [3, 2, 2]}'))).toThrow(FormatError);
    expect(() => readVolume(describedTiff('{"shape": [3, 2, 2]}'))).toThrow(
      /^readVolume: the given bytes is not a readable TIFF: its tifffile description declares 3 planes but the file holds 1 page \(truncated\?\)$/,
    );
    expect(readVolume(describedTiff('{"shape": [2, 2]}')).shape).toEqual([1, 2, 2]);
    // The planes of a multi-file OME-TIFF are in its other files.
    const part = describedTiff('<OME><Pixels SizeZ="4" SizeC="1" SizeT="1"/></OME>');
    expect(() => readVolume(part)).toThrow(UnsupportedError);
    expect(() => readVolume(part)).toThrow(
      /: its OME-XML describes 4 planes but the file holds 1 page \(a multi-file OME-TIFF, or pages lost\); only images whole in one file are read$/,
    );
    expect(readVolume(describedTiff('<OME><Pixels SizeZ="1"/></OME>')).shape).toEqual([1, 2, 2]);
  });

  it('reads OME PhysicalSize attributes', () => {
    const ome =
      '<OME><Image><ome:Pixels SizeZ="1" PhysicalSizeX="0.5" PhysicalSizeY = "0.25"/></Image></OME>';
    const volume = readVolume(describedTiff(ome));
    expect(Array.from(volume.data)).toEqual([1, 2, 3, 4]);
    expect(volume.spacing).toEqual([1, 0.25, 0.5]);
  });

  it('gives OME sizes stated in different units in the unit of x (independent campaign)', () => {
    // tifffile writes PhysicalSizeXUnit="nm" beside a Y and Z in the default µm: read as is, the
    // spacing was [0.3, 0.2, 0.1], the voxel 1000× too thin in x.
    const mixed =
      '<OME><Pixels PhysicalSizeX="0.1" PhysicalSizeXUnit="nm" PhysicalSizeY="0.2" PhysicalSizeZ="0.3" PhysicalSizeZUnit="mm"/></OME>';
    expect(readVolume(describedTiff(mixed)).spacing).toEqual([300000, 200, 0.1]);
    // A unit that cannot be converted leaves the volume uncalibrated.
    const odd =
      '<OME><Pixels PhysicalSizeX="0.1" PhysicalSizeYUnit="furlong" PhysicalSizeY="2"/></OME>';
    expect(readVolume(describedTiff(odd)).spacing).toBeUndefined();
    const same =
      '<OME><Pixels PhysicalSizeX="0.1" PhysicalSizeXUnit="nm" PhysicalSizeYUnit="nm" PhysicalSizeY="2"/></OME>';
    expect(readVolume(describedTiff(same)).spacing).toEqual([1, 2, 0.1]);
  });

  it('reads OME-XML as UTF-8, so an x in "µm" beside a y in the default µm calibrates (third review)', () => {
    // The decoder reads each byte as a character: "µm" (UTF-8 C2 B5) came back as "Âµm", a unit
    // that converts to nothing, and the volume was left uncalibrated.
    const ome =
      '<OME><Pixels SizeZ="1" PhysicalSizeX="0.5" PhysicalSizeXUnit="µm" PhysicalSizeY="0.25"/></OME>';
    expect(readVolume(describedTiff(ome)).spacing).toEqual([1, 0.25, 0.5]);
    expect(tiffText('Âµm')).toBe('µm');
    expect(tiffText(['<OME/>', 'second'])).toBe('<OME/>');
    // Bytes that are not UTF-8 stay one character each; other values are no text.
    expect(tiffText('unit=µm')).toBe('unit=µm');
    expect(tiffText(42)).toBeUndefined();
  });

  it('gives ImageJ sizes of an axis with its own unit (zunit=, yunit=) in the unit of x (third review)', () => {
    // ImageJ writes `zunit=nm` beside `unit=micron` when z has its own unit: spacing=500 was
    // read as 500 µm, the voxel 1000× too deep.
    const spacing = (lines: string) => readVolume(describedTiff(`ImageJ=1.53\n${lines}`)).spacing;
    expect(spacing('unit=micron\nzunit=nm\nspacing=500\n')).toEqual([0.5, 1, 1]);
    expect(spacing('unit=nm\nzunit=\\u00B5m\nspacing=0.5\n')).toEqual([500, 1, 1]);
    expect(spacing('unit=micron\nzunit=micron\nspacing=2\n')).toEqual([2, 1, 1]);
    // A z unit that does not convert to x's leaves the volume uncalibrated.
    expect(spacing('unit=micron\nzunit=pixel\nspacing=2\n')).toBeUndefined();
  });

  it('reads descriptions that made the OME regular expressions quadratic', () => {
    // A 100 KB word inside <Pixels …> (each letter retried `(\w+)\s*=`), and 100 KB of
    // `<Pixels ` with no `>` (each retried `[^>]*>` to the end): seconds each before.
    for (const description of [
      `<OME><Pixels ${'a'.repeat(100_000)} PhysicalSizeX="2"></Pixels></OME>`,
      '<Pixels '.repeat(12_500),
    ]) {
      const volume = readVolume(describedTiff(description));
      expect(Array.from(volume.data)).toEqual([1, 2, 3, 4]);
      expect(volume.spacing).toEqual(description.startsWith('<OME>') ? [1, 1, 2] : undefined);
    }
  });
});

describe('readVolume: directory entries that claim more than the file (issue 17, adversarial review)', () => {
  /** A directory of `entries` BYTE entries of `count` values at `offset`, placed at the tail. */
  const directory = (entries: Entry[]): Uint8Array => {
    const out = new Uint8Array(2 + 12 * entries.length + 4);
    const view = new DataView(out.buffer);
    view.setUint16(0, entries.length, true);
    entries.forEach(([tag, type, count, value], i) => {
      view.setUint16(2 + 12 * i, tag, true);
      view.setUint16(4 + 12 * i, type, true);
      view.setUint32(6 + 12 * i, count, true);
      view.setUint32(10 + 12 * i, value, true);
    });
    return out;
  };

  it('reads a file with private tags and an EXIF directory', () => {
    const data = new TextEncoder().encode('private tag values');
    const exif = directory([[0x9003, 2, 4, 0x3a303032]]); // DateTimeOriginal "200:" (fits)
    const bytes = tiff(
      [
        [40000, 1, data.length, 12],
        [0x8769, 4, 1, TAIL],
      ],
      data,
      [exif],
    );
    expect(Array.from(readVolume(bytes).data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses entries whose values repeat the same bytes far beyond the file', () => {
    // 2,000 private tags each claiming the same 64 KB: the decoder copied 128 MB (10,000 × 128
    // KB: 1.3 GB and 3.7 s from a 250 KB file).
    const data = new Uint8Array(65_536);
    const extra = Array.from({ length: 2000 }, (_, t): Entry => [1000 + t, 1, data.length, 12]);
    const bytes = tiff(extra, data);
    expect(() => readVolume(bytes)).toThrow(FormatError);
    expect(() => readVolume(bytes)).toThrow(
      `readVolume: the given bytes is not a readable TIFF: the entries of its image directories claim ${2000 * 65_536} bytes of values, more than twice the ${bytes.length}-byte file (entries repeating the same data)`,
    );
    // Twice over is tolerated (pages may share a table).
    expect(Array.from(readVolume(tiff(extra.slice(0, 2), data)).data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses FillOrder 2 (bits reversed in every byte) instead of reading it as 1', () => {
    // tifffile reads [1, 2, 3, 4] stored with FillOrder 2 as [128, 64, 192, 32]; we read [1, 2, 3, 4].
    const reversed = tiff([[266, 3, 1, 2]]);
    expect(() => readVolume(reversed)).toThrow(UnsupportedError);
    expect(() => readVolume(reversed)).toThrow(
      /^readVolume: the given bytes: page 1 has FillOrder 2; only the default \(1, most significant bit first\) is supported$/,
    );
    expect(Array.from(readVolume(tiff([[266, 3, 1, 1]])).data)).toEqual([1, 2, 3, 4]);
  });

  it('reads the first of a tag repeated in an image directory, as libtiff and tifffile', () => {
    // The decoder keeps the last: uint8 pixels [1, 2, 3, 4] stored as SampleFormat 1 then 2 came
    // back as int8 (so such files were refused, and with them every file tifffile writes with a
    // description: it adds a second ImageDescription, its shape).
    const twice = tiff([
      [339, 3, 1, 1],
      [339, 3, 1, 2],
    ]);
    const copy = twice.slice();
    const volume = readVolume(twice);
    expect(volume.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(volume.data)).toEqual([1, 2, 3, 4]);
    expect(twice).toEqual(copy); // the caller's bytes are not changed
    const reversed = tiff([
      [339, 3, 1, 2],
      [339, 3, 1, 1],
    ]);
    expect(readVolume(reversed).data).toBeInstanceOf(Int8Array);
    // A later copy is not checked (nothing reads it); the first is.
    expect(
      readVolume(
        tiff([
          [258, 3, 1, 8],
          [258, 2, 1, 0],
        ]),
      ).data,
    ).toBeInstanceOf(Uint8Array);
    expect(() =>
      readVolume(
        tiff([
          [258, 2, 1, 0],
          [258, 3, 1, 8],
        ]),
      ),
    ).toThrow(/tag 258 of image directory 1 holds 1 values of type 2, not one or more integers$/);
  });

  it('refuses volumetric pages (ImageDepth above 1) instead of reading their first plane', () => {
    // tifffile's `imwrite(..., volumetric=True)` writes a 4×9×11 volume as one page of ImageDepth
    // 4 (tag 32997): read as a 9×11 plane, three quarters of the volume were dropped.
    const volumetric = tiff([[32997, 4, 1, 4]]);
    expect(() => readVolume(volumetric)).toThrow(UnsupportedError);
    expect(() => readVolume(volumetric)).toThrow(
      /^readVolume: the given bytes: page 1 has ImageDepth 4 \(a volumetric page\); only pages of one plane are supported$/,
    );
    expect(Array.from(readVolume(tiff([[32997, 4, 1, 1]])).data)).toEqual([1, 2, 3, 4]);
  });

  it('checks the EXIF and GPS directories the decoder reads: loops, bad offsets, entries', () => {
    // An EXIF directory naming its own directory made the decoder recurse until the stack ran out.
    expect(() => readVolume(tiff([[0x8769, 4, 1, IFD]]))).toThrow(
      /the chain of image directories loops \(at an EXIF or GPS directory\)/,
    );
    expect(() => readVolume(tiff([[0x8825, 3, 1, 8]]))).toThrow(
      /tag 34853 of image directory 1 is not the offset of a directory \(one LONG\)/,
    );
    const far = directory([[0x9286, 7, 100_000_000, 8]]); // UserComment: 100 MB at byte 8
    expect(() => readVolume(tiff([[0x8769, 4, 1, TAIL]], undefined, [far]))).toThrow(
      /tag 37510 of an EXIF or GPS directory claims 100000000 bytes at offset 8, past the end/,
    );
    expect(() => readVolume(tiff([[0x8769, 4, 1, 1_000_000]]))).toThrow(
      /an EXIF or GPS directory \(at byte 1000000\) runs past the end/,
    );
  });
});

describe('bilevel pages expanded to a byte a pixel (issue 17 second review)', () => {
  it('refuses a small 1-bit Deflate TIFF whose pixels would take far more than its bytes', () => {
    // 16384×8192 1-bit zeros deflate to ~16 KB; as bytes they take 128 MiB (8× the decoded
    // bits, 8000× the file).
    const packed: Volume = { data: new Uint8Array(2048 * 8192), shape: [1, 8192, 2048] };
    const bits = setTag(setTag(encodeTiff(packed, { compression: 'deflate' }), 256, 16384), 258, 1);
    expect(bits.length).toBeLessThan(40_000);
    expect(() => readVolume(bits)).toThrow(UnsupportedError);
    expect(() => readVolume(bits)).toThrow(
      /^readVolume: the given bytes would expand to 134217728 bytes of 1-bit pixels as bytes from \d+ bytes, more than 64 MiB plus 1032 per byte .*; setting options\.maxVoxels lifts this bound$/,
    );
    // A caller who sets maxVoxels bounds the file instead (an almost empty mask is valid).
    expect(readVolume(bits, { maxVoxels: 16384 * 8192 }).shape).toEqual([1, 8192, 16384]);
    // A small one is read.
    const small: Volume = { data: Uint8Array.from([0b1010_0000, 0xff]), shape: [1, 2, 1] };
    const few = setTag(setTag(encodeTiff(small, { compression: 'deflate' }), 256, 3), 258, 1);
    expect(Array.from(readVolume(few).data)).toEqual([1, 0, 1, 1, 1, 1]);
  });
});

describe('volumes past one typed array (issue 17 second review)', () => {
  it('refuses with UnsupportedError, not RangeError, when maxVoxels is raised past 2³²', () => {
    // 2¹⁷ × (2¹⁶ + 8) uint8 voxels in one Deflate strip of 9 MB: enough bytes at 1032:1.
    const page = encodeTiff(
      { data: new Uint8Array(4), shape: [1, 2, 2] },
      { compression: 'deflate' },
    );
    const file = new Uint8Array(page.length + 9_000_000);
    file.set(page);
    let bytes = setTag(setTag(setTag(file, 256, 2 ** 17), 257, 2 ** 16 + 8), 278, 2 ** 30);
    bytes = setTag(setTag(bytes, 273, 8), 279, bytes.length - 8);
    expect(() => readVolume(bytes)).toThrow(/more than maxVoxels/);
    expect(() => readVolume(bytes, { maxVoxels: 2 ** 40 })).toThrow(UnsupportedError);
    expect(() => readVolume(bytes, { maxVoxels: 2 ** 40 })).toThrow(
      /^readVolume: the given bytes: its 8590983168 uint8 voxels cannot be allocated \(Invalid typed array length/,
    );
  });
});

describe('files of several images (issue 17 second review)', () => {
  /** A 2-page stack whose ImageJ description is replaced by `description` (padded). */
  function describedAs(description: string): Uint8Array {
    const bytes = encodeTiff({ data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 2, 2] });
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf('ImageJ=');
    const length = text.indexOf('\0', at) - at;
    expect(description.length).toBeLessThanOrEqual(length);
    const out = bytes.slice();
    out.set(new TextEncoder().encode(description.padEnd(length, ' ')), at);
    return out;
  }

  it('refuses an OME-TIFF or tifffile file holding more pages than its first image', () => {
    // Read as one stack, two stage positions of 1 plane each became one 2-slice volume;
    // tifffile reads the first image only.
    expect(() => readVolume(describedAs('<OME><Pixels SizeZ="1"/></OME>'))).toThrow(
      /^readVolume: the given bytes: an OME-TIFF whose first image has 1 planes, but the file holds 2 pages \(several images or series\)/,
    );
    expect(() => readVolume(describedAs('{"shape": [2, 2]}'))).toThrow(
      /a tifffile series of 1 pages, but the file holds 2 pages/,
    );
    expect(() => readVolume(describedAs('{"shape": [2, 2]}'))).toThrow(UnsupportedError);
    // One image of 2 planes is read.
    expect(readVolume(describedAs('<OME><Pixels SizeZ="2"/></OME>')).shape).toEqual([2, 2, 2]);
    expect(readVolume(describedAs('{"shape": [2, 2, 2]}')).shape).toEqual([2, 2, 2]);
  });
});

describe('layout tags of other types than integers (issue 17 third review)', () => {
  it('refuses negative, fractional and text offsets and byte counts, which libtiff refuses', () => {
    // The decoder returns an entry's values in whatever type it has. A StripOffsets SLONG of −4
    // with a byte count reaching the end read the file's last 4 bytes as the pixels; a FLOAT
    // offset of 8.5 was rounded down; an ASCII "8" was joined to the count as text.
    const probe = tiff([]);
    const floatBits = new Uint32Array(Float32Array.of(8.5).buffer)[0]!;
    const cases: [Entry[], string][] = [
      [
        [
          [273, 9, 1, -4 >>> 0],
          [279, 4, 1, probe.length + 4],
        ],
        `page 1: strip 0 has offset -4 and byte count ${probe.length + 4}, not unsigned integers`,
      ],
      [
        [[279, 8, 1, 0xfffc]],
        'page 1: strip 0 has offset 8 and byte count -4, not unsigned integers',
      ],
      [
        [[273, 11, 1, floatBits]],
        'tag 273 of image directory 1 holds 1 values of type 11, not one or more integers',
      ],
      [
        [[273, 2, 2, 0x38]],
        'tag 273 of image directory 1 holds 2 values of type 2, not one or more integers',
      ],
    ];
    for (const [entries, detail] of cases) {
      const bytes = tiff(entries);
      expect(() => readVolume(bytes)).toThrow(FormatError);
      expect(() => readVolume(bytes)).toThrow(
        `readVolume: the given bytes is not a readable TIFF: ${detail}`,
      );
    }
    // Any integer type is read (libtiff reads SHORT and LONG; BYTE here too).
    expect(Array.from(readVolume(tiff([[273, 3, 1, 8]])).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(readVolume(tiff([[279, 1, 1, 4]])).data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a layout tag of a type the decoder skips, instead of taking its default', () => {
    // The decoder skips entries of types 13 and up: BitsPerSample 8 of type 13 became the
    // default 1, and the 8-bit pixels [1, 2, 3, 4] were read as the bits [0, 0, 0, 0]; a
    // SampleFormat 3 of type 13 read float32 pixels as uint32. libtiff refuses both.
    for (const tag of [258, 339]) {
      const bytes = tiff([[tag, 13, 1, tag === 258 ? 8 : 1]]);
      expect(() => readVolume(bytes)).toThrow(
        `readVolume: the given bytes is not a readable TIFF: tag ${tag} of image directory 1 holds 1 values of type 13, not one or more integers`,
      );
    }
    // A BitsPerSample of no values was an empty array: the default 1 again.
    expect(() => readVolume(tiff([[258, 3, 0, 0]]))).toThrow(
      'readVolume: the given bytes is not a readable TIFF: tag 258 of image directory 1 holds 0 values of type 3, not one or more integers',
    );
  });
});

describe('RowsPerStrip of another type than an integer (issue 17 third review)', () => {
  it('refuses a RATIONAL RowsPerStrip of 5/2 instead of throwing a RangeError', () => {
    // 3×5 pixels in strips of "2.5 rows": the copy of a fractional row threw `RangeError: offset
    // is out of bounds`. libtiff refuses the type.
    const data = new Uint8Array(8 + 8 + 8 + 15);
    const view = new DataView(data.buffer);
    for (const [i, v] of [5, 2, 36, 42, 9, 9].entries()) view.setUint32(4 * i, v, true); // 5/2, offsets, counts
    data.set(
      Array.from({ length: 15 }, (_, i) => 10 + i),
      24,
    );
    const entries: Entry[] = [
      [256, 3, 1, 3],
      [257, 3, 1, 5],
      [273, 4, 2, 20],
      [278, 5, 1, 12],
      [279, 4, 2, 28],
    ];
    expect(() => readVolume(tiff(entries, data))).toThrow(FormatError);
    expect(() => readVolume(tiff(entries, data))).toThrow(
      'readVolume: the given bytes is not a readable TIFF: tag 278 of image directory 1 holds 1 values of type 5, not one or more integers',
    );
    const negative = entries.map((e): Entry => (e[0] === 278 ? [278, 9, 1, -2 >>> 0] : e));
    expect(() => readVolume(tiff(negative, data))).toThrow(
      'readVolume: the given bytes is not a readable TIFF: page 1 has RowsPerStrip -2, not a positive integer',
    );
    // The same strips with RowsPerStrip 3 (a SHORT) are read.
    const rows3 = entries.map((e): Entry => (e[0] === 278 ? [278, 3, 1, 3] : e));
    expect(Array.from(readVolume(tiff(rows3, data)).data)).toEqual(
      Array.from({ length: 15 }, (_, i) => (i < 9 ? 10 + i : 10 + i - 3)),
    );
  });
});
