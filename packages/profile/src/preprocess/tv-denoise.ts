import { checkInteger, checkPositive, withDefaults } from '@cellshape/core';
import type { Image2D } from '../types.js';
import { checkImageShape, imagePlanes, planesToImage } from './planes.js';

/** Options of {@link denoiseTvChambolle} (scikit-image's names and defaults). */
export interface TvChambolleOptions {
  /** Denoising weight λ in intensity units: larger is smoother (and less faithful). Default 0.1. */
  weight?: number;
  /** Stop when the energy changes by less than `eps · E₀` between iterations. Default 2e-4. */
  eps?: number;
  /** Iteration cap. Default 200. */
  maxIterations?: number;
}

/** Defaults of {@link TvChambolleOptions}. */
export const DEFAULT_TV_CHAMBOLLE_OPTIONS = {
  weight: 0.1,
  eps: 2e-4,
  maxIterations: 200,
} as const satisfies Required<TvChambolleOptions>;

/**
 * Chambolle's projection algorithm on one plane, the iteration and stopping rule of
 * `skimage.restoration.denoise_tv_chambolle` (0.19): dual field p (one component per axis),
 * step τ = 1/4, energy E = (‖div p‖² + λ·Σ|∇u|)/N; stops at the first iteration whose |ΔE| is
 * below eps·E₀ and returns that iterate.
 */
export function tvChambollePlane(
  image: Float64Array,
  height: number,
  width: number,
  o: Required<TvChambolleOptions>,
): Float64Array {
  const n = height * width;
  const py = new Float64Array(n);
  const px = new Float64Array(n);
  const out = new Float64Array(n);
  const tau = 0.25;
  let eInit = 0;
  let ePrevious = 0;
  for (let it = 0; it < o.maxIterations; it++) {
    let energy = 0;
    // out = image − (−div p) with the backward difference of p (first row/column: p itself)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        let d = -(py[i] as number) - (px[i] as number);
        if (y > 0) d += py[i - width] as number;
        if (x > 0) d += px[i - 1] as number;
        energy += d * d;
        out[i] = (image[i] as number) + d;
      }
    // forward differences of out (0 on the last row/column), then the projected dual step
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const gy = y < height - 1 ? (out[i + width] as number) - (out[i] as number) : 0;
        const gx = x < width - 1 ? (out[i + 1] as number) - (out[i] as number) : 0;
        const norm = Math.sqrt(gy * gy + gx * gx);
        energy += o.weight * norm;
        const scale = 1 + (norm * tau) / o.weight;
        py[i] = ((py[i] as number) - tau * gy) / scale;
        px[i] = ((px[i] as number) - tau * gx) / scale;
      }
    energy /= n;
    if (it === 0) {
      eInit = energy;
      ePrevious = energy;
    } else if (Math.abs(ePrevious - energy) < o.eps * eInit) break;
    else ePrevious = energy;
  }
  return out;
}

/**
 * Total-variation denoising (Chambolle 2004) of each channel separately, matching
 * `skimage.restoration.denoise_tv_chambolle(plane, weight, eps, max_num_iter)` on float input
 * (golden tests agree to 1e-6). Unlike scikit-image, integer images are not rescaled to [0, 1]
 * first: `weight` is in the image's own intensity units.
 *
 * @returns a new float32 image of the same shape.
 */
export function denoiseTvChambolle(
  image: Image2D,
  options: TvChambolleOptions = {},
): Image2D<Float32Array> {
  const fn = 'denoiseTvChambolle';
  const o = withDefaults(fn, DEFAULT_TV_CHAMBOLLE_OPTIONS, options);
  checkPositive(fn, 'options.weight', o.weight);
  checkPositive(fn, 'options.eps', o.eps, true);
  checkInteger(fn, 'options.maxIterations', o.maxIterations, { min: 1 });
  const [height, width] = checkImageShape(fn, 'image', image);
  const planes = imagePlanes(fn, 'image', image).map((p) => tvChambollePlane(p, height, width, o));
  return planesToImage(planes, height, width, image);
}
