import { crc32, deflateSync, inflateSync } from 'node:zlib';
import type { Rng } from '@cellshape/core';
import { GENERIC_MUTATORS, INTERESTING, type Mutator } from '../mutate.js';

/**
 * PNG-aware mutators: they edit one chunk (IHDR fields, pHYs, IDAT data, a chunk's type or
 * length) and, except for the length, write the chunk's CRC-32 again, so that the reader's
 * checks past the CRC are reached; one edits the inflated rows and deflates them again, so that
 * checks past the zlib stream's Adler-32 (filter types, palette indices, row counts) are too.
 */

interface Chunk {
  /** Offset of the length field. */
  at: number;
  length: number;
  type: string;
}

const SIGNATURE = 8;

/** The chunks of a PNG, as far as their lengths stay within the bytes. */
function chunks(bytes: Uint8Array): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Chunk[] = [];
  for (let at = SIGNATURE; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) break;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    out.push({ at, length, type });
    at += 12 + length;
  }
  return out;
}

/** Writes the CRC-32 of a chunk's type and data after its data. */
function fixCrc(bytes: Uint8Array, chunk: Chunk): void {
  const body = bytes.subarray(chunk.at + 4, chunk.at + 8 + chunk.length);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(chunk.at + 8 + chunk.length, crc32(body));
}

const interesting = (rng: Rng): number => INTERESTING[rng.int(INTERESTING.length)]!;

/** What a mutator does when an earlier mutation left no chunk to edit: a format-blind change. */
const blind = (bytes: Uint8Array, rng: Rng): Uint8Array =>
  GENERIC_MUTATORS[rng.int(GENERIC_MUTATORS.length)]!.mutate(bytes, rng);

/** A mutator that edits a copy of the first chunk of `type` and fixes its CRC. */
function chunkEdit(
  name: string,
  type: string,
  edit: (bytes: Uint8Array, view: DataView, data: number, chunk: Chunk, rng: Rng) => void,
): Mutator {
  return {
    name,
    applies: (bytes) => chunks(bytes).some((c) => c.type === type),
    mutate(bytes, rng) {
      const out = bytes.slice();
      const chunk = chunks(out).find((c) => c.type === type);
      if (chunk === undefined) return blind(bytes, rng);
      edit(out, new DataView(out.buffer), chunk.at + 8, chunk, rng);
      fixCrc(out, chunk);
      return out;
    },
  };
}

/** IHDR: width and height (32-bit), bit depth, colour type, compression, filter, interlace. */
const ihdrField = chunkEdit('png-ihdr', 'IHDR', (bytes, view, data, chunk, rng) => {
  const field = rng.int(7);
  if (field < 2 && chunk.length >= 8) view.setUint32(data + field * 4, interesting(rng) >>> 0);
  else if (chunk.length > field + 6)
    bytes[data + field + 6] = rng.next() < 0.5 ? interesting(rng) & 0xff : rng.int(256);
});

/** pHYs: pixels per unit (x, y) and the unit byte. */
const physField = chunkEdit('png-phys', 'pHYs', (bytes, view, data, chunk, rng) => {
  const field = rng.int(3);
  if (field < 2 && chunk.length >= 8) view.setUint32(data + field * 4, interesting(rng) >>> 0);
  else if (chunk.length >= 9) bytes[data + 8] = rng.int(4);
});

/** IDAT: a format-blind mutation of the compressed data, same length, CRC fixed. */
const idatData = chunkEdit('png-idat', 'IDAT', (bytes, _view, data, chunk, rng) => {
  if (chunk.length === 0) return;
  const mutated = GENERIC_MUTATORS[rng.int(GENERIC_MUTATORS.length)]!.mutate(
    bytes.slice(data, data + chunk.length),
    rng,
  );
  bytes.set(mutated.subarray(0, chunk.length), data);
});

