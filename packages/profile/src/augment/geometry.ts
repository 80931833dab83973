import {
  checkInteger,
  checkNumber,
  invalidArgument,
  type Rng,
  type TypedArray,
  withDefaults,
} from '@cellshape/core';
import { checkImageShape, withPixelSize } from '../preprocess/planes.js';
import type { Image2D } from '../types.js';

type Ctor<T extends TypedArray> = new (n: number) => T;

/** A new image of the same array type and channels, filled by `source(y, x)` → source pixel index. */
function remap<T extends TypedArray>(
  image: Image2D<T>,
  height: number,
  width: number,
  source: (y: number, x: number) => number,
): Image2D<T> {
  const c = image.shape[2];
  const data = new (image.data.constructor as Ctor<T>)(height * width * c);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const from = source(y, x) * c;
      const to = (y * width + x) * c;
      for (let k = 0; k < c; k++) data[to + k] = image.data[from + k] as number;
    }
  return withPixelSize({ data, shape: [height, width, c] as const }, image);
}

/**
 * Rotation by `k` quarter turns counter-clockwise (NumPy's `rot90(image, k)` on the first two
 * axes); `k` may be any integer, four turns are the identity. Odd `k` swaps height and width.
 */
export function rotate90<T extends TypedArray>(image: Image2D<T>, k: number): Image2D<T> {
  const [h, w] = checkImageShape('rotate90', 'image', image);
  checkInteger('rotate90', 'k', k);
  const turns = ((k % 4) + 4) % 4;
  if (turns === 0) return remap(image, h, w, (y, x) => y * w + x);
  if (turns === 1) return remap(image, w, h, (y, x) => x * w + (w - 1 - y));
  if (turns === 2) return remap(image, h, w, (y, x) => (h - 1 - y) * w + (w - 1 - x));
  return remap(image, w, h, (y, x) => (h - 1 - x) * w + y);
}

/** Mirror image: `'horizontal'` reverses the columns (left ↔ right), `'vertical'` the rows. */
export function flip<T extends TypedArray>(
  image: Image2D<T>,
  axis: 'horizontal' | 'vertical',
): Image2D<T> {
  const [h, w] = checkImageShape('flip', 'image', image);
  if (axis !== 'horizontal' && axis !== 'vertical')
    throw invalidArgument('flip', 'axis', "'horizontal' or 'vertical'", axis);
  return axis === 'horizontal'
    ? remap(image, h, w, (y, x) => y * w + (w - 1 - x))
    : remap(image, h, w, (y, x) => (h - 1 - y) * w + x);
}

/** Left/right source indices and the right weight of each output position along one axis. */
function sampleAxis(
  start: number,
  scale: number,
  out: number,
  size: number,
): { i0: Int32Array; i1: Int32Array; t: Float64Array } {
  const i0 = new Int32Array(out);
  const i1 = new Int32Array(out);
  const t = new Float64Array(out);
  for (let i = 0; i < out; i++) {
    const f = Math.min(size - 1, Math.max(0, start + (i + 0.5) * scale - 0.5));
    i0[i] = Math.floor(f);
    i1[i] = Math.min(size - 1, (i0[i] as number) + 1);
    t[i] = f - (i0[i] as number);
  }
  return { i0, i1, t };
}

/** A crop window in pixels of the source image. */
export interface CropBox {
  y: number;
  x: number;
  height: number;
  width: number;
}

/**
 * Resamples the `box` of an image to `height × width`: bilinear for intensities, nearest for
 * masks (`'nearest'`), pixel centres aligned (OpenCV `INTER_LINEAR`, PyTorch
 * `align_corners=False`): output pixel (y, x) samples the source at box.y + (y + ½)·box.height/height − ½,
 * clamped to the image.
 */
export function resizeBox<T extends TypedArray>(
  image: Image2D<T>,
  box: CropBox,
  height: number,
  width: number,
  interpolation: 'bilinear' | 'nearest' = 'bilinear',
): Image2D<T> {
  const [h, w, c] = checkImageShape('resizeBox', 'image', image);
  const sy = box.height / height;
  const sx = box.width / width;
  if (interpolation === 'nearest')
    return remap(image, height, width, (y, x) => {
      const yy = Math.min(h - 1, Math.floor(box.y + (y + 0.5) * sy));
      const xx = Math.min(w - 1, Math.floor(box.x + (x + 0.5) * sx));
      return yy * w + xx;
    });
  const xs = sampleAxis(box.x, sx, width, w);
  const ys = sampleAxis(box.y, sy, height, h);
  const src = image.data;
  const data = new (image.data.constructor as Ctor<T>)(height * width * c);
  for (let y = 0; y < height; y++) {
    const row0 = (ys.i0[y] as number) * w;
    const row1 = (ys.i1[y] as number) * w;
    const ty = ys.t[y] as number;
    for (let x = 0; x < width; x++) {
      const a = (row0 + (xs.i0[x] as number)) * c;
      const b = (row0 + (xs.i1[x] as number)) * c;
      const d = (row1 + (xs.i0[x] as number)) * c;
      const e = (row1 + (xs.i1[x] as number)) * c;
      const tx = xs.t[x] as number;
      for (let k = 0; k < c; k++) {
        const top = (src[a + k] as number) * (1 - tx) + (src[b + k] as number) * tx;
        const bottom = (src[d + k] as number) * (1 - tx) + (src[e + k] as number) * tx;
        data[(y * width + x) * c + k] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return withPixelSize({ data, shape: [height, width, c] as const }, image);
}

/** Options of {@link randomCropBox} and the `crop` step of `augmentView`. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's. Default [0.5, 1] (both theses). */
  scale?: readonly [number, number];
  /** Range of width/height, drawn log-uniformly. Default [1, 1]: the aspect ratio is kept. */
  ratio?: readonly [number, number];
  /** Output side S: the crop is resized to S × S. Default: the input height. */
  size?: number;
}

/** Defaults of {@link RandomResizedCropOptions} (`size` follows the input). */
export const DEFAULT_RANDOM_RESIZED_CROP_OPTIONS = {
  scale: [0.5, 1] as const,
  ratio: [1, 1] as const,
};

/**
 * A random crop window: area fraction s ~ U(scale), aspect ratio r log-uniform in `ratio`,
 * side lengths round(√(s·A·r)) × round(√(s·A/r)) clamped to the image, position uniform.
 * Always draws four numbers from `rng`, so later draws do not depend on the image size.
 */
export function randomCropBox(
  height: number,
  width: number,
  rng: Rng,
  options: RandomResizedCropOptions = {},
): CropBox {
  const fn = 'randomCropBox';
  const o = withDefaults(fn, DEFAULT_RANDOM_RESIZED_CROP_OPTIONS, options);
  const [s0, s1] = o.scale;
  const [r0, r1] = o.ratio;
  checkNumber(fn, 'options.scale[0]', s0, { min: 0, max: 1, exclusiveMin: true });
  checkNumber(fn, 'options.scale[1]', s1, { min: s0, max: 1 });
  checkNumber(fn, 'options.ratio[0]', r0, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'options.ratio[1]', r1, { min: r0 });
  const area = rng.uniform(s0, s1) * height * width;
  const ratio = Math.exp(rng.uniform(Math.log(r0), Math.log(r1)));
  const cw = Math.max(1, Math.min(width, Math.round(Math.sqrt(area * ratio))));
  const ch = Math.max(1, Math.min(height, Math.round(Math.sqrt(area / ratio))));
  const y = Math.floor(rng.next() * (height - ch + 1));
  const x = Math.floor(rng.next() * (width - cw + 1));
  return { y, x, height: ch, width: cw };
}
