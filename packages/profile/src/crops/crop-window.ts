import type { TypedArray } from '@cellshape/core';
import type { Image2D } from '../types.js';

/**
 * The crop geometry every crop of the package uses: an S×S window whose centre pixel — at crop
 * index `floor(S / 2)` along each axis, so `(64, 64)` of a 128 crop and `(2, 2)` of a 5 crop —
 * is the image pixel `(cy, cx)`. Rows `cy - floor(S/2) … cy - floor(S/2) + S - 1` are taken, and
 * likewise columns.
 */
export interface CropWindow {
  /** First image row and column of the window (may be negative when padding). */
  top: number;
  left: number;
  size: number;
}

/** The window of size `size` centred on pixel `(cy, cx)`. */
export function cropWindow(cy: number, cx: number, size: number): CropWindow {
  const half = Math.floor(size / 2);
  return { top: cy - half, left: cx - half, size };
}

/** Whether the window lies wholly inside an image of `height × width`. */
export function windowInside(window: CropWindow, height: number, width: number): boolean {
  return (
    window.top >= 0 &&
    window.left >= 0 &&
    window.top + window.size <= height &&
    window.left + window.size <= width
  );
}

/** Copies the window out of `image` (all channels); pixels outside the image get `fill`. */
export function copyWindow<T extends TypedArray>(
  image: Image2D<T>,
  window: CropWindow,
  fill: number,
): Image2D<T> {
  const [height, width, channels] = image.shape;
  const { top, left, size } = window;
  const data = new (image.data.constructor as new (length: number) => T)(size * size * channels);
  if (fill !== 0) data.fill(fill);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(size, width - left);
  for (let r = 0; r < size; r++) {
    const y = top + r;
    if (y < 0 || y >= height || x1 <= x0) continue;
    const from = (y * width + left + x0) * channels;
    data.set(image.data.subarray(from, from + (x1 - x0) * channels), (r * size + x0) * channels);
  }
  const crop: Image2D<T> = { data, shape: [size, size, channels] };
  if (image.pixelSize) crop.pixelSize = image.pixelSize;
  if (image.unit !== undefined) crop.unit = image.unit;
  return crop;
}
