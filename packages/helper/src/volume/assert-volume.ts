import { describe, invalidArgument, type TypedArray } from '@cellshape/core';
import type { Volume } from '../types.js';

/** True for the numeric typed arrays a {@link Volume} may hold (not BigInt arrays, not DataView). */
export function isVolumeData(value: unknown): value is TypedArray {
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/**
 * Checks that `volume` is a well-formed {@link Volume}: a typed array, a shape of three positive
 * integers [z, y, x] whose product is the data length, and an optional spacing of three positive
 * finite numbers. Throws an `InvalidArgumentError` naming `fn` and `arg` otherwise.
 */
export function assertVolume(fn: string, arg: string, volume: unknown): asserts volume is Volume {
  if (typeof volume !== 'object' || volume === null)
    throw invalidArgument(fn, arg, 'a volume { data, shape: [z, y, x] }', volume);
  const { data, shape, spacing } = volume as Partial<Volume>;
  if (!isVolumeData(data))
    throw invalidArgument(fn, `${arg}.data`, 'a numeric typed array (not BigInt)', data);
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw invalidArgument(
      fn,
      `${arg}.shape`,
      '[z, y, x], three positive integers (a 2-D image is [1, y, x])',
      shape,
    );
  }
  if (shape[0] * shape[1] * shape[2] !== data.length) {
    throw invalidArgument(
      fn,
      `${arg}.shape`,
      `a shape whose size equals data.length (${data.length})`,
      shape,
    );
  }
  if (
    spacing !== undefined &&
    (!Array.isArray(spacing) ||
      spacing.length !== 3 ||
      !spacing.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0))
  ) {
    throw invalidArgument(
      fn,
      `${arg}.spacing`,
      'undefined or [z, y, x], three positive finite numbers',
      spacing,
    );
  }
}

/** Throws when a floating-point volume holds NaN (integer volumes cannot). */
export function assertNoNaN(fn: string, arg: string, data: TypedArray): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  for (let i = 0; i < data.length; i++) {
    if (Number.isNaN(data[i])) {
      throw invalidArgument(fn, arg, `free of NaN, found NaN at index ${i} of ${describe(data)}`);
    }
  }
}
