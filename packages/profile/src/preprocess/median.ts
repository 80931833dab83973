import { checkNumber, checkOneOf, checkPositive, withDefaults } from '@cellshape/core';
import type { Image2D } from '../types.js';
import { BOUNDARY_MODES, type BoundaryMode, foldIndex } from './gaussian.js';
import { checkImageShape, imagePlanes, planesToImage } from './planes.js';

/**
 * Neighbourhood shape of the rank filters: `'disk'` is the pixels with dy² + dx² ≤ r²
 * (scikit-image's `morphology.disk(r)`, 13 pixels for r = 2); `'imagej'` ImageJ's circular
 * kernel of its rank filters, dy² + dx² ≤ ⌊r²⌋ + 1 (radius 1.5 read as 1.75 and 2.5 as 2.85,
 * as ImageJ does; 21 pixels for r = 2); `'square'` the (2⌊r⌋ + 1)² window.
 */
export type Footprint = 'disk' | 'imagej' | 'square';

/** Footprint names, for validation. */
const FOOTPRINTS: readonly Footprint[] = ['disk', 'imagej', 'square'];

/** Options of {@link medianFilter}. */
export interface MedianOptions {
  /** Neighbourhood radius in pixels (r = 0 copies). Default 2, as the endothelial pipeline. */
  radius?: number;
  /** Neighbourhood shape. Default `'disk'`. */
  footprint?: Footprint;
  /** Edge handling: `'reflect'` (default, scipy's) or `'nearest'` (ImageJ's edge pixels). */
  mode?: BoundaryMode;
}

/** Defaults of {@link MedianOptions}. */
export const DEFAULT_MEDIAN_OPTIONS = {
  radius: 2,
  footprint: 'disk',
  mode: 'reflect',
} as const satisfies Required<MedianOptions>;

