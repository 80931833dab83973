import type { TypedArray } from '@cellshape/core';
import type { TiffIfd } from 'tiff';
import {
  BYTES_PER_SAMPLE,
  type Context,
  decodePart,
  type PageKind,
  type PageLayout,
  sampleReader,
} from './tiff-block.js';
import { SAMPLE_TYPES } from './tiff-sample.js';

/**
 * Reads a tiled single-sample page into `out` from element `start`: each tile decoded to exactly
 * its `tileWidth × tileLength` samples (uncompressed, PackBits, Deflate or LZW), the horizontal
 * predictor undone along each tile row, WhiteIsZero inverted, and the tile clipped to the image
 * (edge tiles are padded in the file). The offsets and byte counts were checked against the file
 * by the caller; the work is one pass over the decoded tiles, whose total the caller bounded by
 * the bytes present.
 */
export function readTiledPage(
  bytes: Uint8Array,
  ifd: TiffIfd,
  layout: PageLayout,
  littleEndian: boolean,
  out: TypedArray,
  start: number,
  ctx: Context,
): void {
  const { width, height, kind } = layout;
  const tw = ifd.tileWidth as number;
  const th = ifd.tileHeight as number;
  const offsets = ifd.tileOffsets as ArrayLike<number>;
  const counts = ifd.tileByteCounts as ArrayLike<number>;
  const across = Math.ceil(width / tw);
  const down = Math.ceil(height / th);
  // Bilevel tile rows start on a byte boundary.
  const rowBytes = kind === 'bit' ? Math.ceil(tw / 8) : (BYTES_PER_SAMPLE[kind] ?? 1) * tw;
  const invert = whiteIsZeroMaximum(ifd, layout);
  for (let ty = 0; ty < down; ty++)
    for (let tx = 0; tx < across; tx++) {
      const t = ty * across + tx;
      const offset = offsets[t]!;
      const tile = decodePart(
        bytes.subarray(offset, offset + counts[t]!),
        ifd.compression,
        th * rowBytes,
        ctx,
        `tile ${t}`,
      );
      const rowOf = rowReader(tile, kind, littleEndian, tw, rowBytes);
      const [x0, y0] = [tx * tw, ty * th];
      const [cols, rows] = [Math.min(tw, width - x0), Math.min(th, height - y0)];
      for (let r = 0; r < rows; r++) {
        const b = start + (y0 + r) * width + x0;
        rowOf(r, cols, out, b);
        // Typed-array stores wrap modulo 2^n as the predictor requires; the clipped columns are
        // the tile row's last, so the sum over the kept ones is complete.
        if (ifd.predictor === 2)
          for (let x = 1; x < cols; x++) out[b + x] = out[b + x]! + out[b + x - 1]!;
        if (invert > 0) for (let x = 0; x < cols; x++) out[b + x] = invert - out[b + x]!;
      }
    }
}

/**
 * Copies the first `cols` samples of tile row `r` to `out[b…]`: whole rows of a typed view when
 * the file's byte order is the machine's (little-endian), sample by sample otherwise.
 */
function rowReader(
  tile: Uint8Array,
  kind: PageKind,
  littleEndian: boolean,
  tw: number,
  rowBytes: number,
): (r: number, cols: number, out: TypedArray, b: number) => void {
  const size = BYTES_PER_SAMPLE[kind];
  if (size !== undefined && kind !== 'bit' && (size === 1 || littleEndian)) {
    // A typed view needs an aligned start: copy the (small) tile when it is not.
    const aligned = tile.byteOffset % size === 0 ? tile : tile.slice();
    const values = SAMPLE_TYPES[kind].view(
      aligned.buffer as ArrayBuffer,
      aligned.byteOffset,
      aligned.byteLength / size,
    );
    return (r, cols, out, b) => out.set(values.subarray(r * tw, r * tw + cols), b);
  }
  const read = sampleReader(
    kind,
    new DataView(tile.buffer, tile.byteOffset, tile.byteLength),
    littleEndian,
  );
  return (r, cols, out, b) => {
    for (let x = 0; x < cols; x++) out[b + x] = read(r * rowBytes, x);
  };
}

/** The largest sample value when the page is WhiteIsZero (read as `max − v`), else 0. */
function whiteIsZeroMaximum(ifd: TiffIfd, layout: PageLayout): number {
  if (ifd.type !== 0) return 0;
  if (layout.kind === 'bit') return 1;
  return layout.kind === 'uint16' ? 65535 : 255;
}
