import { checkNumber, checkOneOf, checkPositive, withDefaults } from '@cellshape/core';
import type { Image2D } from '../types.js';
import { foldIndex } from './gaussian.js';
import { imagePlanes, planesToImage } from './planes.js';

/**
 * Neighbourhood shape of the rank filters: `'disk'` is the pixels with dy² + dx² ≤ r²
 * (scikit-image's `morphology.disk(r)`; ImageJ's "Median…" uses ≤ r² + 1, a little larger),
 * `'square'` the (2r + 1)² window.
 */
export type Footprint = 'disk' | 'square';

/** Options of {@link medianFilter}. */
export interface MedianOptions {
  /** Neighbourhood radius in pixels (r = 0 copies). Default 2, as the endothelial pipeline. */
  radius?: number;
  /** Neighbourhood shape. Default `'disk'`. */
  footprint?: Footprint;
}

/** Defaults of {@link MedianOptions}. */
export const DEFAULT_MEDIAN_OPTIONS = {
  radius: 2,
  footprint: 'disk',
} as const satisfies Required<MedianOptions>;

/** Row and column offsets of a footprint, row-major (the disk of radius 2 has 13). */
export function footprintOffsets(
  radius: number,
  footprint: Footprint,
): { dy: Int32Array; dx: Int32Array } {
  const r = Math.floor(radius);
  const dy: number[] = [];
  const dx: number[] = [];
  for (let y = -r; y <= r; y++)
    for (let x = -r; x <= r; x++)
      if (footprint === 'square' || y * y + x * x <= radius * radius) {
        dy.push(y);
        dx.push(x);
      }
  return { dy: Int32Array.from(dy), dx: Int32Array.from(dx) };
}

/** The k-th smallest of `a[0..n)` (0-based), reordering `a` (Hoare selection, median of three). */
export function selectKth(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // order a[lo] ≤ a[mid] ≤ a[hi] so the pivot is a median of three
    if ((a[mid] as number) < (a[lo] as number)) swap(a, mid, lo);
    if ((a[hi] as number) < (a[lo] as number)) swap(a, hi, lo);
    if ((a[hi] as number) < (a[mid] as number)) swap(a, hi, mid);
    const pivot = a[mid] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/**
 * The median of each pixel's footprint in one plane, edges read by reflection (scipy's
 * `median_filter(mode='reflect')`): O(pixels · footprint size) through one reflected copy of
 * the plane and a selection per pixel.
 */
export function medianPlane(
  plane: Float64Array,
  height: number,
  width: number,
  radius: number,
  footprint: Footprint,
): Float64Array {
  const r = Math.floor(radius);
  if (r === 0) return Float64Array.from(plane);
  const pw = width + 2 * r;
  const padded = new Float64Array((height + 2 * r) * pw);
  for (let y = -r; y < height + r; y++) {
    const sy = foldIndex(y, height, 'reflect') * width;
    for (let x = -r; x < width + r; x++)
      padded[(y + r) * pw + x + r] = plane[sy + foldIndex(x, width, 'reflect')] as number;
  }
  const { dy, dx } = footprintOffsets(radius, footprint);
  const offsets = new Int32Array(dy.length);
  for (let k = 0; k < dy.length; k++) offsets[k] = (dy[k] as number) * pw + (dx[k] as number);
  const window = new Float64Array(offsets.length);
  const middle = offsets.length >> 1;
  const out = new Float64Array(plane.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const centre = (y + r) * pw + x + r;
      for (let k = 0; k < offsets.length; k++)
        window[k] = padded[centre + (offsets[k] as number)] as number;
      out[y * width + x] = selectKth(window, offsets.length, middle);
    }
  return out;
}

/**
 * Median filter of each channel over a disk or square neighbourhood: equals
 * `scipy.ndimage.median_filter(plane, footprint=disk(r), mode='reflect')` exactly (golden test).
 *
 * @returns a new float32 image of the same shape.
 */
export function medianFilter(image: Image2D, options: MedianOptions = {}): Image2D<Float32Array> {
  const fn = 'medianFilter';
  const o = withDefaults(fn, DEFAULT_MEDIAN_OPTIONS, options);
  checkPositive(fn, 'options.radius', o.radius, true);
  checkOneOf(fn, 'options.footprint', o.footprint, ['disk', 'square'] as const);
  const [height, width] = image.shape;
  const planes = imagePlanes(fn, 'image', image).map((p) =>
    medianPlane(p, height, width, o.radius, o.footprint),
  );
  return planesToImage(planes, height, width, image);
}

/** Which deviations {@link removeOutliers} replaces. */
export type OutlierKind = 'bright' | 'dark' | 'both';

/** Options of {@link removeOutliers}. */
export interface RemoveOutliersOptions extends MedianOptions {
  /** Smallest deviation from the local median that is replaced, in intensity units. Default 50. */
  threshold?: number;
  /** Replace pixels brighter (default), darker, or either way off the local median. */
  which?: OutlierKind;
}

/** Defaults of {@link RemoveOutliersOptions}: the endothelial nuclei channel (radius 10, 50, bright). */
export const DEFAULT_REMOVE_OUTLIERS_OPTIONS = {
  radius: 10,
  footprint: 'disk',
  threshold: 50,
  which: 'bright',
} as const satisfies Required<RemoveOutliersOptions>;

/**
 * Selective median filter, ImageJ's "Remove Outliers": a pixel is replaced by the median of its
 * neighbourhood when it is brighter (`'bright'`) / darker (`'dark'`) / either (`'both'`) than
 * that median by more than `threshold`; every other pixel keeps its value. Removes debris and hot
 * pixels while leaving structures larger than the disk untouched.
 *
 * @returns a new float32 image of the same shape.
 */
export function removeOutliers(
  image: Image2D,
  options: RemoveOutliersOptions = {},
): Image2D<Float32Array> {
  const fn = 'removeOutliers';
  const o = withDefaults(fn, DEFAULT_REMOVE_OUTLIERS_OPTIONS, options);
  checkPositive(fn, 'options.radius', o.radius, true);
  checkOneOf(fn, 'options.footprint', o.footprint, ['disk', 'square'] as const);
  checkNumber(fn, 'options.threshold', o.threshold, { min: 0 });
  checkOneOf(fn, 'options.which', o.which, ['bright', 'dark', 'both'] as const);
  const [height, width] = image.shape;
  const planes = imagePlanes(fn, 'image', image);
  for (const plane of planes) {
    const median = medianPlane(plane, height, width, o.radius, o.footprint);
    for (let i = 0; i < plane.length; i++) {
      const d = (plane[i] as number) - (median[i] as number);
      const outlier =
        o.which === 'bright'
          ? d > o.threshold
          : o.which === 'dark'
            ? -d > o.threshold
            : Math.abs(d) > o.threshold;
      if (outlier) plane[i] = median[i] as number;
    }
  }
  return planesToImage(planes, height, width, image);
}
