import { crc32, deflateSync } from 'node:zlib';

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

/** Test helper: PNG's row filters forward (the decoder undoes them): the stored byte for each raw byte. */
export function filterRow(
  type: number,
  row: Uint8Array,
  above: Uint8Array | undefined,
  bpp: number,
) {
  const out = new Uint8Array(row.length + 1);
  out[0] = type;
  for (let i = 0; i < row.length; i++) {
    const a = i < bpp ? 0 : row[i - bpp]!;
    const b = above ? above[i]! : 0;
    const c = above && i >= bpp ? above[i - bpp]! : 0;
    const p = a + b - c;
    const paeth =
      Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
        ? a
        : Math.abs(p - b) <= Math.abs(p - c)
          ? b
          : c;
    const predicted = [0, a, b, (a + b) >> 1, paeth][type]!;
    out[i + 1] = row[i]! - predicted;
  }
  return out;
}

/** Test helper: a non-interlaced PNG whose row r (of `stride` bytes) is stored with filter `types[r]`. */
export function filteredPng(
  raw: Uint8Array,
  width: number,
  depth: number,
  colourType: number,
  channels: number,
  types: number[],
) {
  const bpp = Math.max(1, (channels * depth) / 8);
  const stride = (width * channels * depth) / 8;
  const rows = types.map((type, r) =>
    filterRow(
      type,
      raw.subarray(r * stride, (r + 1) * stride),
      r > 0 ? raw.subarray((r - 1) * stride, r * stride) : undefined,
      bpp,
    ),
  );
  const stream = new Uint8Array(rows.reduce((n, row) => n + row.length, 0));
  let at = 0;
  for (const row of rows) {
    stream.set(row, at);
    at += row.length;
  }
  return pngFile(
    pngChunk('IHDR', ihdrBody(width, types.length, depth, colourType)),
    pngChunk('IDAT', new Uint8Array(deflateSync(stream))),
    pngChunk('IEND', new Uint8Array(0)),
  );
}
