import { type Rng, readZip } from '@cellshape/core';
import { deflateSync } from 'fflate';
import { INTERESTING, type Mutator, pick, splice, writeInt } from '../mutate.js';
import { type StoredEntry, storedZip } from './stored-zip.js';

/**
 * Zip-aware mutators: header fields of the end-of-central-directory, central and local headers
 * (counts, sizes, offsets, CRCs, name and extra lengths, methods), ZIP64 records, a flipped
 * byte in a stored member (which a reader must refuse: CRC-32), and the mutation of one
 * member's content re-zipped with a correct CRC, so that mutants reach the parser inside.
 */

interface Field {
  at: number;
  size: 2 | 4 | 8;
}

/** Header fields found by scanning for the zip signatures (tolerant of earlier mutations). */
function headerFields(bytes: Uint8Array): Field[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Field[] = [];
  // indexOf skips to each 'P' natively: a scan of a 6 MB model checkpoint costs ~1 ms, not ~12.
  for (
    let i = bytes.indexOf(0x50);
    i >= 0 && i + 4 <= bytes.length;
    i = bytes.indexOf(0x50, i + 1)
  ) {
    if (bytes[i + 1] !== 0x4b) continue;
    const sig = view.getUint32(i, true);
    const push = (offsets: [number, 2 | 4 | 8][]): void => {
      for (const [o, size] of offsets)
        if (i + o + size <= bytes.length) fields.push({ at: i + o, size });
    };
    // local: flags, method, crc, csize, size, name length, extra length
    if (sig === 0x04034b50)
      push([
        [6, 2],
        [8, 2],
        [14, 4],
        [18, 4],
        [22, 4],
        [26, 2],
        [28, 2],
      ]);
    // central: flags, method, crc, csize, size, name length, extra, comment, offset
    if (sig === 0x02014b50)
      push([
        [8, 2],
        [10, 2],
        [16, 4],
        [20, 4],
        [24, 4],
        [28, 2],
        [30, 2],
        [32, 2],
        [42, 4],
      ]);
    // end of central directory: entries on disk, entries, size, offset, comment length
    if (sig === 0x06054b50)
      push([
        [8, 2],
        [10, 2],
        [12, 4],
        [16, 4],
        [20, 2],
      ]);
    if (sig === 0x07064b50) push([[8, 8]]);
    if (sig === 0x06064b50)
      push([
        [4, 8],
        [24, 8],
        [32, 8],
        [40, 8],
        [48, 8],
      ]);
  }
  return fields;
}

/** A ZIP64 end-of-central-directory record and locator inserted before the classic one. */
function withZip64(bytes: Uint8Array, rng: Rng): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let e = -1;
  for (let i = bytes.length - 22; i >= 0; i--)
    if (view.getUint32(i, true) === 0x06054b50) {
      e = i;
      break;
    }
  if (e < 0) return bytes.slice();
  const count = view.getUint16(e + 10, true);
  const size = view.getUint32(e + 12, true);
  const start = view.getUint32(e + 16, true);
  const record = new Uint8Array(56 + 20);
  const r = new DataView(record.buffer);
  r.setUint32(0, 0x06064b50, true);
  r.setBigUint64(4, 44n, true);
  r.setUint16(12, 45, true);
  r.setUint16(14, 45, true);
  const claim = (v: number): bigint =>
    BigInt(rng.next() < 0.5 ? v : Math.max(0, pick(rng, INTERESTING)));
  r.setBigUint64(24, claim(count), true);
  r.setBigUint64(32, claim(count), true);
  r.setBigUint64(40, claim(size), true);
  r.setBigUint64(48, claim(start), true);
  r.setUint32(56, 0x07064b50, true);
  r.setBigUint64(64, BigInt(rng.next() < 0.8 ? e : pick(rng, INTERESTING) >>> 0), true);
  r.setUint32(72, 1, true);
  return splice(bytes, e, 0, record);
}

const rangesOf = new WeakMap<Uint8Array, readonly [number, number][]>();

/**
 * The data ranges of the stored (method 0) members, from the local headers; remembered per
 * input, since `applies` asks it of the same seed for every case (a byte-by-byte scan: ~20 ms
 * for the 5.7 MB cloud seed).
 */
function storedRanges(bytes: Uint8Array): readonly [number, number][] {
  const known = rangesOf.get(bytes);
  if (known) return known;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ranges: [number, number][] = [];
  for (
    let i = bytes.indexOf(0x50);
    i >= 0 && i + 30 <= bytes.length;
    i = bytes.indexOf(0x50, i + 1)
  ) {
    if (view.getUint32(i, true) !== 0x04034b50) continue;
    const method = view.getUint16(i + 8, true);
    const csize = view.getUint32(i + 18, true);
    const start = i + 30 + view.getUint16(i + 26, true) + view.getUint16(i + 28, true);
    if (method === 0 && csize > 0 && start + csize <= bytes.length)
      ranges.push([start, start + csize]);
  }
  rangesOf.set(bytes, ranges);
  return ranges;
}

/** Names that readers get wrong: prototype keys, paths, empty, duplicates of another entry. */
const NAMES = [
  '__proto__',
  'constructor',
  'toString',
  '',
  '../../x',
  'a/../../b',
  '\u0000',
  'data.pkl',
];

/** Renames one member of a valid archive (re-zipped, valid CRCs). */
export const renameMember: Mutator = {
  name: 'zip-rename-member',
  mutate(bytes, rng) {
    let entries: [string, Uint8Array][];
    try {
      entries = Object.entries(readZip(bytes));
    } catch {
      return bytes.slice();
    }
    if (entries.length === 0) return bytes.slice();
    const i = rng.int(entries.length);
    const [name, data] = entries[i]!;
    const other = entries[rng.int(entries.length)]![0];
    const renamed =
      rng.next() < 0.3 ? other : rng.next() < 0.5 ? `${name}${pick(rng, NAMES)}` : pick(rng, NAMES);
    entries[i] = [renamed, data];
    return storedZip(entries);
  },
};

