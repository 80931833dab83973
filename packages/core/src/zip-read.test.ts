import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { FormatError, InvalidArgumentError, UnsupportedError } from './errors.js';
import { encodeNpz, parseNpz, readZip } from './npy.js';

/** A 98-byte archive with no entries whose ZIP64 end record claims 2³¹ of them. */
function zip64Claiming(count: number): Uint8Array {
  const out = new Uint8Array(56 + 20 + 22);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x06064b50, true); // ZIP64 end of central directory, at offset 0
  view.setBigUint64(4, 44n, true);
  view.setBigUint64(24, BigInt(count), true);
  view.setBigUint64(32, BigInt(count), true);
  view.setBigUint64(40, 0n, true); // central directory size
  view.setBigUint64(48, 0n, true); // central directory offset
  view.setUint32(56, 0x07064b50, true); // locator
  view.setBigUint64(64, 0n, true);
  view.setUint32(72, 1, true);
  view.setUint32(76, 0x06054b50, true); // end of central directory
  view.setUint16(84, 0xffff, true);
  view.setUint16(86, 0xffff, true);
  view.setUint32(88, 0xffffffff, true);
  view.setUint32(92, 0xffffffff, true);
  return out;
}

const array = { data: new Float32Array([1, 2, 3]), shape: [3] };

describe('readZip on hostile archives', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const long = new Uint8Array(1000).map((_, i) => (i * 37) & 0xff);
    // Byte-at-a-time reference for every length, so the eight-byte loop and its tail agree.
    for (const n of [1, 7, 8, 9, 15, 16, 17, 1000]) {
      let c = 0xffffffff;
      for (const b of long.subarray(0, n)) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      expect(crc32(long.subarray(0, n))).toBe((c ^ 0xffffffff) >>> 0);
    }
  });

  it('rejects a ZIP64 end record claiming more entries than its bytes hold, at once', () => {
    const start = performance.now();
    expect(() => parseNpz(zip64Claiming(2 ** 31))).toThrow(FormatError);
    expect(() => parseNpz(zip64Claiming(2 ** 31))).toThrow(
      /^parseNpz: not a valid zip archive \(2147483648 entries claimed, but the 0-byte central directory holds at most 0\)/,
    );
    expect(performance.now() - start).toBeLessThan(100);
  });

  it('rejects a central directory outside the bytes present', () => {
    const bytes = encodeNpz({ a: array });
    const view = new DataView(bytes.buffer);
    view.setUint32(bytes.length - 22 + 16, 1e9, true);
    expect(() => readZip(bytes, 'someReader')).toThrow(
      /^someReader: not a valid zip archive \(the central directory .* lies outside/,
    );
  });

  it('rejects a flipped data bit by its CRC-32, naming the entry', () => {
    const bytes = encodeNpz({ a: array });
    bytes[bytes.indexOf(0x40, 100)]! ^= 1; // the exponent byte of 3.0 (0x40400000)
    expect(() => parseNpz(bytes)).toThrow(FormatError);
    expect(() => parseNpz(bytes)).toThrow(/parseNpz: .*entry "a\.npy": CRC-32 mismatch/);
  });

  it('rejects a changed local-header extra length that shifts the data', () => {
    const bytes = encodeNpz({ a: array });
    const view = new DataView(bytes.buffer);
    view.setUint16(28, view.getUint16(28, true) + 4, true);
    expect(() => parseNpz(bytes)).toThrow(/parseNpz: .*entry "a\.npy": CRC-32 mismatch/);
  });

  it('rejects a local header whose CRC-32 differs from the central directory', () => {
    const bytes = encodeNpz({ a: array });
    bytes[14]! ^= 0xff;
    expect(() => parseNpz(bytes)).toThrow(
      /parseNpz: .*entry "a\.npy": the local header's CRC-32 differs/,
    );
  });

  it('rejects a deflated entry claiming a size its data cannot inflate to, before allocating', () => {
    const bytes = zipSync({ 'a.npy': [new Uint8Array(100), { level: 6 }] });
    const view = new DataView(bytes.buffer);
    const central = bytes.length - 22 - (46 + 5);
    view.setUint32(central + 24, 0xfffffff0, true);
    expect(() => readZip(bytes)).toThrow(/readZip: .*entry "a\.npy": 4294967280 bytes claimed/);
  });

  it('keeps an entry named __proto__ as an ordinary key, in a record without prototype', () => {
    const proto = '__proto__';
    const bytes = encodeNpz({ [proto]: array, toString: array });
    const arrays = parseNpz(bytes);
    expect(Object.getPrototypeOf(arrays)).toBeNull();
    expect(Object.keys(arrays)).toEqual(['__proto__', 'toString']);
    expect(arrays[proto]?.data).toEqual(array.data);
    expect(Object.getPrototypeOf(readZip(bytes))).toBeNull();
    expect(readZip(encodeNpz({ a: array })).toString).toBeUndefined();
  });

  it('reads valid archives, stored and deflated, identically', () => {
    const arrays = {
      a: array,
      b: { data: new Int32Array(1000).map((_, i) => i % 7), shape: [10, 100] },
    };
    for (const compress of [false, true]) {
      const back = parseNpz(encodeNpz(arrays, { compress }));
      expect(back.a).toEqual(arrays.a);
      expect(back.b).toEqual(arrays.b);
    }
    expect(readZip(zipSync({ 'x/y.txt': strToU8('héllo') }))['x/y.txt']).toEqual(strToU8('héllo'));
  });
});

