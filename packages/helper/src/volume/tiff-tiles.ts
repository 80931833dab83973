import {
  BYTES_PER_SAMPLE,
  decodePart,
  finishRow,
  type PageRead,
  partRows,
  undoFloatPredictor,
  whiteIsZeroMaximum,
} from './tiff-block.js';

/**
 * Reads a tiled single-sample page into `out` from element `start`: each tile decoded to exactly
 * its `tileWidth × tileLength` samples (uncompressed, PackBits, Deflate or LZW), the predictor
 * (horizontal, or floating-point) undone along each tile row, WhiteIsZero inverted, and the tile clipped to the image
 * (edge tiles are padded in the file). The offsets and byte counts were checked against the file
 * by the caller; the work is one pass over the decoded tiles, whose total the caller bounded by
 * the bytes present.
 */
export function readTiledPage(page: PageRead): void {
  const { bytes, ifd, layout, littleEndian, out, start, ctx } = page;
  const { width, height, kind } = layout;
  const tw = ifd.tileWidth as number;
  const th = ifd.tileHeight as number;
  const offsets = ifd.tileOffsets as ArrayLike<number>;
  const counts = ifd.tileByteCounts as ArrayLike<number>;
  const across = Math.ceil(width / tw);
  const down = Math.ceil(height / th);
  // Bilevel tile rows start on a byte boundary.
  const rowBytes = kind === 'bit' ? Math.ceil(tw / 8) : (BYTES_PER_SAMPLE[kind] ?? 1) * tw;
  const invert = whiteIsZeroMaximum(ifd.type as number | undefined, kind);
  for (let ty = 0; ty < down; ty++)
    for (let tx = 0; tx < across; tx++) {
      const t = ty * across + tx;
      const offset = offsets[t]!;
      const tile = decodePart(
        bytes.subarray(offset, offset + counts[t]!),
        ifd.compression,
        th * rowBytes,
        th * rowBytes,
        ctx,
        `tile ${t}`,
      );
      const samples =
        ifd.predictor === 3
          ? undoFloatPredictor(tile, th, rowBytes, BYTES_PER_SAMPLE[kind]!, 1, littleEndian)
          : tile;
      const copyRow = partRows(samples, kind, littleEndian, rowBytes);
      const [x0, y0] = [tx * tw, ty * th];
      const [cols, rows] = [Math.min(tw, width - x0), Math.min(th, height - y0)];
      for (let r = 0; r < rows; r++) {
        const b = start + (y0 + r) * width + x0;
        copyRow(r, 0, 1, cols, out, b);
        // The clipped columns are the tile row's last: the predictor's sum over the kept ones is complete.
        finishRow(out, b, cols, ifd.predictor, invert);
      }
    }
}
