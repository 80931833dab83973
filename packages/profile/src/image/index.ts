/**
 * 2D images: TIFF and PNG in and out, label images, physical pixel size.
 *
 * ```ts
 * import { readImage2D, readLabelImage2D, writeImage2D } from '@cellshape/profile';
 * const image = readImage2D('phase_t01.tif');      // { data, shape: [height, width, channels], pixelSize? }
 * const labels = readLabelImage2D('masks_t01.png'); // Int32 ids, one channel
 * await writeImage2D('copy.png', image);
 * ```
 */
export { assertImage2D, firstNonFinite } from './assert-image.js';
export {
  DEFAULT_READ_IMAGE_2D_OPTIONS,
  type ImageFormat,
  imageFormatFromPath,
  type ReadImage2DOptions,
  readImage2D,
  readImageFrames2D,
  readLabelImage2D,
} from './read-image.js';
export {
  DEFAULT_WRITE_IMAGE_2D_OPTIONS,
  encodeImage2D,
  type WriteImage2DOptions,
  writeImage2D,
} from './write-image.js';