/** Row and column offsets of a footprint, row-major (the disk of radius 2 has 13). */
export function footprintOffsets(
  radius: number,
  footprint: Footprint,
): { dy: Int32Array; dx: Int32Array } {
  let limit = radius * radius;
  if (footprint === 'imagej') {
    const adjusted =
      radius >= 1.5 && radius < 1.75 ? 1.75 : radius >= 2.5 && radius < 2.85 ? 2.85 : radius;
    limit = Math.floor(adjusted * adjusted) + 1;
  }
  const r = footprint === 'square' ? Math.floor(radius) : Math.floor(Math.sqrt(limit + 1e-10));
  const dy: number[] = [];
  const dx: number[] = [];
  for (let y = -r; y <= r; y++)
    for (let x = -r; x <= r; x++)
      if (footprint === 'square' || y * y + x * x <= limit) {
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

/** The sorted distinct values of `values` and each value's index among them. */
function rankValues(values: Float64Array): { distinct: Float64Array; ranks: Int32Array } {
  const sorted = Float64Array.from(values).sort();
  let m = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[m - 1]) sorted[m++] = sorted[i] as number;
  const distinct = sorted.slice(0, m);
  const ranks = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((distinct[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo;
  }
  return { distinct, ranks };
}

/** Footprints up to this many pixels use per-pixel selection (see `medianPlane`). */
const SELECTION_MAX_FOOTPRINT = 49;
/** Planes with more distinct values than this use per-pixel selection (see `medianPlane`). */
const HISTOGRAM_MAX_DISTINCT = 65536;

/** The median of each footprint of a reflected, padded plane by selection: O(pixels · footprint). */
function medianBySelection(
  padded: Float64Array,
  height: number,
  width: number,
  r: number,
  dy: Int32Array,
  dx: Int32Array,
): Float64Array {
  const pw = width + 2 * r;
  const offsets = new Int32Array(dy.length);
  for (let k = 0; k < dy.length; k++) offsets[k] = (dy[k] as number) * pw + (dx[k] as number);
  const window = new Float64Array(offsets.length);
  const middle = offsets.length >> 1;
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const centre = (y + r) * pw + x + r;
      for (let k = 0; k < offsets.length; k++)
        window[k] = padded[centre + (offsets[k] as number)] as number;
      out[y * width + x] = selectKth(window, offsets.length, middle);
    }
  return out;
}

/** Bins per coarse block of the two-level histogram. */
const BLOCK = 256;

/**
 * A two-level histogram over ranks that tracks the k-th smallest entry as entries come and go
 * (Huang, Yang & Tang 1979, with coarse blocks so the tracked position skips empty stretches).
 */
class SlidingRank {
  readonly fine: Int32Array;
  readonly coarse: Int32Array;
  /** Current answer (a rank) and the number of entries below it. */
  at = 0;
  below = 0;

  constructor(bins: number) {
    this.fine = new Int32Array(bins);
    this.coarse = new Int32Array(Math.ceil(bins / BLOCK));
  }

  add(rank: number, delta: 1 | -1): void {
    this.fine[rank] = (this.fine[rank] as number) + delta;
    this.coarse[rank >> 8] = (this.coarse[rank >> 8] as number) + delta;
    if (rank < this.at) this.below += delta;
  }

  /** Moves to the k-th smallest entry (0-based) and returns its rank. */
  select(k: number): number {
    const { fine, coarse } = this;
    while (this.below > k) {
      const block = this.at >> 8;
      if ((this.at & (BLOCK - 1)) === 0 && this.below - (coarse[block - 1] as number) > k) {
        this.below -= coarse[block - 1] as number;
        this.at -= BLOCK;
      } else this.below -= fine[--this.at] as number;
    }
    while (this.below + (fine[this.at] as number) <= k) {
      const block = this.at >> 8;
      if ((this.at & (BLOCK - 1)) === 0 && this.below + (coarse[block] as number) <= k) {
        this.below += coarse[block] as number;
        this.at += BLOCK;
      } else this.below += fine[this.at++] as number;
    }
    return this.at;
  }
}

/**
 * The median of each pixel's footprint in one plane, edges read by `mode` (scipy's
 * `median_filter` modes), exact for any values. Wide footprints on data with at most
 * 65536 distinct values (8/16-bit images): pixels are replaced by their rank among the distinct
 * values and a histogram of ranks slides along each row, updating only the footprint's left and
 * right edges — O(pixels · r). Otherwise: a selection per pixel, O(pixels · footprint).
 */
export function medianPlane(
  plane: Float64Array,
  height: number,
  width: number,
  radius: number,
  footprint: Footprint,
  mode: BoundaryMode = 'reflect',
): Float64Array {
  const { dy, dx } = footprintOffsets(radius, footprint);
  const r = dy[dy.length - 1] as number;
  if (r === 0) return Float64Array.from(plane);
  const pw = width + 2 * r;
  const padded = new Float64Array((height + 2 * r) * pw);
  for (let y = -r; y < height + r; y++) {
    const sy = foldIndex(y, height, mode) * width;
    for (let x = -r; x < width + r; x++)
      padded[(y + r) * pw + x + r] = plane[sy + foldIndex(x, width, mode)] as number;
  }
  // The histogram pays per distinct value between successive medians: it wins for 8/16-bit-like
  // data and wide footprints; selection wins for small footprints and many distinct values.
  if (dy.length <= SELECTION_MAX_FOOTPRINT)
    return medianBySelection(padded, height, width, r, dy, dx);
  const { distinct, ranks } = rankValues(padded);
  if (distinct.length > HISTOGRAM_MAX_DISTINCT)
    return medianBySelection(padded, height, width, r, dy, dx);
  const half = new Int32Array(2 * r + 1).fill(-1); // half-width of the footprint's row dy + r
  for (let i = 0; i < dy.length; i++)
    half[(dy[i] as number) + r] = Math.max(
      half[(dy[i] as number) + r] as number,
      Math.abs(dx[i] as number),
    );
  const k = dy.length >> 1;
  const hist = new SlidingRank(distinct.length);
  const out = new Float64Array(plane.length);
  const addFirstWindow = (y: number): void => {
    for (let j = 0; j <= 2 * r; j++) {
      const row = (y + j) * pw + r;
      for (let d = -(half[j] as number); d <= (half[j] as number); d++)
        hist.add(ranks[row + d] as number, 1);
    }
  };
  for (let y = 0; y < height; y++) {
    addFirstWindow(y);
    out[y * width] = distinct[hist.select(k)] as number;
    for (let x = 1; x < width; x++) {
      for (let j = 0; j <= 2 * r; j++) {
        const h = half[j] as number;
        if (h < 0) continue;
        const row = (y + j) * pw + r + x;
        hist.add(ranks[row - h - 1] as number, -1);
        hist.add(ranks[row + h] as number, 1);
      }
      out[y * width + x] = distinct[hist.select(k)] as number;
    }
    // empty the histogram by removing the last window of the row
    for (let j = 0; j <= 2 * r; j++) {
      const row = (y + j) * pw + r + width - 1;
      for (let d = -(half[j] as number); d <= (half[j] as number); d++)
        hist.add(ranks[row + d] as number, -1);
    }
  }
  return out;
}

/**
 * Median filter of each channel over a disk or square neighbourhood: with the defaults, equals
 * `scipy.ndimage.median_filter(plane, footprint=disk(r), mode='reflect')`; with
 * `{ footprint: 'imagej', mode: 'nearest' }`, ImageJ's Process › Filters › Median (golden tests).
 *
 * @returns a new float32 image of the same shape.
 */
export function medianFilter(image: Image2D, options: MedianOptions = {}): Image2D<Float32Array> {
  const fn = 'medianFilter';
  const o = withDefaults(fn, DEFAULT_MEDIAN_OPTIONS, options);
  checkPositive(fn, 'options.radius', o.radius, true);
  checkOneOf(fn, 'options.footprint', o.footprint, FOOTPRINTS);
  checkOneOf(fn, 'options.mode', o.mode, BOUNDARY_MODES);
  const [height, width] = checkImageShape(fn, 'image', image);
  const planes = imagePlanes(fn, 'image', image).map((p) =>
    medianPlane(p, height, width, o.radius, o.footprint, o.mode),
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

/**
 * Defaults of {@link RemoveOutliersOptions}: the endothelial nuclei channel (radius 10, 50,
 * bright) with ImageJ's kernel and edges, so the filter is ImageJ's "Remove Outliers".
 */
export const DEFAULT_REMOVE_OUTLIERS_OPTIONS = {
  radius: 10,
  footprint: 'imagej',
  mode: 'nearest',
  threshold: 50,
  which: 'bright',
} as const satisfies Required<RemoveOutliersOptions>;

/**
 * Selective median filter, ImageJ's "Remove Outliers": a pixel is replaced by the median of its
 * neighbourhood when it is brighter (`'bright'`) / darker (`'dark'`) / either (`'both'`) than
 * that median by more than `threshold`; every other pixel keeps its value. Removes debris and hot
 * pixels while leaving structures larger than the disk untouched. With the defaults, equals
 * ImageJ 1.52i's Process › Noise › Remove Outliers (golden tests).
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
  checkOneOf(fn, 'options.footprint', o.footprint, FOOTPRINTS);
  checkOneOf(fn, 'options.mode', o.mode, BOUNDARY_MODES);
  checkNumber(fn, 'options.threshold', o.threshold, { min: 0 });
  checkOneOf(fn, 'options.which', o.which, ['bright', 'dark', 'both'] as const);
  const [height, width] = checkImageShape(fn, 'image', image);
  const planes = imagePlanes(fn, 'image', image);
  for (const plane of planes) {
    const median = medianPlane(plane, height, width, o.radius, o.footprint, o.mode);
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