describe('readZip counts', () => {
  it('reads past 65,535 entries when the end record count wrapped (issue 17 text review)', () => {
    // fflate, so encodeNpz, writes the 16-bit count modulo 2^16 and no ZIP64 record: read up to
    // the count, an .npz of 70,000 arrays gave 4,464 and no error (NumPy reads the directory).
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 65_537; i++) files[`e${i}`] = new Uint8Array(0);
    const bytes = zipSync(files, { level: 0 });
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(bytes.length - 12, true)).toBe(1);
    const entries = readZip(bytes);
    expect(Object.keys(entries).length).toBe(65_537);
    expect(entries.e65536).toEqual(new Uint8Array(0));
    expect(() => readZip(bytes, 'readZip', { maxEntries: 65_536 })).toThrow(
      /^readZip: not a valid zip archive \(more than options.maxEntries 65536 entries\)$/,
    );
  });

  it('refuses an end record count that disagrees with the directory', () => {
    const bytes = zipSync({ a: strToU8('1'), b: strToU8('2'), c: strToU8('3') }, { level: 0 });
    const view = new DataView(bytes.buffer);
    view.setUint16(bytes.length - 14, 2, true); // entries on this disk
    view.setUint16(bytes.length - 12, 2, true); // entries in all
    expect(() => readZip(bytes)).toThrow(
      /\(the end record counts 2 entries, the central directory holds 3\)$/,
    );
  });

  it('refuses end records naming other disks, as torch and zipfile do (independent probe, session 10)', () => {
    // torch.load: "PytorchStreamReader failed reading zip archive: unsupported multidisk".
    for (const [at, value] of [
      [-18, 1], // this disk's number
      [-16, 2], // the directory's disk
      [-14, 2], // entries on this disk, of 3 in all
    ]) {
      const bytes = zipSync({ a: strToU8('1'), b: strToU8('2'), c: strToU8('3') }, { level: 0 });
      new DataView(bytes.buffer).setUint16(bytes.length + (at as number), value as number, true);
      expect(() => readZip(bytes)).toThrow(
        /\(its end records name other disks \(a split archive, or damaged records\)\)$/,
      );
    }
  });
});

describe('readZip limits: maxEntries and maxBytes', () => {
  const files = { a: new Uint8Array(40_000), b: new Uint8Array(40_000), c: new Uint8Array(40_000) };

  it('refuses more entries than maxEntries, before reading any', () => {
    const bytes = zipSync(files, { level: 0 });
    expect(() => readZip(bytes, 'readZip', { maxEntries: 2 })).toThrow(
      /^readZip: not a valid zip archive \(3 entries, more than options.maxEntries 2\)$/,
    );
    expect(Object.keys(readZip(bytes, 'readZip', { maxEntries: 3 }))).toEqual(['a', 'b', 'c']);
  });

  it('refuses entries that together inflate past maxBytes, on the sizes claimed', () => {
    // Deflated, 120,000 zero bytes take a few hundred: each entry is within the deflate ratio.
    const bytes = zipSync(files, { level: 9 });
    expect(bytes.length).toBeLessThan(1000);
    expect(() => parseNpz(bytes, { maxBytes: 100_000 })).toThrow(FormatError);
    expect(() => readZip(bytes, 'loadThing', { maxBytes: 100_000 })).toThrow(
      /^loadThing: not a valid zip archive \(its entries inflate to more than options.maxBytes 100000 bytes \(at entry "c"\)\)$/,
    );
    expect(readZip(bytes, 'readZip', { maxBytes: 120_000 }).c).toHaveLength(40_000);
  });

  it('has safe defaults and validates the limits', () => {
    const bytes = encodeNpz({ x: array });
    expect(parseNpz(bytes).x!.shape).toEqual([3]);
    expect(() => parseNpz(bytes, { maxBytes: 0 })).toThrow(InvalidArgumentError);
    expect(() => parseNpz(bytes, { maxEntries: 1.5 })).toThrow(/^parseNpz: 'options.maxEntries'/);
  });
});

