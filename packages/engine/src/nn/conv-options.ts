import {
  checkBoolean,
  checkInteger,
  checkObject,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';

/** A size per spatial axis, or one size for every axis (PyTorch's `int or tuple`). */
export type SpatialSize = number | readonly number[];

/** Options of {@link Conv2d} and {@link Conv3d} (PyTorch's `Conv2d` / `Conv3d` arguments; dilation and groups 1). */
export interface ConvOptions {
  /** Input channels. */
  inChannels: number;
  /** Output channels. */
  outChannels: number;
  /** Kernel size per spatial axis (`[kh, kw]` or `[kd, kh, kw]`), or one for all. */
  kernelSize: SpatialSize;
  /** Stride per spatial axis. Default 1. */
  stride?: SpatialSize;
  /** Zeros added on both sides of each spatial axis. Default 0. */
  padding?: SpatialSize;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
}

/** Options of {@link ConvTranspose2d} and {@link ConvTranspose3d} (PyTorch's `ConvTranspose*d`). */
export interface ConvTransposeOptions extends ConvOptions {
  /**
   * Added to one side of each output axis, below the stride (PyTorch's `output_padding`, which
   * tells apart the input sizes a strided convolution maps to the same size). Default 0.
   */
  outputPadding?: SpatialSize;
}

/** Defaults of {@link ConvOptions} and {@link ConvTransposeOptions}. */
export const DEFAULT_CONV_OPTIONS: Readonly<{
  stride: number;
  padding: number;
  bias: boolean;
  outputPadding: number;
}> = Object.freeze({ stride: 1, padding: 0, bias: true, outputPadding: 0 });

/** Convolution options with one size per spatial axis. */
export interface ResolvedConv {
  inChannels: number;
  outChannels: number;
  kernelSize: number[];
  stride: number[];
  padding: number[];
  outputPadding: number[];
  bias: boolean;
}

function spatial(fn: string, arg: string, value: unknown, dims: number, min: number): number[] {
  const sizes = Array.isArray(value) ? value : new Array<unknown>(dims).fill(value);
  if (sizes.length !== dims)
    throw invalidArgument(fn, arg, `an integer or ${dims} integers ≥ ${min}`, value);
  return sizes.map((v, i) => checkInteger(fn, `${arg}[${i}]`, v, { min }));
}

/**
 * Validates and expands convolution options to one size per spatial axis. `transposed` checks
 * `outputPadding` < `stride`, as PyTorch does.
 */
export function resolveConvOptions(
  fn: string,
  dims: number,
  options: ConvOptions | ConvTransposeOptions,
  transposed: boolean,
): ResolvedConv {
  checkObject(fn, 'options', options);
  const o = withDefaults(fn, DEFAULT_CONV_OPTIONS, options as ConvTransposeOptions);
  const stride = spatial(fn, 'options.stride', o.stride, dims, 1);
  const outputPadding = spatial(fn, 'options.outputPadding', o.outputPadding, dims, 0);
  if (!transposed && outputPadding.some((p) => p !== 0))
    throw invalidArgument(
      fn,
      'options.outputPadding',
      'absent (only transposed convolutions have it)',
      o.outputPadding,
    );
  outputPadding.forEach((p, i) => {
    if (p >= (stride[i] as number))
      throw invalidArgument(
        fn,
        `options.outputPadding[${i}]`,
        `smaller than the stride (${stride[i]})`,
        p,
      );
  });
  return {
    inChannels: checkInteger(fn, 'options.inChannels', o.inChannels, { min: 1 }),
    outChannels: checkInteger(fn, 'options.outChannels', o.outChannels, { min: 1 }),
    kernelSize: spatial(fn, 'options.kernelSize', o.kernelSize, dims, 1),
    stride,
    padding: spatial(fn, 'options.padding', o.padding, dims, 0),
    outputPadding,
    bias: checkBoolean(fn, 'options.bias', o.bias),
  };
}

/**
 * PyTorch's output size of a convolution along one axis (dilation 1):
 * `⌊(size + 2·padding − kernel) / stride⌋ + 1`; below 1 the input is too small.
 */
export function convOutputSize(size: number, kernel: number, stride = 1, padding = 0): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/**
 * PyTorch's output size of a transposed convolution along one axis (dilation 1):
 * `(size − 1)·stride − 2·padding + kernel + outputPadding`.
 */
export function convTransposeOutputSize(
  size: number,
  kernel: number,
  stride = 1,
  padding = 0,
  outputPadding = 0,
): number {
  return (size - 1) * stride - 2 * padding + kernel + outputPadding;
}
