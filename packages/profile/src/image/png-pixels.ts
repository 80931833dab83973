import { inflateSync } from 'node:zlib';

/**
 * The pixel stage of PNG decoding: the concatenated IDAT stream inflated by Node's zlib — which
 * checks the stream's Adler-32 and its end, so a corrupt or cut stream is an error, never a
 * wrong or zero-filled row — then the rows unfiltered and, for Adam7, the passes scattered.
 * Samples of 1–4 bits come out one byte each; 16-bit samples big-endian as stored.
 */

/** The stored layout of a PNG's pixels, from IHDR. */
export interface PngLayout {
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  depth: number;
  /** Samples per pixel. */
  channels: number;
  interlaced: boolean;
}

/** Adam7's seven passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** One sub-image of the stream: the whole image, or an Adam7 pass. */
interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  /** Its pixels across and down (0 when the pass is empty). */
  columns: number;
  rows: number;
}

function passesOf({ width, height, interlaced }: PngLayout): Pass[] {
  if (!interlaced) return [{ x0: 0, y0: 0, dx: 1, dy: 1, columns: width, rows: height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    columns: Math.max(0, Math.ceil((width - x0) / dx)),
    rows: Math.max(0, Math.ceil((height - y0) / dy)),
  }));
}

/** Bytes of one stored row of `columns` pixels, without its filter-type byte. */
function strideOf(layout: PngLayout, columns: number): number {
  return Math.ceil((columns * layout.channels * layout.depth) / 8);
}

/** Bytes the inflated stream must hold: every (non-empty) row with its filter-type byte. */
export function filteredLength(layout: PngLayout): number {
  let total = 0;
  for (const pass of passesOf(layout))
    if (pass.columns > 0) total += pass.rows * (1 + strideOf(layout, pass.columns));
  return total;
}

/**
 * Copies a row. Short rows are copied byte by byte: a subarray per row of a tall, thin image
 * (1 × 2³⁰ pixels from a 2 MB file) cost 170 ns a row, minutes in all.
 */
function copyRow(data: Uint8Array, src: number, out: Uint8Array, dst: number, stride: number) {
  if (stride < 64) for (let i = 0; i < stride; i++) out[dst + i] = data[src + i]!;
  else if (out === data) out.copyWithin(dst, src, src + stride);
  else out.set(data.subarray(src, src + stride), dst);
}

/**
 * Undoes the row filters of `rows` rows of `stride` bytes starting at `data[at]`, writing them
 * to `out` from `outAt`; returns where the next row starts in `data`. `out` may be `data` with
 * `outAt` ≤ `at` (in place): a row's writes stay behind its reads. Filter arithmetic is modulo
 * 256, which the Uint8Array store does.
 */
