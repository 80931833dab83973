// Node's zlib CRC-32, not core's (the code under test) — and native, for multi-megabyte members.
import { crc32 } from 'node:zlib';

const crcs = new WeakMap<Uint8Array, number>();

/** The CRC-32 of `data`, remembered per array (the same bomb member goes into many cases). */
function crcOf(data: Uint8Array): number {
  let crc = crcs.get(data);
  if (crc === undefined) {
    crc = crc32(data);
    crcs.set(data, crc);
  }
  return crc;
}

/** A member's name and data, and optionally its raw deflate stream (then stored deflated). */
export type StoredEntry = readonly [string, Uint8Array, Uint8Array?];

/**
 * A stored (uncompressed) zip of `entries` in order, with correct CRC-32s. Unlike fflate's
 * `zipSync`, which takes an object, it keeps duplicate names and names such as `__proto__`.
 * An entry with a third element is stored deflated: that element is the raw deflate stream of
 * its data.
 */
export function storedZip(entries: readonly StoredEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data, deflated] of entries) {
    const n = enc.encode(name);
    const crc = crcOf(data);
    const body = deflated ?? data;
    const method = deflated ? 8 : 0;
    const local = new Uint8Array(30 + n.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(6, 0x800, true); // UTF-8 names
    l.setUint16(8, method, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, body.length, true);
    l.setUint32(22, data.length, true);
    l.setUint16(26, n.length, true);
    local.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const v = new DataView(c.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, 20, true);
    v.setUint16(8, 0x800, true);
    v.setUint16(10, method, true);
    v.setUint32(16, crc, true);
    v.setUint32(20, body.length, true);
    v.setUint32(24, data.length, true);
    v.setUint16(28, n.length, true);
    v.setUint32(42, offset, true);
    c.set(n, 46);
    parts.push(local, body);
    central.push(c);
    offset += local.length + body.length;
  }
  const centralSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + 22);
  let at = 0;
  for (const p of [...parts, ...central, end]) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
