import { invalidArgument, isTypedArray } from '@cellshape/core';
import type { Image2D } from '../types.js';

/**
 * Checks that `image` is an {@link Image2D}: a typed array `data` of `height × width × channels`
 * elements and a `shape` of three positive integers. `fn` and `arg` name the caller and the
 * argument in the error.
 *
 * @throws InvalidArgumentError naming `fn` and `arg`.
 */
export function assertImage2D(fn: string, arg: string, image: unknown): asserts image is Image2D {
  if (image === null || typeof image !== 'object')
    throw invalidArgument(fn, arg, 'an Image2D { data, shape: [height, width, channels] }', image);
  const { data, shape } = image as Partial<Image2D>;
  if (!Array.isArray(shape) || shape.length !== 3)
    throw invalidArgument(
      fn,
      `${arg}.shape`,
      'a rank-3 shape [height, width, channels] (channels last)',
      Array.isArray(shape) ? `shape [${shape.join(', ')}]` : shape,
    );
  if (!shape.every((n) => Number.isSafeInteger(n) && n > 0))
    throw invalidArgument(fn, `${arg}.shape`, 'three positive integers', `[${shape.join(', ')}]`);
  if (!isTypedArray(data) || data instanceof BigInt64Array || data instanceof BigUint64Array)
    throw invalidArgument(fn, `${arg}.data`, 'a typed array (Uint8Array, Float32Array, …)', data);
  const size = shape[0] * shape[1] * shape[2];
  if (data.length !== size)
    throw invalidArgument(
      fn,
      `${arg}.data`,
      `${size} elements for shape [${shape.join(', ')}]`,
      `${data.length} elements`,
    );
}

/**
 * The index of the first NaN or infinite value of `image.data`, or -1. Integer images have none.
 */
export function firstNonFinite(image: Image2D): number {
  const { data } = image;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return -1;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}
