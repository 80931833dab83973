import { checkNumber } from '@cellshape/core';
import { meanStd, percentileOfSorted } from '../preprocess/normalize.js';
import { imagePlanes } from '../preprocess/planes.js';
import type { Image2D } from '../types.js';

/** Intensity statistics of one channel (the endothelial thesis' QC set, after Bray et al. 2012). */
export interface IntensityStats {
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Population standard deviation (NumPy's default, ddof = 0). */
  std: number;
  /** Quantiles with NumPy's linear interpolation. */
  q01: number;
  q25: number;
  q75: number;
  q99: number;
  /** Sum of all pixel values ("total intensity"). */
  total: number;
  /** Fraction of pixels at or above the saturation value. */
  saturatedFraction: number;
}

/** Options of {@link intensityStats}. */
export interface IntensityOptions {
  /**
   * Pixels ≥ this value count as saturated. Default: the largest value of the image's integer
   * type (255 for Uint8, 65535 for Uint16, …); for float images, the channel's own maximum
   * (CellProfiler's "PercentMaximal": a clipped image has many pixels at its maximum).
   */
  saturationValue?: number;
}

const INTEGER_MAX: Record<string, number> = {
  Uint8Array: 255,
  Uint8ClampedArray: 255,
  Int8Array: 127,
  Uint16Array: 65535,
  Int16Array: 32767,
  Uint32Array: 4294967295,
  Int32Array: 2147483647,
};

/**
 * Per-channel intensity statistics: min, max, mean, median, std, 1/25/75/99 % quantiles, total
 * and saturated fraction.
 */
export function intensityStats(image: Image2D, options: IntensityOptions = {}): IntensityStats[] {
  const fn = 'intensityStats';
  if (options.saturationValue !== undefined)
    checkNumber(fn, 'options.saturationValue', options.saturationValue);
  const planes = imagePlanes(fn, 'image', image);
  const typeMax = INTEGER_MAX[image.data.constructor.name];
  return planes.map((plane) => {
    const sorted = Float64Array.from(plane).sort();
    const { mean, std } = meanStd(plane);
    const min = sorted[0] as number;
    const max = sorted[sorted.length - 1] as number;
    const saturation = options.saturationValue ?? typeMax ?? max;
    let saturated = 0;
    for (let i = sorted.length - 1; i >= 0 && (sorted[i] as number) >= saturation; i--) saturated++;
    return {
      min,
      max,
      mean,
      median: percentileOfSorted(sorted, 50),
      std,
      q01: percentileOfSorted(sorted, 1),
      q25: percentileOfSorted(sorted, 25),
      q75: percentileOfSorted(sorted, 75),
      q99: percentileOfSorted(sorted, 99),
      total: plane.reduce((a, b) => a + b, 0),
      saturatedFraction: saturated / plane.length,
    };
  });
}
