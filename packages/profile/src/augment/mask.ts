import { checkInteger, checkNumber, invalidArgument, type Rng } from '@cellshape/core';
import { footprintOffsets } from '../preprocess/median.js';
import type { Image2D } from '../types.js';

/**
 * Binary dilation of a `height × width` mask (nonzero = inside) by the disk of `radius`
 * (dy² + dx² ≤ r², scikit-image's `disk`): radius 2 is the GBM thesis' 5 × 5 disk (13 pixels;
 * OpenCV's 5 × 5 `MORPH_ELLIPSE` has 21). Returns 0/1 values.
 */
export function dilateMask(
  mask: ArrayLike<number>,
  height: number,
  width: number,
  radius = 2,
): Uint8Array {
  checkInteger('dilateMask', 'radius', radius, { min: 0 });
  if (mask.length !== height * width)
    throw invalidArgument('dilateMask', 'mask', `${height * width} values`, mask.length);
  const { dy, dx } = footprintOffsets(radius, 'disk');
  const out = new Uint8Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let k = 0; k < dy.length; k++) {
        const yy = y + (dy[k] as number);
        const xx = x + (dx[k] as number);
        if (yy >= 0 && yy < height && xx >= 0 && xx < width) out[yy * width + xx] = 1;
      }
    }
  return out;
}

/**
 * FBR, Full Blackout of the non-segmented Region: every pixel (all channels) outside the
 * (already dilated) mask set to 0, in place.
 */
export function blackoutOutside(image: Image2D<Float32Array>, mask: Uint8Array): void {
  const c = image.shape[2];
  for (let i = 0; i < mask.length; i++) if (!mask[i]) image.data.fill(0, i * c, (i + 1) * c);
}

/**
 * PBR, Partial Blackout of the non-segmented Region: a square of side U(side)·min(H, W) at a
 * uniform position set to 0 (all channels), except the pixels of the (already dilated) mask;
 * in place. Returns the square.
 */
export function blackoutSquare(
  image: Image2D<Float32Array>,
  mask: Uint8Array,
  rng: Rng,
  side: readonly [number, number] = [0.25, 0.75],
): { y: number; x: number; side: number } {
  checkNumber('blackoutSquare', 'side[0]', side[0], { min: 0, max: 1 });
  checkNumber('blackoutSquare', 'side[1]', side[1], { min: side[0], max: 1 });
  const [h, w, c] = image.shape;
  const s = Math.max(1, Math.min(h, w, Math.round(rng.uniform(side[0], side[1]) * Math.min(h, w))));
  const y0 = Math.floor(rng.next() * (h - s + 1));
  const x0 = Math.floor(rng.next() * (w - s + 1));
  for (let y = y0; y < y0 + s; y++)
    for (let x = x0; x < x0 + s; x++) {
      const i = y * w + x;
      if (!mask[i]) image.data.fill(0, i * c, (i + 1) * c);
    }
  return { y: y0, x: x0, side: s };
}
