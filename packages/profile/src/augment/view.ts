import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  invalidArgument,
  Rng,
  withDefaults,
} from '@cellshape/core';
import { gaussianBlurPlane } from '../preprocess/gaussian.js';
import { meanStd } from '../preprocess/normalize.js';
import { checkImageShape, imagePlanes, planesToImage } from '../preprocess/planes.js';
import type { Image2D } from '../types.js';
import {
  flip,
  type RandomResizedCropOptions,
  randomCropBox,
  resizeBox,
  rotate90,
} from './geometry.js';
import { blackoutOutside, blackoutSquare, dilateMask } from './mask.js';

/** Which blackout of the non-segmented region a view gets (GBM thesis §3.4.1). */
export type Blackout = 'none' | 'pbr' | 'fbr';

/** Options of {@link augmentView} and {@link augmentBatch}; every step is seeded by the caller's `Rng`. */
export interface AugmentOptions {
  /** Random resized crop first (endothelial pipeline); `false` (default) skips it. */
  crop?: RandomResizedCropOptions | false;
  /** A random number (0–3) of quarter turns. Default true. */
  rotate?: boolean;
  /** Horizontal and vertical flips, each with probability ½. Default true. */
  flip?: boolean;
  /** Gaussian blur with σ ~ U(blur[0], blur[1]) pixels; `false` skips it. Default [0, 1] ("mild"). */
  blur?: readonly [number, number] | false;
  /** Blackout of the non-segmented region; needs a mask. Default `'none'`. */
  blackout?: Blackout;
  /** Radius of the disk the mask is dilated by before the blackout. Default 2 (a 5 × 5 disk). */
  dilateRadius?: number;
  /** PBR square side as a fraction of min(H, W). Default [0.25, 0.75]. */
  pbrSide?: readonly [number, number];
  /** Per-channel z-score last, (c − mean)/std (a constant channel becomes 0). Default false. */
  zScore?: boolean;
}

/** Defaults of {@link AugmentOptions}. */
export const DEFAULT_AUGMENT_OPTIONS = {
  crop: false,
  rotate: true,
  flip: true,
  blur: [0, 1],
  blackout: 'none',
  dilateRadius: 2,
  pbrSide: [0.25, 0.75],
  zScore: false,
} as const satisfies Required<AugmentOptions>;

/** A drawn view: the image, and the transformed dilated mask when a mask was given. */
export interface AugmentedView {
  image: Image2D<Float32Array>;
  mask?: Uint8Array;
}

function checkAugmentOptions(fn: string, options: AugmentOptions): Required<AugmentOptions> {
  const o = withDefaults(fn, DEFAULT_AUGMENT_OPTIONS, options) as Required<AugmentOptions>;
  checkBoolean(fn, 'options.rotate', o.rotate);
  checkBoolean(fn, 'options.flip', o.flip);
  checkBoolean(fn, 'options.zScore', o.zScore);
  checkOneOf(fn, 'options.blackout', o.blackout, ['none', 'pbr', 'fbr'] as const);
  checkInteger(fn, 'options.dilateRadius', o.dilateRadius, { min: 0 });
  if (o.blur !== false) {
    if (!Array.isArray(o.blur) || o.blur.length !== 2)
      throw invalidArgument(fn, 'options.blur', '[minSigma, maxSigma] or false', o.blur);
    checkNumber(fn, 'options.blur[0]', o.blur[0], { min: 0 });
    checkNumber(fn, 'options.blur[1]', o.blur[1], { min: o.blur[0] });
  }
  if (o.crop !== false && (o.crop === null || typeof o.crop !== 'object'))
    throw invalidArgument(fn, 'options.crop', 'crop options or false', o.crop);
  return o;
}

/**
 * Draws one random view of an image (and its cell mask): random resized crop → quarter turns →
 * flips → Gaussian blur → PBR/FBR blackout (outside the mask dilated by a disk) → z-score, each
 * step as configured. Every call draws fresh randomness from `rng`: call it twice per crop per
 * epoch for a Barlow Twins pair. Same `rng` state → same view.
 *
 * ```ts
 * import { createRng } from '@cellshape/core';
 * import { augmentView } from '@cellshape/profile';
 * const crop = { data: new Float32Array(64 * 64), shape: [64, 64, 1] as const };
 * const rng = createRng(1);
 * const [a, b] = [augmentView(crop, undefined, rng), augmentView(crop, undefined, rng)];
 * ```
 *
 * @param mask `height × width` values, nonzero inside the cell; required for PBR and FBR.
 */