function unfilter(
  data: Uint8Array,
  at: number,
  rows: number,
  stride: number,
  bpp: number,
  out: Uint8Array,
  outAt: number,
  fail: (detail: string) => Error,
): number {
  for (let r = 0; r < rows; r++, at += stride + 1) {
    const filter = data[at]!;
    const src = at + 1;
    const dst = outAt + r * stride;
    const up = r === 0 ? -1 : dst - stride; // the row above, none on the first row
    if (filter === 0 || (filter === 2 && up < 0)) copyRow(data, src, out, dst, stride);
    else if (filter === 1 || (filter === 4 && up < 0))
      // Paeth with no row above predicts from the left, as Sub.
      for (let i = 0; i < stride; i++)
        out[dst + i] = data[src + i]! + (i < bpp ? 0 : out[dst + i - bpp]!);
    else if (filter === 2)
      for (let i = 0; i < stride; i++) out[dst + i] = data[src + i]! + out[up + i]!;
    else if (filter === 3)
      for (let i = 0; i < stride; i++) {
        const left = i < bpp ? 0 : out[dst + i - bpp]!;
        out[dst + i] = data[src + i]! + ((left + (up < 0 ? 0 : out[up + i]!)) >> 1);
      }
    else if (filter === 4)
      for (let i = 0; i < stride; i++) {
        const a = i < bpp ? 0 : out[dst + i - bpp]!;
        const b = out[up + i]!;
        const c = i < bpp ? 0 : out[up + i - bpp]!;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        out[dst + i] = data[src + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
    else throw fail(`row ${r} has filter type ${filter} (0–4 are defined)`);
  }
  return at;
}

/** Inflates the IDAT stream to exactly `expected` bytes, or throws `fail`. */
function inflateRows(idat: Uint8Array, expected: number, fail: (detail: string) => Error) {
  let data: Uint8Array;
  try {
    // Output in one piece when the rows take at most 8× the stream (so no copy joins pieces),
    // else in 1 MiB pieces: 16 KiB ones (the default) cost a fifth of the inflate time, and
    // neither lets a hostile stream make us allocate much before zlib has read it.
    const piece = Math.max(2 ** 20, 8 * idat.length);
    const chunkSize = Math.max(64, Math.min(expected, piece));
    data = inflateSync(idat, { maxOutputLength: Math.max(1, expected), chunkSize });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw fail(
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `its image data inflate to more than the ${expected} bytes its rows take`
        : `its image data are not a valid zlib stream (${(error as Error).message}; corrupt or truncated)`,
    );
  }
  if (data.length !== expected)
    throw fail(
      `its image data inflate to ${data.length} bytes, not the ${expected} its rows take (truncated?)`,
    );
  // The rows are unfiltered in place: a small output may be a piece of Node's shared buffer
  // pool, which is copied out; otherwise a plain Uint8Array view of zlib's own buffer.
  const own = data.byteOffset === 0 && data.buffer.byteLength === data.length;
  return own ? new Uint8Array(data.buffer, 0, data.length) : Uint8Array.from(data);
}

/** Sample `x` of a packed row of `depth`-bit samples starting at `row`. */
function packedSample(bytes: Uint8Array, row: number, x: number, depth: number): number {
  const bit = x * depth;
  return (bytes[row + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/**
 * The pixels of a PNG from its concatenated IDAT data, row-major with interleaved samples:
 * 1–8-bit samples one byte each, 16-bit samples as big-endian byte pairs.
 */
export function decodePngPixels(
  idat: Uint8Array,
  layout: PngLayout,
  fail: (detail: string) => Error,
): Uint8Array {
  const { width, height, depth, channels } = layout;
  const data = inflateRows(idat, filteredLength(layout), fail);
  const bpp = Math.max(1, (channels * depth) >> 3); // bytes per complete pixel, for the filters
  const passes = passesOf(layout);
  const packed = depth < 8;
  // A non-interlaced image of whole bytes is unfiltered in place, each row moved left over the
  // filter-type bytes before it (a row writes only where the stream was already read): no
  // second image-sized array.
  if (!layout.interlaced && !packed) {
    const stride = strideOf(layout, width);
    unfilter(data, 0, height, stride, bpp, data, 0, fail);
    return data.subarray(0, height * stride);
  }
  const pixelBytes = packed ? 1 : bpp; // packed samples (one channel) come out one byte each
  const out = new Uint8Array(width * height * pixelBytes);
  let at = 0;
  for (const pass of passes) {
    if (pass.columns === 0 || pass.rows === 0) continue;
    const stride = strideOf(layout, pass.columns);
    // Each pass is unfiltered in place too, then scattered from where its rows now start.
    const start = at;
    const failIn = (detail: string) => fail(`Adam7 pass ${passes.indexOf(pass) + 1}: ${detail}`);
    at = unfilter(data, at, pass.rows, stride, bpp, data, start, layout.interlaced ? failIn : fail);
    for (let r = 0; r < pass.rows; r++) {
      const y = pass.y0 + r * pass.dy;
      const row = start + r * stride;
      for (let c = 0; c < pass.columns; c++) {
        const to = (y * width + pass.x0 + c * pass.dx) * pixelBytes;
        if (packed) out[to] = packedSample(data, row, c, depth);
        else for (let b = 0, from = row + c * bpp; b < bpp; b++) out[to + b] = data[from + b]!;
      }
    }
  }
  return out;
}