/** Renames a chunk to another that readers act on (or an unknown critical one); CRC fixed. */
const chunkType: Mutator = {
  name: 'png-chunk-type',
  applies: (bytes) => chunks(bytes).length > 0,
  mutate(bytes, rng) {
    const out = bytes.slice();
    const list = chunks(out);
    if (list.length === 0) return blind(bytes, rng);
    const chunk = list[rng.int(list.length)]!;
    const names = ['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'pHYs', 'XXXX', 'ihdr'];
    out.set(new TextEncoder().encode(names[rng.int(names.length)]!), chunk.at + 4);
    fixCrc(out, chunk);
    return out;
  },
};

/** Sets a chunk's length field to an interesting value (its CRC then no longer lines up). */
const chunkLength: Mutator = {
  name: 'png-chunk-length',
  applies: (bytes) => chunks(bytes).length > 0,
  mutate(bytes, rng) {
    const out = bytes.slice();
    const list = chunks(out);
    if (list.length === 0) return blind(bytes, rng);
    const chunk = list[rng.int(list.length)]!;
    new DataView(out.buffer).setUint32(chunk.at, interesting(rng) >>> 0);
    return out;
  },
};

/** A chunk of `type` around `body`, CRC included. */
function chunkBytes(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  fixCrc(out, { at: 0, length: body.length, type });
  return out;
}

/**
 * The rows inflated, mutated format-blind (bytes, lengths, runs) and deflated again into one
 * IDAT chunk where the first one was: a valid zlib stream of hostile rows.
 */
const idatRows: Mutator = {
  name: 'png-idat-rows',
  applies: (bytes) => chunks(bytes).some((c) => c.type === 'IDAT'),
  mutate(bytes, rng) {
    const idat = chunks(bytes).filter((c) => c.type === 'IDAT');
    if (idat.length === 0) return blind(bytes, rng);
    let rows: Uint8Array;
    try {
      const stream = idat.map((c) => bytes.subarray(c.at + 8, c.at + 8 + c.length));
      rows = inflateSync(Buffer.concat(stream), { maxOutputLength: 1 << 24 });
    } catch {
      return blind(bytes, rng);
    }
    const mutated = GENERIC_MUTATORS[rng.int(GENERIC_MUTATORS.length)]!.mutate(rows, rng);
    const replaced = chunkBytes('IDAT', deflateSync(mutated, { level: 1 }));
    const [first, last] = [idat[0]!, idat[idat.length - 1]!];
    const after = last.at + 12 + last.length;
    const out = new Uint8Array(first.at + replaced.length + bytes.length - after);
    out.set(bytes.subarray(0, first.at));
    out.set(replaced, first.at);
    out.set(bytes.subarray(after), first.at + replaced.length);
    return out;
  },
};

/** Deletes, duplicates or moves one whole chunk (its CRC stays right): chunk order and count. */
const chunkOrder: Mutator = {
  name: 'png-chunk-order',
  applies: (bytes) => chunks(bytes).length > 1,
  mutate(bytes, rng) {
    const list = chunks(bytes);
    if (list.length < 2) return blind(bytes, rng);
    const pieces = list.map((c) => bytes.subarray(c.at, c.at + 12 + c.length));
    const tail = bytes.subarray(list[list.length - 1]!.at + 12 + list[list.length - 1]!.length);
    const operation = rng.int(3); // 0 delete, 1 duplicate, 2 move
    const from = rng.int(pieces.length);
    const piece = pieces[from]!;
    if (operation !== 1) pieces.splice(from, 1);
    if (operation !== 0) pieces.splice(rng.int(pieces.length + 1), 0, piece);
    const out = new Uint8Array(SIGNATURE + pieces.reduce((n, p) => n + p.length, 0) + tail.length);
    out.set(bytes.subarray(0, SIGNATURE));
    let at = SIGNATURE;
    for (const p of [...pieces, tail]) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  },
};

export const PNG_MUTATORS: readonly Mutator[] = [
  chunkOrder,
  ihdrField,
  idatRows,
  idatRows,
  physField,
  idatData,
  idatData,
  chunkType,
  chunkLength,
];
