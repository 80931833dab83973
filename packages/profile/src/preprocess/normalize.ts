import {
  checkBoolean,
  checkNumber,
  checkOneOf,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import type { Image2D } from '../types.js';
import { imagePlanes, planesToImage } from './planes.js';

/** How {@link normalizeImage} rescales each channel. */
export type NormalizeMethod = 'minmax' | 'percentile' | 'zscore';

/** Options of {@link normalizeImage}. */
export interface NormalizeOptions {
  /**
   * `'minmax'` maps [min, max] to [0, 1]; `'percentile'` (default) maps the `low`–`high`
   * percentiles to [0, 1] (robust to a few hot pixels); `'zscore'` subtracts the mean and divides
   * by the (population) standard deviation.
   */
  method?: NormalizeMethod;
  /** Lower percentile for `'percentile'`, in [0, 100]. Default 1. */
  low?: number;
  /** Upper percentile for `'percentile'`, in [0, 100]. Default 99.8. */
  high?: number;
  /** Clip the result of `'minmax'`/`'percentile'` to [0, 1]. Default true. */
  clip?: boolean;
}

/** Defaults of {@link NormalizeOptions}. */
export const DEFAULT_NORMALIZE_OPTIONS = {
  method: 'percentile',
  low: 1,
  high: 99.8,
  clip: true,
} as const satisfies Required<NormalizeOptions>;

/**
 * The `q`-th percentile (0–100) of `values` with NumPy's default linear interpolation between
 * order statistics; `sorted` must be ascending.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  return (sorted[lo] as number) * (1 - t) + (sorted[hi] as number) * t;
}

/** Mean and population standard deviation of a plane. */
export function meanStd(plane: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < plane.length; i++) sum += plane[i] as number;
  const mean = sum / plane.length;
  let ss = 0;
  for (let i = 0; i < plane.length; i++) ss += ((plane[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(ss / plane.length) };
}

/** Applies `v → (v − offset) / scale` to a plane, optionally clipped to [0, 1]; scale 0 gives 0. */
function rescale(plane: Float64Array, offset: number, scale: number, clip: boolean): void {
  for (let i = 0; i < plane.length; i++) {
    let v = scale > 0 ? ((plane[i] as number) - offset) / scale : 0;
    if (clip) v = Math.min(1, Math.max(0, v));
    plane[i] = v;
  }
}

/**
 * Per-image, per-channel intensity normalisation (SPEC §8). A constant channel maps to 0.
 *
 * ```ts
 * import { normalizeImage } from '@cellshape/profile';
 * const image = { data: Uint16Array.of(0, 100, 200, 4000), shape: [2, 2, 1] as const };
 * normalizeImage(image, { method: 'minmax' }).data; // Float32Array [0, 0.025, 0.05, 1]
 * ```
 *
 * @returns a new float32 image of the same shape.
 */
export function normalizeImage(
  image: Image2D,
  options: NormalizeOptions = {},
): Image2D<Float32Array> {
  const fn = 'normalizeImage';
  const o = withDefaults(fn, DEFAULT_NORMALIZE_OPTIONS, options);
  checkOneOf(fn, 'options.method', o.method, ['minmax', 'percentile', 'zscore'] as const);
  checkNumber(fn, 'options.low', o.low, { min: 0, max: 100 });
  checkNumber(fn, 'options.high', o.high, { min: 0, max: 100 });
  checkBoolean(fn, 'options.clip', o.clip);
  if (o.method === 'percentile' && o.low >= o.high)
    throw invalidArgument(fn, 'options.low', `less than options.high (${o.high})`, o.low);
  const planes = imagePlanes(fn, 'image', image);
  for (const plane of planes) {
    if (o.method === 'zscore') {
      const { mean, std } = meanStd(plane);
      rescale(plane, mean, std, false);
    } else if (o.method === 'minmax') {
      let min = Infinity;
      let max = -Infinity;
      for (const v of plane) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      rescale(plane, min, max - min, o.clip);
    } else {
      const sorted = Float64Array.from(plane).sort();
      const lo = percentileOfSorted(sorted, o.low);
      rescale(plane, lo, percentileOfSorted(sorted, o.high) - lo, o.clip);
    }
  }
  return planesToImage(planes, image.shape[0], image.shape[1], image);
}
