import type { TypedArray } from '@cellshape/core';
import { checkInteger, invalidArgument } from '@cellshape/core';
import type { Image2D } from '../types.js';
import { checkImageShape, withPixelSize } from './planes.js';

/**
 * The central `height × width` window of an image (all channels), of the same array type. The
 * window starts at row ⌊(H − height)/2⌋ and column ⌊(W − width)/2⌋, so an odd margin leaves the
 * extra pixel at the bottom/right. The endothelial pipeline crops 1536 × 1536 to drop the
 * out-of-focus margins.
 *
 * @throws InvalidArgumentError when the window is larger than the image.
 */
export function centerCrop<T extends TypedArray>(
  image: Image2D<T>,
  size: readonly [number, number],
): Image2D<T> {
  const fn = 'centerCrop';
  const [h, w, c] = checkImageShape(fn, 'image', image);
  if (!Array.isArray(size) || size.length !== 2)
    throw invalidArgument(fn, 'size', '[height, width]', size);
  const ch = checkInteger(fn, 'size[0]', size[0], { min: 1 });
  const cw = checkInteger(fn, 'size[1]', size[1], { min: 1 });
  if (ch > h || cw > w)
    throw invalidArgument(fn, 'size', `at most the image size [${h}, ${w}]`, [ch, cw]);
  const y0 = Math.floor((h - ch) / 2);
  const x0 = Math.floor((w - cw) / 2);
  const Ctor = image.data.constructor as new (n: number) => T;
  const data = new Ctor(ch * cw * c);
  for (let y = 0; y < ch; y++) {
    const from = ((y + y0) * w + x0) * c;
    data.set(image.data.subarray(from, from + cw * c) as never, y * cw * c);
  }
  return withPixelSize({ data, shape: [ch, cw, c] as const }, image);
}
