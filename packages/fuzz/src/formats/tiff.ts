import { zlibSync } from 'fflate';
import { INTERESTING, type Mutator, pick, writeInt } from '../mutate.js';

/**
 * Small TIFF seeds our writer (`encodeTiff`: strips, none/Deflate) does not make — tiles, LZW,
 * the horizontal predictor, every sample type, stacks — and an IFD-aware mutator (entry counts,
 * tags, types, counts, values/offsets, next-IFD offsets including cycles).
 */

export interface TiffSeedOptions {
  littleEndian: boolean;
  /** Bits per sample: 1, 8, 16, 32 or 64. */
  bits: number;
  /** SampleFormat: 1 unsigned, 2 signed, 3 float. */
  format: 1 | 2 | 3;
  width: number;
  height: number;
  pages: number;
  /** Tile size (a multiple of 16), or undefined for strips of 2 rows. */
  tile?: number;
  /** 1 none, 5 LZW, 8 Deflate, 32773 PackBits. */
  compression: 1 | 5 | 8 | 32773;
  /** 1 none, 2 horizontal. */
  predictor: 1 | 2;
}

/** LZW without table references: a Clear code, then every byte as a 9-bit literal, then EOI. */
function lzwLiteral(data: Uint8Array): Uint8Array {
  const codes: number[] = [256];
  let sinceClear = 0;
  for (const b of data) {
    codes.push(b);
    // The decoder grows its table by one per code; clear before the code width would change.
    if (++sinceClear === 250) {
      codes.push(256);
      sinceClear = 0;
    }
  }
  codes.push(257);
  const out = new Uint8Array(Math.ceil((codes.length * 9) / 8) + 1);
  let bit = 0;
  for (const code of codes) {
    for (let k = 8; k >= 0; k--, bit++) if ((code >> k) & 1) out[bit >> 3]! |= 0x80 >> (bit & 7);
  }
  return out;
}

/** PackBits: literal runs of at most 128 bytes. */
function packBits(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 128) {
    const run = data.subarray(i, i + 128);
    out.push(run.length - 1, ...run);
  }
  return Uint8Array.from(out);
}

function compress(data: Uint8Array, compression: TiffSeedOptions['compression']): Uint8Array {
  if (compression === 5) return lzwLiteral(data);
  if (compression === 8) return zlibSync(data);
  if (compression === 32773) return packBits(data);
  return data;
}

/** Chunks (strips or tiles) of one page, raw: deterministic sample bytes. */
function pageChunks(o: TiffSeedOptions, page: number): Uint8Array[] {
  const bytesPerRow = Math.ceil((o.width * o.bits) / 8);
  const chunkRows = o.tile ?? 2;
  const chunkRowBytes = o.tile ? Math.ceil((o.tile * o.bits) / 8) : bytesPerRow;
  const across = o.tile ? Math.ceil(o.width / o.tile) : 1;
  const down = Math.ceil(o.height / chunkRows);
  const chunks: Uint8Array[] = [];
  for (let c = 0; c < across * down; c++) {
    const raw = new Uint8Array(chunkRowBytes * chunkRows);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + c * 13 + page * 31) & 0x3f;
    chunks.push(compress(raw, o.compression));
  }
  return chunks;
}

type Entry = [tag: number, type: 3 | 4, values: number[]];