describe('readZip on entries that share their data (a zip bomb without a limit)', () => {
  it('refuses two entries pointing at the same deflated bytes', () => {
    // One deflated entry, then its central-directory header again under another name.
    const one = zipSync({ a: [new Uint8Array(100_000), { level: 9 }] });
    const view = new DataView(one.buffer);
    const end = one.length - 22;
    const start = view.getUint32(end + 16, true);
    const central = one.slice(start, end);
    const twice = (rename: boolean) => {
      const copy = central.slice();
      if (rename) copy[46] = 0x62; // the name "a" becomes "b"
      const out = new Uint8Array(one.length + central.length);
      out.set(one.subarray(0, end), 0);
      out.set(copy, end);
      out.set(one.subarray(end), end + central.length);
      const o = new DataView(out.buffer);
      const e = out.length - 22;
      o.setUint16(e + 8, 2, true);
      o.setUint16(e + 10, 2, true);
      o.setUint32(e + 12, central.length * 2, true);
      return out;
    };
    expect(() => readZip(twice(false))).toThrow(
      /^readZip: not a valid zip archive \(entries "a" and "a" overlap \(bytes \[0, \d+\) and from 0\)\)$/,
    );
    // Renamed, the copy's local header (the shared one) names it "a": refused for that first.
    expect(() => readZip(twice(true))).toThrow(
      /^readZip: not a valid zip archive \(entry "b": the local header names it differently\)$/,
    );
    expect(readZip(one).a).toHaveLength(100_000);
  });
});

describe('readZip on damaged headers zipfile refuses (independent probe, session 10)', () => {
  const zip = zipSync({ 'a.npy': new Uint8Array([1, 2, 3]), 'b.npy': new Uint8Array([4]) });
  const end = zip.length - 22;

  it('refuses a central-directory name the local header does not give', () => {
    // zipfile: "File name in directory 'b.npy' and header b'a.npy' differ"; the central name
    // was used, so an .npz array was renamed without a word.
    const bad = zip.slice();
    const start = new DataView(bad.buffer).getUint32(end + 16, true);
    bad[start + 46] = 0x63; // "a.npy" → "c.npy" in the central directory only
    expect(() => readZip(bad)).toThrow(
      /^readZip: not a valid zip archive \(entry "c\.npy": the local header names it differently\)$/,
    );
  });

  it('names encrypted entries and newer zip versions unsupported, in either header', () => {
    const start = new DataView(zip.buffer).getUint32(end + 16, true);
    const cases: [number, number, RegExp][] = [
      [6, 0x01, /entry "a\.npy" is encrypted$/], // local flags: encrypted
      [start + 8, 0x40, /entry "a\.npy" is encrypted$/], // central flags: strong encryption
      [4, 90, /entry "a\.npy" needs zip version 9 to extract; up to 6\.3 is read$/],
    ];
    for (const [at, value, why] of cases) {
      const bad = zip.slice();
      new DataView(bad.buffer).setUint16(at, value, true);
      expect(() => readZip(bad)).toThrow(UnsupportedError);
      expect(() => readZip(bad)).toThrow(why);
    }
    const split = zip.slice();
    new DataView(split.buffer).setUint16(start + 34, 1, true); // the entry's disk
    expect(() => readZip(split)).toThrow(/the entry at offset \d+ starts on disk 1\)$/);
  });

  it('refuses an end record whose directory size or offset is not where the directory is', () => {
    for (const field of [12, 16]) {
      const bad = zip.slice();
      const view = new DataView(bad.buffer);
      view.setUint32(end + field, view.getUint32(end + field, true) - 46, true);
      expect(() => readZip(bad)).toThrow(/does not end where the end record starts/);
    }
    expect(Object.keys(readZip(zip))).toEqual(['a.npy', 'b.npy']);
  });
});
