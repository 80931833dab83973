import { checkInteger, invalidArgument, type TypedArray } from '@cellshape/core';
import type { Image2D } from '../types.js';

/**
 * The channels of an image as separate row-major planes of float64 (`planes[c][y * width + x]`),
 * after checking its shape and refusing NaN and infinite pixels: every filter of this folder
 * works on one plane at a time, in double precision, and writes float32 back.
 *
 * @throws InvalidArgumentError naming `fn` and `arg` when the shape does not match the data or a
 *   pixel is not finite.
 */
export function imagePlanes(fn: string, arg: string, image: Image2D): Float64Array[] {
  const [height, width, channels] = checkImageShape(fn, arg, image);
  const n = height * width;
  const planes = Array.from({ length: channels }, () => new Float64Array(n));
  const data = image.data;
  for (let i = 0, k = 0; i < n; i++)
    for (let c = 0; c < channels; c++, k++) {
      const v = data[k] as number;
      if (!Number.isFinite(v))
        throw invalidArgument(fn, `${arg}.data[${k}]`, 'a finite pixel value', v);
      (planes[c] as Float64Array)[i] = v;
    }
  return planes;
}

/** `[height, width, channels]` of `image` once its shape and data length agree. */
export function checkImageShape(fn: string, arg: string, image: Image2D): [number, number, number] {
  if (image === null || typeof image !== 'object' || !ArrayBuffer.isView(image.data))
    throw invalidArgument(fn, arg, 'an Image2D { data, shape: [height, width, channels] }', image);
  const shape = image.shape;
  if (!Array.isArray(shape) || shape.length !== 3)
    throw invalidArgument(fn, `${arg}.shape`, '[height, width, channels]', shape);
  const [h, w, c] = shape.map((d, i) => checkInteger(fn, `${arg}.shape[${i}]`, d, { min: 1 })) as [
    number,
    number,
    number,
  ];
  if ((image.data as TypedArray).length !== h * w * c)
    throw invalidArgument(
      fn,
      `${arg}.data`,
      `${h * w * c} values for shape [${h}, ${w}, ${c}]`,
      `${(image.data as TypedArray).length} values`,
    );
  return [h, w, c];
}

/** Interleaves float64 planes back into a float32 channels-last image of the given size. */
export function planesToImage(
  planes: readonly Float64Array[],
  height: number,
  width: number,
  like?: Image2D,
): Image2D<Float32Array> {
  const channels = planes.length;
  const n = height * width;
  const data = new Float32Array(n * channels);
  for (let c = 0; c < channels; c++) {
    const plane = planes[c] as Float64Array;
    for (let i = 0; i < n; i++) data[i * channels + c] = plane[i] as number;
  }
  return withPixelSize({ data, shape: [height, width, channels] }, like);
}

/** `image` with the physical pixel size of `like` (when it has one). */
export function withPixelSize<T extends Image2D>(image: T, like: Image2D | undefined): T {
  if (like?.pixelSize !== undefined) image.pixelSize = like.pixelSize;
  if (like?.unit !== undefined) image.unit = like.unit;
  return image;
}
