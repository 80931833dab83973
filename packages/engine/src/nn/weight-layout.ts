import { type AnyTypedArray, invalidArgument, type NdArray, shapeSize } from '@cellshape/core';

/**
 * A copy of the row-major array `data` of shape `shape` with its axes permuted: axis `i` of the
 * result is axis `perm[i]` of the input (NumPy's `transpose(perm)`, PyTorch's `permute`).
 *
 * ```ts
 * permuteAxes(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]); // { data: [1, 4, 2, 5, 3, 6], shape: [3, 2] }
 * ```
 *
 * @throws InvalidArgumentError when `perm` is not a permutation of the axes or `data` does not
 *   hold `shape`'s number of values.
 */
export function permuteAxes<T extends AnyTypedArray>(
  data: T,
  shape: readonly number[],
  perm: readonly number[],
): NdArray<T> {
  const fn = 'permuteAxes';
  const rank = shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((axis, i) => axis !== i))
    throw invalidArgument(fn, 'perm', `a permutation of 0..${rank - 1}`, perm);
  if (data.length !== shapeSize(shape))
    throw invalidArgument(
      fn,
      'data',
      `${shapeSize(shape)} values (shape [${shape.join(', ')}])`,
      data.length,
    );
  const outShape = perm.map((axis) => shape[axis] as number);
  const inStrides = stridesOf(shape);
  // Stride in the input of each output axis: walking the output in order reads the input there.
  const strides = perm.map((axis) => inStrides[axis] as number);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[source] as never;
    for (let axis = rank - 1; axis >= 0; axis--) {
      source += strides[axis] as number;
      if (++(index[axis] as number) < (outShape[axis] as number)) break;
      source -= (strides[axis] as number) * (outShape[axis] as number);
      index[axis] = 0;
    }
  }
  return { data: out, shape: outShape };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--)
    strides[axis] = (strides[axis + 1] as number) * (shape[axis + 1] as number);
  return strides;
}

/**
 * The axis order that turns a PyTorch weight into tfjs's layout: the two channel axes swapped
 * and moved behind the kernel axes, `[2, …, rank − 1, 1, 0]`. It serves every layer:
 *
 * | layer | PyTorch | tfjs |
 * |---|---|---|
 * | `Linear` | `[out, in]` | `[in, out]` (`x · w`) |
 * | `Conv2d` / `Conv3d` | `[out, in, k…]` | `[k…, in, out]` (`tf.conv2d` / `tf.conv3d` filter) |
 * | `ConvTranspose2d` / `3d` | `[in, out, k…]` | `[k…, out, in]` (`tf.conv2dTranspose` / `tf.conv3dTranspose` filter) |
 */
export function torchToTfjsAxes(rank: number): number[] {
  if (!Number.isInteger(rank) || rank < 2)
    throw invalidArgument('torchToTfjsAxes', 'rank', 'an integer ≥ 2', rank);
  return [...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1, 0];
}

/** The inverse of {@link torchToTfjsAxes}: tfjs `[k…, a, b]` → PyTorch `[b, a, k…]`. */
export function tfjsToTorchAxes(rank: number): number[] {
  if (!Number.isInteger(rank) || rank < 2)
    throw invalidArgument('tfjsToTorchAxes', 'rank', 'an integer ≥ 2', rank);
  return [rank - 1, rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i)];
}

/**
 * A PyTorch weight (`Linear` `[out, in]`, convolution `[out, in, k…]`, transposed convolution
 * `[in, out, k…]`) in tfjs's layout (`[in, out]`, `[k…, in, out]`, `[k…, out, in]`); a copy.
 * See {@link torchToTfjsAxes}.
 */
export function weightToTfjs<T extends AnyTypedArray>(weight: NdArray<T>): NdArray<T> {
  return permuteAxes(weight.data, weight.shape, torchToTfjsAxes(weight.shape.length));
}

/** A weight in tfjs's layout back in PyTorch's, the inverse of {@link weightToTfjs}; a copy. */
export function weightToTorch<T extends AnyTypedArray>(weight: NdArray<T>): NdArray<T> {
  return permuteAxes(weight.data, weight.shape, tfjsToTorchAxes(weight.shape.length));
}
