import type { TypedArray } from '@cellshape/core';

/**
 * A 2D image, channels last: the value of channel `c` at row `y`, column `x` is
 * `data[(y * width + x) * channels + c]`. Every function of the package that takes or returns
 * an image uses this shape, so images cross package boundaries as plain typed arrays.
 */
export interface Image2D<T extends TypedArray = TypedArray> {
  data: T;
  /** `[height, width, channels]`. */
  shape: readonly [number, number, number];
  /** Physical size of one pixel `[y, x]` in {@link Image2D.unit}, when the file carries it. */
  pixelSize?: readonly [number, number];
  /** Unit of {@link Image2D.pixelSize}, e.g. `'µm'`. */
  unit?: string;
}