/** A small TIFF file with the layout of `o`. */
export function buildTiff(o: TiffSeedOptions): Uint8Array {
  const le = o.littleEndian;
  const parts: Uint8Array[] = [];
  let size = 8;
  const place = (b: Uint8Array): number => {
    const at = size;
    parts.push(b);
    size += b.length + (b.length & 1);
    if (b.length & 1) parts.push(new Uint8Array(1));
    return at;
  };
  const pageEntries: Entry[][] = [];
  for (let p = 0; p < o.pages; p++) {
    const chunks = pageChunks(o, p);
    const offsets = chunks.map(place);
    const counts = chunks.map((c) => c.length);
    const entries: Entry[] = [
      [256, 4, [o.width]],
      [257, 4, [o.height]],
      [258, 3, [o.bits]],
      [259, 3, [o.compression]],
      [262, 3, [1]],
      [277, 3, [1]],
      [317, 3, [o.predictor]],
      [339, 3, [o.format]],
    ];
    if (o.tile)
      entries.push([322, 4, [o.tile]], [323, 4, [o.tile]], [324, 4, offsets], [325, 4, counts]);
    else entries.push([273, 4, offsets], [278, 4, [2]], [279, 4, counts]);
    entries.sort((a, b) => a[0] - b[0]);
    pageEntries.push(entries);
  }
  // Arrays of more than one value live outside the IFD.
  const external = pageEntries.map((entries) =>
    entries.map(([, type, values]) => {
      if (values.length * (type === 3 ? 2 : 4) <= 4) return -1;
      const b = new Uint8Array(values.length * 4);
      for (const [i, v] of values.entries()) writeInt(b, i * 4, 4, v, le);
      return place(b);
    }),
  );
  const ifdAt: number[] = [];
  for (const entries of pageEntries) {
    ifdAt.push(size);
    size += 2 + entries.length * 12 + 4;
  }
  const out = new Uint8Array(size);
  let at = 8;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  out[0] = out[1] = le ? 0x49 : 0x4d;
  writeInt(out, 2, 2, 42, le);
  writeInt(out, 4, 4, ifdAt[0]!, le);
  pageEntries.forEach((entries, p) => {
    let x = ifdAt[p]!;
    writeInt(out, x, 2, entries.length, le);
    x += 2;
    entries.forEach(([tag, type, values], e) => {
      writeInt(out, x, 2, tag, le);
      writeInt(out, x + 2, 2, type, le);
      writeInt(out, x + 4, 4, values.length, le);
      const ext = external[p]![e]!;
      if (ext >= 0) writeInt(out, x + 8, 4, ext, le);
      else if (type === 3) writeInt(out, x + 8, 2, values[0]!, le);
      else writeInt(out, x + 8, 4, values[0]!, le);
      x += 12;
    });
    writeInt(out, x, 4, ifdAt[p + 1] ?? 0, le);
  });
  return out;
}

interface IfdField {
  at: number;
  size: 2 | 4;
  /** For a next-IFD offset: offsets of IFDs (to make a cycle). */
  ifds?: number[];
}

/** IFD fields of a (possibly already mutated) TIFF: entry counts, tags, types, counts, values. */
function ifdFields(bytes: Uint8Array): { fields: IfdField[]; le: boolean } {
  const le = bytes[0] === 0x49;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: IfdField[] = [];
  const ifds: number[] = [];
  let offset = bytes.length >= 8 ? view.getUint32(4, le) : 0;
  while (offset !== 0 && offset + 2 <= bytes.length && ifds.length < 16 && !ifds.includes(offset)) {
    ifds.push(offset);
    const n = view.getUint16(offset, le);
    fields.push({ at: offset, size: 2 });
    for (let e = 0; e < n && offset + 2 + e * 12 + 12 <= bytes.length; e++) {
      const x = offset + 2 + e * 12;
      fields.push(
        { at: x, size: 2 },
        { at: x + 2, size: 2 },
        { at: x + 4, size: 4 },
        { at: x + 8, size: 4 },
        { at: x + 8, size: 2 },
      );
    }
    const next = offset + 2 + n * 12;
    if (next + 4 > bytes.length) break;
    fields.push({ at: next, size: 4, ifds });
    offset = view.getUint32(next, le);
  }
  return { fields, le };
}

/** Interesting integers, codes (compressions, types) and the tags the reader looks at. */
const TIFF_VALUES = [
  ...INTERESTING,
  ...[4, 5, 6, 9, 10, 11, 12, 13, 16, 32, 64, 32773, 32946, 34887, 100000],
  ...[256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 338, 339],
];

/** Appends copies of the first IFD (pointing at the same strips or tiles) to the chain. */
function repeatIfd(bytes: Uint8Array, copies: number): Uint8Array {
  if (bytes.length < 8) return bytes.slice();
  const le = bytes[0] === 0x49;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = view.getUint32(4, le);
  if (ifd + 2 > bytes.length) return bytes.slice();
  const size = 2 + 12 * view.getUint16(ifd, le) + 4;
  if (ifd + size > bytes.length) return bytes.slice();
  const out = new Uint8Array(bytes.length + copies * size);
  out.set(bytes);
  for (let c = 0; c < copies; c++) {
    const at = bytes.length + c * size;
    out.set(bytes.subarray(ifd, ifd + size), at);
    writeInt(out, at + size - 4, 4, c + 1 < copies ? at + size : 0, le);
  }
  writeInt(out, 4, 4, bytes.length, le);
  return out;
}

export const TIFF_MUTATORS: readonly Mutator[] = [
  {
    name: 'tiff-repeat-ifd',
    mutate: (bytes, rng) => repeatIfd(bytes, pick(rng, [2, 3, 50, 200])),
  },
  {
    name: 'tiff-ifd-field',
    mutate(bytes, rng) {
      const out = bytes.slice();
      const { fields, le } = ifdFields(out);
      if (fields.length === 0) return out;
      const f = pick(rng, fields);
      const value = f.ifds && rng.next() < 0.5 ? pick(rng, f.ifds) : pick(rng, TIFF_VALUES);
      writeInt(out, f.at, f.size, value, le);
      return out;
    },
  },
];
