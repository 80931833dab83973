import { invalidArgument, type NdArray, shapeSize, type TypedArray } from '@cellshape/core';
import ndarray from 'ndarray';
import type { Volume } from '../types.js';
import { assertVolume, isVolumeData } from './assert-volume.js';

/**
 * Interop with the scijs `ndarray` package (strided views used by ndarray-ops, zeros, etc.).
 * cellshape's own arrays are dense and C-ordered; these functions convert at the boundary.
 */

/** The `dtype` an `ndarray` (scijs) view reports for its data type. */
export type NdarrayDtype<T> = T extends Int8Array
  ? 'int8'
  : T extends Int16Array
    ? 'int16'
    : T extends Int32Array
      ? 'int32'
      : T extends Uint8Array
        ? 'uint8'
        : T extends Uint8ClampedArray
          ? 'uint8_clamped'
          : T extends Uint16Array
            ? 'uint16'
            : T extends Uint32Array
              ? 'uint32'
              : T extends Float32Array
                ? 'float32'
                : T extends Float64Array
                  ? 'float64'
                  : 'array';

/**
 * An `ndarray` (scijs) view over numeric data: the members of `ndarray`'s own `NdArray` type,
 * declared here so that the published types need no `@types/ndarray` (a devDependency: a
 * consumer would get TS7016, or `any` under `skipLibCheck`). The two are interchangeable:
 * views made by `ndarray(…)` are accepted, and these are accepted where `NdArray` is wanted.
 */
export interface NdarrayView<T extends TypedArray | number[] = TypedArray> {
  data: T;
  shape: number[];
  stride: number[];
  offset: number;
  dtype: NdarrayDtype<T>;
  size: number;
  order: number[];
  dimension: number;
  get(...index: number[]): number;
  set(...indexThenValue: number[]): number;
  index(...index: number[]): number;
  lo(...start: number[]): NdarrayView<T>;
  hi(...end: number[]): NdarrayView<T>;
  step(...steps: number[]): NdarrayView<T>;
  transpose(...axes: number[]): NdarrayView<T>;
  pick(...index: Array<number | null>): NdarrayView<T>;
  T: NdarrayView<T>;
}

/**
 * A scijs `ndarray` view over an {@link NdArray} or a {@link Volume} (shape [z, y, x]) without
 * copying: writes through the view change the original data.
 */
export function toNdarray<T extends TypedArray>(array: NdArray<T> | Volume<T>): NdarrayView<T> {
  const fn = 'toNdarray';
  if (typeof array !== 'object' || array === null)
    throw invalidArgument(fn, 'array', 'an object { data, shape }', array);
  const { data, shape } = array;
  if (!isVolumeData(data)) throw invalidArgument(fn, 'array.data', 'a numeric typed array', data);
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => Number.isInteger(d) && d >= 0) ||
    shapeSize(shape) !== data.length
  ) {
    throw invalidArgument(
      fn,
      'array.shape',
      `non-negative integers whose product is data.length (${data.length})`,
      shape,
    );
  }
  // ndarray's `NdArray<T>` and `NdarrayView<T>` are the same members, but TypeScript cannot
  // match their two `dtype` conditional types over a generic `T`.
  return ndarray(data, [...shape]) as unknown as NdarrayView<T>;
}

function assertNdarray(fn: string, nd: unknown): asserts nd is NdarrayView | NdarrayView<number[]> {
  const view = nd as Partial<NdarrayView> | null;
  if (
    typeof view !== 'object' ||
    view === null ||
    !Array.isArray(view.shape) ||
    !Array.isArray(view.stride) ||
    typeof view.offset !== 'number'
  ) {
    throw invalidArgument(fn, 'nd', 'an ndarray (with data, shape, stride and offset)', nd);
  }
  if (!(isVolumeData(view.data) || Array.isArray(view.data)))
    throw invalidArgument(fn, 'nd.data', 'a numeric typed array or an array of numbers', view.data);
  if (
    view.stride.length !== view.shape.length ||
    !view.shape.every((d) => Number.isInteger(d) && d >= 0) ||
    !view.stride.every((s) => Number.isInteger(s))
  ) {
    throw invalidArgument(fn, 'nd.shape', 'non-negative integers, one stride per axis', view.shape);
  }
}

/**
 * A dense, C-ordered copy of an `ndarray` view, honouring its strides and offset (transposed,
 * `.lo/.hi/.step` or `.pick` views): `{ data, shape }` with data of the view's typed-array type
 * (`Float64Array` when the view is over a plain array).
 */
export function fromNdarray(nd: NdarrayView | NdarrayView<number[]>): NdArray {
  const fn = 'fromNdarray';
  assertNdarray(fn, nd);
  const { data: source, offset } = nd;
  const shape = [...nd.shape];
  const stride = [...nd.stride];
  const size = shapeSize(shape);
  const out: TypedArray = Array.isArray(source)
    ? new Float64Array(size)
    : new (source.constructor as new (n: number) => TypedArray)(size);
  const src = source as ArrayLike<number>;
  if (size === 0) return { data: out, shape };
  const d = shape.length;
  const last = d === 0 ? 1 : shape[d - 1]!;
  const lastStride = d === 0 ? 0 : stride[d - 1]!;
  const index = new Array<number>(Math.max(0, d - 1)).fill(0);
  let base = offset;
  for (let o = 0; o < size; o += last) {
    for (let j = 0; j < last; j++) out[o + j] = src[base + j * lastStride]!;
    // Advance the odometer over all axes but the last.
    for (let a = d - 2; a >= 0; a--) {
      index[a]!++;
      base += stride[a]!;
      if (index[a]! < shape[a]!) break;
      base -= stride[a]! * shape[a]!;
      index[a] = 0;
    }
  }
  return { data: out, shape };
}

/**
 * A {@link Volume} copied from a 3-D [z, y, x] or 2-D [y, x] (→ [1, y, x]) `ndarray` view,
 * with an optional voxel `spacing` [z, y, x].
 */
export function volumeFromNdarray(
  nd: NdarrayView | NdarrayView<number[]>,
  spacing?: [number, number, number],
): Volume {
  const fn = 'volumeFromNdarray';
  assertNdarray(fn, nd);
  if (nd.shape.length !== 2 && nd.shape.length !== 3)
    throw invalidArgument(fn, 'nd.shape', '2-D [y, x] or 3-D [z, y, x]', nd.shape);
  if (
    spacing !== undefined &&
    (!Array.isArray(spacing) ||
      spacing.length !== 3 ||
      !spacing.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0))
  ) {
    throw invalidArgument(fn, 'spacing', 'undefined or three positive finite numbers', spacing);
  }
  const { data, shape } = fromNdarray(nd);
  const volume: Volume = {
    data,
    shape: shape.length === 2 ? [1, shape[0]!, shape[1]!] : [shape[0]!, shape[1]!, shape[2]!],
  };
  if (spacing !== undefined) volume.spacing = [...spacing];
  assertVolume(fn, 'nd', volume);
  return volume;
}
