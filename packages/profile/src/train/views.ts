import { checkNumber, invalidArgument, type Rng } from '@cellshape/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { CropBatch } from './crop-dataset.js';

/** One view of a batch: a tensor `[B, H, W, C]` or its values `B × H × W × C`. */
export type View = Tensor | Float32Array;

/**
 * Draws the two views of every crop of a batch for self-supervised training (Barlow Twins):
 * a pure function of the batch and `rng` (seeded per step by the trainer, so a resumed run
 * draws the same views). Any augmentation fits, e.g. the package's `augmentBatch`.
 */
export type ViewFunction = (batch: CropBatch, rng: Rng) => readonly [View, View];

/** Options of {@link dihedralBlurViews}. */
export interface DihedralBlurViewsOptions {
  /** Probability that a view is blurred. Default 0.5. */
  blurProbability?: number;
  /** Blur σ in pixels, drawn uniformly from this range. Default `[0.1, 1]` ("mild"). */
  sigma?: readonly [number, number];
}

/**
 * Applies one of the 8 symmetries of the square to an `s × s × c` crop (`k` quarter turns,
 * then a horizontal flip when `flip`), writing into `out`.
 */
function dihedral(
  src: Float32Array,
  out: Float32Array,
  s: number,
  c: number,
  k: number,
  flip: boolean,
): void {
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++) {
      const xf = flip ? s - 1 - x : x;
      // Source pixel of output (y, xf) under k counter-clockwise quarter turns.
      let sy = y;
      let sx = xf;
      for (let t = 0; t < k; t++) [sy, sx] = [sx, s - 1 - sy];
      for (let ch = 0; ch < c; ch++)
        out[(y * s + x) * c + ch] = src[(sy * s + sx) * c + ch] as number;
    }
}

/** A separable Gaussian blur of an `h × w × c` image with σ, mirrored at the borders, in place. */
function blur(img: Float32Array, h: number, w: number, c: number, sigma: number): void {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * r + 1 }, (_, i) =>
    Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)),
  );
  const total = kernel.reduce((a, b) => a + b, 0);
  const kn = kernel.map((v) => v / total);
  const mirror = (i: number, n: number): number => {
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j - 1 : 2 * n - j - 1;
    return j;
  };
  const tmp = new Float32Array(img.length);
  const pass = (from: Float32Array, to: Float32Array, alongX: boolean): void => {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          for (let t = -r; t <= r; t++) {
            const yy = alongX ? y : mirror(y + t, h);
            const xx = alongX ? mirror(x + t, w) : x;
            acc += (kn[t + r] as number) * (from[(yy * w + xx) * c + ch] as number);
          }
          to[(y * w + x) * c + ch] = acc;
        }
  };
  pass(img, tmp, true);
  pass(tmp, img, false);
}

/**
 * The views of the GBM thesis's pairs, drawn fresh at every step: each view of each crop is
 * one of the 8 symmetries of the square (90° rotations and flips, uniformly), then, with
 * `blurProbability`, a mild Gaussian blur with σ ∈ `sigma`. Needs square crops. A minimal
 * default; the package's augmentation module offers the full set (random resized crop, PBR,
 * FBR, …) through the same {@link ViewFunction} contract.
 */
export function dihedralBlurViews(options: DihedralBlurViewsOptions = {}): ViewFunction {
  const fn = 'dihedralBlurViews';
  const p = checkNumber(fn, 'options.blurProbability', options.blurProbability ?? 0.5, {
    min: 0,
    max: 1,
  });
  const sigma = options.sigma ?? [0.1, 1];
  const [lo, hi] = sigma;
  if (
    !(
      Array.isArray(sigma) &&
      sigma.length === 2 &&
      (lo as number) > 0 &&
      (hi as number) >= (lo as number)
    )
  )
    throw invalidArgument(fn, 'options.sigma', '[lo, hi] with 0 < lo ≤ hi', sigma);
  return (batch, rng) => {
    const [b, h, w, c] = batch.shape;
    const pixels = h * w * c;
    const view = (): Float32Array => {
      const out = new Float32Array(batch.data.length);
      for (let i = 0; i < b; i++) {
        const target = out.subarray(i * pixels, (i + 1) * pixels);
        dihedral(
          batch.data.subarray(i * pixels, (i + 1) * pixels),
          target,
          h,
          c,
          rng.int(4),
          rng.next() < 0.5,
        );
        if (rng.next() < p) blur(target, h, w, c, rng.uniform(lo as number, hi as number));
      }
      return out;
    };
    if (h !== w) throw invalidArgument(fn, 'batch', 'square crops', `${h}×${w}`);
    return [view(), view()];
  };
}
