import {
  checkOneOf,
  checkPositive,
  invalidArgument,
  type ProgressCallback,
  reportProgress,
  withDefaults,
} from '@cellshape/core';
import type { Image2D } from '../types.js';
import { type BoundaryMode, gaussianBlurPlane } from './gaussian.js';
import { selectKth } from './median.js';
import { checkImageShape, imagePlanes, planesToImage } from './planes.js';

/** Options of {@link estimateIllumination}. */
export interface IlluminationOptions {
  /** Per-pixel statistic over the stack: `'median'` (default, ignores cells that pass by) or `'mean'`. */
  statistic?: 'median' | 'mean';
  /**
   * Standard deviation of the Gaussian that smooths the per-pixel statistic, in pixels.
   * Default: max(height, width) / 16 — much wider than a cell, narrower than the vignetting.
   */
  sigma?: number;
  /** Edge handling of the smoothing. Default `'nearest'` (no dark rim from reflected cells). */
  mode?: BoundaryMode;
  /** Called after each image is read (`phase: 'illumination'`) and after each channel's field. */
  onProgress?: ProgressCallback;
}

/**
 * The multiplicative illumination field of a stack of images of one channel set (one plate,
 * one microscope setting): per pixel, the median (or mean) of the stack; smoothed by a wide
 * Gaussian; divided by its own mean so that the field averages 1 in each channel. Divide each
 * image by it with {@link correctIllumination}. This is the retrospective flat field of
 * CellProfiler's CorrectIlluminationCalculate ("Each"/"All" images, median, Gaussian smoothing,
 * divide) and the simplest member of BaSiC's family (Peng et al. 2017, which also fits a dark
 * field and a per-image baseline; not done here).
 *
 * @throws InvalidArgumentError for an empty stack or images of different shapes.
 */
export function estimateIllumination(
  images: readonly Image2D[],
  options: IlluminationOptions = {},
): Image2D<Float32Array> {
  const fn = 'estimateIllumination';
  if (!Array.isArray(images) || images.length === 0)
    throw invalidArgument(fn, 'images', 'a non-empty array of images', images);
  const first = images[0] as Image2D;
  const [height, width, channels] = checkImageShape(fn, 'images[0]', first);
  const o = withDefaults(
    fn,
    { statistic: 'median', sigma: Math.max(height, width) / 16, mode: 'nearest' } as const,
    options,
  );
  checkOneOf(fn, 'options.statistic', o.statistic, ['median', 'mean'] as const);
  checkPositive(fn, 'options.sigma', o.sigma, true);
  checkOneOf(fn, 'options.mode', o.mode, ['reflect', 'nearest'] as const);
  const stack = images.map((image, k) => {
    const planes = imagePlanes(fn, `images[${k}]`, image);
    const [h, w, c] = image.shape;
    if (h !== height || w !== width || c !== channels)
      throw invalidArgument(
        fn,
        `images[${k}].shape`,
        `[${height}, ${width}, ${channels}] like images[0]`,
        image.shape,
      );
    reportProgress(o.onProgress, {
      phase: 'illumination',
      done: k + 1,
      total: images.length,
      message: 'read',
    });
    return planes;
  });
  const n = height * width;
  const column = new Float64Array(stack.length);
  const fields = Array.from({ length: channels }, (_, c) => {
    const field = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < stack.length; k++)
        column[k] = ((stack[k] as Float64Array[])[c] as Float64Array)[i] as number;
      field[i] =
        o.statistic === 'mean'
          ? column.reduce((a, b) => a + b, 0) / stack.length
          : stackMedian(column);
    }
    gaussianBlurPlane(field, height, width, o.sigma, { mode: o.mode });
    const mean = field.reduce((a, b) => a + b, 0) / n;
    if (!(mean > 0))
      throw invalidArgument(fn, 'images', `a positive mean intensity in channel ${c}`, mean);
    for (let i = 0; i < n; i++) field[i] = (field[i] as number) / mean;
    reportProgress(o.onProgress, {
      phase: 'illumination',
      done: c + 1,
      total: channels,
      message: 'field',
    });
    return field;
  });
  return planesToImage(fields, height, width, first);
}

/** The median of a small array, reordered in place (the mean of the two middle values for an even count). */
function stackMedian(work: Float64Array): number {
  const m = work.length >> 1;
  const upper = selectKth(work, work.length, m);
  if (work.length % 2 === 1) return upper;
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) if ((work[i] as number) > lower) lower = work[i] as number;
  return (lower + upper) / 2;
}

/**
 * Divides each pixel by the illumination field (per channel) from {@link estimateIllumination}.
 *
 * @throws InvalidArgumentError when the field's shape differs or it has a value ≤ 0.
 */
export function correctIllumination(image: Image2D, field: Image2D): Image2D<Float32Array> {
  const fn = 'correctIllumination';
  const planes = imagePlanes(fn, 'image', image);
  const fieldPlanes = imagePlanes(fn, 'field', field);
  if (image.shape.some((d, i) => d !== field.shape[i]))
    throw invalidArgument(
      fn,
      'field.shape',
      `[${image.shape.join(', ')}] like the image`,
      field.shape,
    );
  for (let c = 0; c < planes.length; c++) {
    const p = planes[c] as Float64Array;
    const f = fieldPlanes[c] as Float64Array;
    for (let i = 0; i < p.length; i++) {
      if (!((f[i] as number) > 0))
        throw invalidArgument(fn, `field.data[${i * planes.length + c}]`, 'a value > 0', f[i]);
      p[i] = (p[i] as number) / (f[i] as number);
    }
  }
  return planesToImage(planes, image.shape[0], image.shape[1], image);
}