export function augmentView(
  image: Image2D,
  mask: Uint8Array | undefined,
  rng: Rng,
  options: AugmentOptions = {},
): AugmentedView {
  const fn = 'augmentView';
  const o = checkAugmentOptions(fn, options);
  const [h, w] = checkImageShape(fn, 'image', image);
  if (!(rng instanceof Rng)) throw invalidArgument(fn, 'rng', 'an Rng (createRng(seed))', rng);
  if (mask !== undefined && mask.length !== h * w)
    throw invalidArgument(fn, 'mask', `${h * w} values (height × width)`, mask.length);
  if (o.blackout !== 'none' && mask === undefined)
    throw invalidArgument(fn, 'mask', `a cell mask for blackout '${o.blackout}'`, mask);
  let view = planesToImage(imagePlanes(fn, 'image', image), h, w, image);
  let m: Image2D<Uint8Array> | undefined = mask && {
    data: dilateMask(mask, h, w, o.dilateRadius),
    shape: [h, w, 1],
  };
  if (o.crop !== false) {
    const box = randomCropBox(h, w, rng, o.crop);
    const size = checkInteger(fn, 'options.crop.size', o.crop.size ?? h, { min: 1 });
    view = resizeBox(view, box, size, size);
    if (m) m = resizeBox(m, box, size, size, 'nearest');
  }
  if (o.rotate) {
    const k = rng.int(4);
    view = rotate90(view, k);
    if (m) m = rotate90(m, k);
  }
  if (o.flip)
    for (const axis of ['horizontal', 'vertical'] as const)
      if (rng.next() < 0.5) {
        view = flip(view, axis);
        if (m) m = flip(m, axis);
      }
  if (o.blur !== false) view = blurred(view, rng.uniform(o.blur[0], o.blur[1]));
  if (o.blackout === 'fbr' && m) blackoutOutside(view, m.data);
  if (o.blackout === 'pbr' && m) blackoutSquare(view, m.data, rng, o.pbrSide);
  if (o.zScore) zScoreInPlace(view);
  return m ? { image: view, mask: m.data } : { image: view };
}

/** The image blurred per channel with σ (float64 arithmetic, float32 result). */
function blurred(image: Image2D<Float32Array>, sigma: number): Image2D<Float32Array> {
  if (sigma === 0) return image;
  const [h, w] = image.shape;
  const planes = imagePlanes('augmentView', 'image', image);
  for (const p of planes) gaussianBlurPlane(p, h, w, sigma);
  return planesToImage(planes, h, w, image);
}

/** (c − mean(c)) / std(c) per channel, in place; a constant channel becomes 0. */
function zScoreInPlace(image: Image2D<Float32Array>): void {
  const [h, w, c] = image.shape;
  const plane = new Float64Array(h * w);
  for (let k = 0; k < c; k++) {
    for (let i = 0; i < plane.length; i++) plane[i] = image.data[i * c + k] as number;
    const { mean, std } = meanStd(plane);
    for (let i = 0; i < plane.length; i++)
      image.data[i * c + k] = std > 0 ? ((plane[i] as number) - mean) / std : 0;
  }
}

/**
 * {@link augmentView} over a batch `[B, H, W, C]` (channels last, as the training loop holds
 * it): sample b draws from the b-th fork of the generator, so each sample's view is independent
 * of the others' options and sizes. The same seed (or generator state) gives the same batch.
 *
 * @param masks `[B, H, W]` cell masks (nonzero inside), or undefined.
 * @param seed a seed, or an `Rng` that advances by B forks.
 * @returns `[B, S, S, C]` float32 where S = `options.crop.size` (default H), or `[B, H, W, C]`
 *   without crop or rotation.
 * @throws InvalidArgumentError when the data length does not match the shape, or rotations are
 *   asked of non-square images.
 */
export function augmentBatch(
  data: Float32Array,
  shape: readonly [number, number, number, number],
  masks: Uint8Array | undefined,
  seed: number | Rng,
  options: AugmentOptions = {},
): Float32Array {
  const fn = 'augmentBatch';
  const o = checkAugmentOptions(fn, options);
  if (!Array.isArray(shape) || shape.length !== 4)
    throw invalidArgument(fn, 'shape', '[B, H, W, C]', shape);
  const [b, h, w, c] = shape.map((d, i) => checkInteger(fn, `shape[${i}]`, d, { min: 1 })) as [
    number,
    number,
    number,
    number,
  ];
  if (!(data instanceof Float32Array) || data.length !== b * h * w * c)
    throw invalidArgument(fn, 'data', `a Float32Array of ${b * h * w * c} values`, data?.length);
  if (masks !== undefined && masks.length !== b * h * w)
    throw invalidArgument(fn, 'masks', `${b * h * w} values ([B, H, W])`, masks.length);
  const size = o.crop !== false ? (o.crop.size ?? h) : undefined;
  if (o.rotate && size === undefined && h !== w)
    throw invalidArgument(fn, 'shape', 'square images (H = W) for quarter-turn rotations', shape);
  const rng = typeof seed === 'number' ? new Rng(seed) : seed;
  const [oh, ow] = size === undefined ? [h, w] : [size, size];
  const out = new Float32Array(b * oh * ow * c);
  for (let i = 0; i < b; i++) {
    const image = {
      data: data.subarray(i * h * w * c, (i + 1) * h * w * c),
      shape: [h, w, c] as const,
    };
    const mask = masks?.subarray(i * h * w, (i + 1) * h * w);
    out.set(augmentView(image, mask, rng.fork(), o).image.data, i * oh * ow * c);
  }
  return out;
}