/** The central directory again with every entry repeated `times` (same local headers). */
function repeatCentral(bytes: Uint8Array, times: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const e = bytes.length - 22;
  if (e < 0 || view.getUint32(e, true) !== 0x06054b50) return bytes.slice();
  const start = view.getUint32(e + 16, true);
  const count = view.getUint16(e + 10, true);
  if (start > e) return bytes.slice();
  const central = bytes.subarray(start, e);
  const out = new Uint8Array(start + central.length * times + 22);
  out.set(bytes.subarray(0, start));
  for (let t = 0; t < times; t++) out.set(central, start + t * central.length);
  out.set(bytes.subarray(e), out.length - 22);
  const o = new DataView(out.buffer);
  o.setUint16(out.length - 22 + 8, Math.min(0xffff, count * times), true);
  o.setUint16(out.length - 22 + 10, Math.min(0xffff, count * times), true);
  o.setUint32(out.length - 22 + 12, central.length * times, true);
  return out;
}

export const ZIP_MUTATORS: readonly Mutator[] = [
  { name: 'zip-repeat-central', mutate: (bytes, rng) => repeatCentral(bytes, pick(rng, [2, 100])) },
  {
    name: 'zip-header-field',
    mutate(bytes, rng) {
      const out = bytes.slice();
      const fields = headerFields(out);
      if (fields.length === 0) return out;
      const { at, size } = pick(rng, fields);
      const value = rng.next() < 0.7 ? pick(rng, INTERESTING) : rng.int(2 ** 16);
      writeInt(out, at, size, value, true);
      return out;
    },
  },
  { name: 'zip64-record', mutate: withZip64 },
  renameMember,
  {
    name: 'zip-stored-member-flip',
    mustReject: true,
    applies: (bytes) => storedRanges(bytes).length > 0,
    mutate(bytes, rng) {
      const out = bytes.slice();
      const [start, end] = pick(rng, storedRanges(out));
      out[start + rng.int(end - start)]! ^= 1 << rng.int(8);
      return out;
    },
  },
];

/**
 * Re-zips `bytes` (a valid archive) with one member, picked among `choose(names)`, rebuilt by
 * `rebuild`; the bytes unchanged (a copy) when they are no archive or no member is eligible.
 */
function rezipOneMember(
  bytes: Uint8Array,
  rng: Rng,
  choose: (names: string[]) => string[],
  rebuild: (name: string, member: Uint8Array) => StoredEntry,
): Uint8Array {
  // Our own (bounded) reader: fflate's unzipSync loops per claimed entry on hostile input.
  let entries: [string, Uint8Array][];
  try {
    entries = Object.entries(readZip(bytes));
  } catch {
    return bytes.slice();
  }
  const candidates = choose(entries.map(([n]) => n));
  if (candidates.length === 0) return bytes.slice();
  const chosen = pick(rng, candidates);
  return storedZip(entries.map(([n, d]) => (n === chosen ? rebuild(n, d) : [n, d])));
}

/** Re-zips `bytes` (a valid archive) with one member replaced by `mutate(member)`; valid CRCs. */
export function memberMutator(
  name: string,
  choose: (names: string[]) => string[],
  mutate: (member: Uint8Array, rng: Rng, memberName: string) => Uint8Array,
): Mutator {
  return {
    name,
    mutate: (bytes, rng) => rezipOneMember(bytes, rng, choose, (n, d) => [n, mutate(d, rng, n)]),
  };
}

/**
 * Re-zips `bytes` (a valid archive) with one member replaced by `make(rng)`, deflated (the
 * others stored): a parsed member (a pickle, JSON) of megabytes of one repeated token inflates
 * from a few KB and, parsed, builds an object per token — the object zip bomb that the
 * byte-level mutators, which re-zip stored, cannot make.
 */
const deflatedOf = new WeakMap<Uint8Array, Uint8Array>();

export function deflatedMemberBomb(
  name: string,
  choose: (names: string[]) => string[],
  make: (rng: Rng) => Uint8Array,
): Mutator {
  return {
    name,
    mutate: (bytes, rng) =>
      rezipOneMember(bytes, rng, choose, (n) => {
        const content = make(rng);
        let deflated = deflatedOf.get(content);
        if (!deflated) {
          deflated = deflateSync(content, { level: 9 });
          deflatedOf.set(content, deflated);
        }
        return [n, content, deflated];
      }),
  };
}

const repeatedCache = new Map<string, Uint8Array>();

/**
 * `head`, then `token` repeated to about `size` bytes, then `tail`. Remembered per arguments
 * (callers pick among a few sizes): a bomb is made, deflated and checksummed once per process,
 * not per case (deflating 1.5 MB took ~25–55 ms, 100 × reading the mutant). Never modify it.
 */
export function repeated(
  head: string | number[],
  token: string | number[],
  size: number,
  tail: string | number[],
): Uint8Array {
  const key = JSON.stringify([head, token, size, tail]);
  const known = repeatedCache.get(key);
  if (known) return known;
  const enc = (x: string | number[]) =>
    typeof x === 'string' ? new TextEncoder().encode(x) : Uint8Array.from(x);
  const [h, t, e] = [enc(head), enc(token), enc(tail)];
  const count = Math.max(1, Math.floor(size / t.length));
  const out = new Uint8Array(h.length + count * t.length + e.length);
  out.set(h);
  for (let i = 0; i < count; i++) out.set(t, h.length + i * t.length);
  out.set(e, h.length + count * t.length);
  repeatedCache.set(key, out);
  return out;
}
