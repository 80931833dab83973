import { checkNumber, checkOneOf, invalidArgument, withDefaults } from '@cellshape/core';
import { checkImageShape, imagePlanes } from '../preprocess/planes.js';
import type { Image2D } from '../types.js';
import { powerSpectrum2d } from './fft.js';

/** Options of {@link focusScore}. */
export interface FocusOptions {
  /** Lowest spatial frequency of the fit, cycles/pixel. Default 0.02 (skips the illumination scale). */
  minFrequency?: number;
  /**
   * Highest spatial frequency of the fit, cycles/pixel (Nyquist is 0.5). Default 0.125, as
   * CellProfiler (min(H, W)/8 frequency steps): above it, strong blur reaches the noise floor and
   * the slope flattens again, so the ranking of very blurred images would turn over.
   */
  maxFrequency?: number;
  /** Taper before the transform so the image edges add no spurious 1/f² cross. Default `'hann'`. */
  window?: 'hann' | 'none';
}

/** Defaults of {@link FocusOptions}. */
export const DEFAULT_FOCUS_OPTIONS = {
  minFrequency: 0.02,
  maxFrequency: 0.125,
  window: 'hann',
} as const satisfies Required<FocusOptions>;

/** The symmetric Hann taper of length n (all ones for n < 3). */
function hann(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  if (n >= 3) for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
  return w;
}

/**
 * The radially averaged power spectrum of one plane: mean |F|² over rings of width 1/L
 * cycles/pixel (L = min(height, width)), ring b holding the frequencies f with round(f·L) = b,
 * f = √((ky/H)² + (kx/W)²) for the signed integer frequencies ky, kx. Index 0 is the DC ring.
 */
export function radialPowerSpectrum(
  plane: Float64Array,
  height: number,
  width: number,
  window: 'hann' | 'none',
): Float64Array {
  let mean = 0;
  for (const v of plane) mean += v;
  mean /= plane.length;
  const wy = window === 'hann' ? hann(height) : new Float64Array(height).fill(1);
  const wx = window === 'hann' ? hann(width) : new Float64Array(width).fill(1);
  const tapered = new Float64Array(plane.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      tapered[y * width + x] =
        ((plane[y * width + x] as number) - mean) * (wy[y] as number) * (wx[x] as number);
  const power = powerSpectrum2d(tapered, height, width);
  const L = Math.min(height, width);
  const rings = Math.floor(Math.SQRT2 * 0.5 * L) + 2;
  const sum = new Float64Array(rings);
  const count = new Float64Array(rings);
  for (let ky = 0; ky < height; ky++) {
    const fy = Math.min(ky, height - ky) / height;
    for (let kx = 0; kx < width; kx++) {
      const fx = Math.min(kx, width - kx) / width;
      const b = Math.round(Math.sqrt(fy * fy + fx * fx) * L);
      sum[b] = (sum[b] as number) + (power[ky * width + kx] as number);
      count[b] = (count[b] as number) + 1;
    }
  }
  return sum.map((s, b) => (count[b] ? s / (count[b] as number) : 0));
}

/**
 * Focus score of each channel: the slope of the least-squares line through
 * (log₁₀ f, log₁₀ P(f)) of the radially averaged power spectrum (mean removed, Hann taper),
 * over the rings whose frequency f = b/L lies in [minFrequency, maxFrequency] (Field & Brady
 * 1997; Bray et al. 2012, CellProfiler's MeasureImageQuality "PowerLogLogSlope"). Sharp images
 * keep their high frequencies: the slope is less negative; blur makes it steeper. Compare
 * scores only between images of the same size, stain and optics.
 *
 * @returns one score per channel (NaN for a constant channel).
 * @throws InvalidArgumentError when fewer than 3 rings fall in the frequency range.
 */
export function focusScore(image: Image2D, options: FocusOptions = {}): number[] {
  const fn = 'focusScore';
  const o = withDefaults(fn, DEFAULT_FOCUS_OPTIONS, options);
  checkNumber(fn, 'options.minFrequency', o.minFrequency, { min: 0, max: 0.75 });
  checkNumber(fn, 'options.maxFrequency', o.maxFrequency, {
    min: o.minFrequency,
    max: 0.75,
    exclusiveMin: true,
  });
  checkOneOf(fn, 'options.window', o.window, ['hann', 'none'] as const);
  const [height, width] = checkImageShape(fn, 'image', image);
  const L = Math.min(height, width);
  const first = Math.max(1, Math.ceil(o.minFrequency * L - 1e-9));
  const last = Math.floor(o.maxFrequency * L + 1e-9);
  if (last - first + 1 < 3)
    throw invalidArgument(
      fn,
      'image',
      `at least 3 frequency rings in [${o.minFrequency}, ${o.maxFrequency}] cycles/pixel (a larger image)`,
      image.shape,
    );
  return imagePlanes(fn, 'image', image).map((plane) => {
    const radial = radialPowerSpectrum(plane, height, width, o.window);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let b = first; b <= last && b < radial.length; b++)
      if ((radial[b] as number) > 0) {
        xs.push(Math.log10(b / L));
        ys.push(Math.log10(radial[b] as number));
      }
    return xs.length < 3 ? Number.NaN : leastSquaresSlope(xs, ys);
  });
}

/** Slope of the least-squares line through (xs, ys). */
function leastSquaresSlope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  return sxy / sxx;
}
