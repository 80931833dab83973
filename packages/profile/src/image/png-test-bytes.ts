import { crc32 } from 'node:zlib';

/** Test helper (not exported by the package): a PNG chunk — length, type, body and its CRC-32. */
export function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Test helper: a PNG of these chunks — the signature, then each chunk in order. */
export function pngFile(...chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 8));
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Test helper: an IHDR body (compression and filter methods 0). */
export function ihdrBody(
  width: number,
  height: number,
  depth: number,
  colourType: number,
  interlace = 0,
) {
  const body = new Uint8Array(13);
  const view = new DataView(body.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  body.set([depth, colourType, 0, 0, interlace], 8);
  return body;
}
