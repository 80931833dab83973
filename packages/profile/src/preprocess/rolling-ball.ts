import { checkBoolean, checkOneOf, checkPositive, withDefaults } from '@cellshape/core';
import type { Image2D } from '../types.js';
import { convolveAxis } from './gaussian.js';
import { checkImageShape, imagePlanes, planesToImage } from './planes.js';

/**
 * Which rolling-ball background {@link rollingBallBackground} computes:
 * * `'imagej'` (default) — ImageJ's "Subtract Background" (Sternberg's rolling ball as ImageJ 1.x
 *   implements it): 3×3 mean pre-smoothing, the image shrunk by 1/2/4/8 (minimum of each block)
 *   for radius > 10/30/100, a trimmed ball patch rolled under it, the background enlarged back by
 *   bilinear interpolation. Fast: O(pixels) for a given radius. Equals ImageJ 1.52i's output to
 *   1e-4 (it rolls in float32) in the golden tests.
 * * `'exact'` — the same rolling (a grey-scale opening by the umbra of a full sphere of the given
 *   radius) at full resolution, no smoothing or trimming: O(pixels · r²), for small radii.
 * * `'skimage'` — scikit-image's `restoration.rolling_ball(image, radius=r)`, which is the
 *   erosion half only (the height of the ball centre where it touches, not the ball's upper hull):
 *   it lies below the opening around dark features narrower than the ball. O(pixels · r²).
 */
export type RollingBallMethod = 'imagej' | 'exact' | 'skimage';

/** Options of {@link rollingBallBackground} and {@link subtractBackground}. */
export interface RollingBallOptions {
  /** Ball radius in pixels (and intensity units); larger than the largest foreground object. Default 50. */
  radius?: number;
  /** Algorithm; see {@link RollingBallMethod}. Default `'imagej'`. */
  method?: RollingBallMethod;
  /** The image has a bright background and dark objects (the ball rolls from above). Default false. */
  lightBackground?: boolean;
  /** `'imagej'` only: 3×3 mean before rolling (ImageJ's default; off is its "Disable smoothing"). Default true. */
  presmooth?: boolean;
}

/** Defaults of {@link RollingBallOptions}. */
export const DEFAULT_ROLLING_BALL_OPTIONS = {
  radius: 50,
  method: 'imagej',
  lightBackground: false,
  presmooth: true,
} as const satisfies Required<RollingBallOptions>;

/** A structuring element stored as rows: row `dy` covers columns `x0..x0+heights.length-1`. */
interface Ball {
  rows: { dy: number; x0: number; heights: Float64Array }[];
  /** Largest |offset| in either direction. */
  reach: number;
  /** Height at the centre (the ball's top). */
  top: number;
}

/** The full sphere of radius r on the grid ⌈r⌉ (scikit-image's `ball_kernel`): pixels with d ≤ r. */
function sphereBall(radius: number): Ball {
  const reach = Math.ceil(radius);
  const rows: Ball['rows'] = [];
  for (let dy = -reach; dy <= reach; dy++) {
    const half = Math.floor(Math.sqrt(Math.max(0, radius * radius - dy * dy)));
    if (dy * dy > radius * radius) continue;
    const heights = new Float64Array(2 * half + 1);
    for (let dx = -half; dx <= half; dx++)
      heights[dx + half] = Math.sqrt(radius * radius - dy * dy - dx * dx);
    rows.push({ dy, x0: -half, heights });
  }
  return { rows, reach, top: radius };
}

/** ImageJ's shrink factor and trimmed square ball patch for a radius (class `RollingBall`). */
function imagejBall(radius: number): { ball: Ball; shrink: number } {
  const [shrink, trimPercent] =
    radius <= 10 ? [1, 24] : radius <= 30 ? [2, 24] : radius <= 100 ? [4, 32] : [8, 40];
  const small = Math.max(1, radius / shrink);
  const trim = Math.floor(Math.floor(trimPercent * small) / 100);
  const half = Math.round(small - trim);
  const rows: Ball['rows'] = [];
  for (let dy = -half; dy <= half; dy++) {
    const heights = new Float64Array(2 * half + 1);
    for (let dx = -half; dx <= half; dx++) {
      const t = small * small - dx * dx - dy * dy;
      heights[dx + half] = t > 0 ? Math.sqrt(t) : 0;
    }
    rows.push({ dy, x0: -half, heights });
  }
  return { ball: { rows, reach: half, top: small }, shrink };
}

/**
 * Grey-scale erosion by the ball's umbra: for each ball centre in the image grown by `margin`,
 * the lowest `plane − height` over the ball pixels inside the image (+∞ when none is inside).
 */
function erodeByBall(
  plane: Float64Array,
  height: number,
  width: number,
  ball: Ball,
  margin: number,
): Float64Array {
  const ew = width + 2 * margin;
  const out = new Float64Array((height + 2 * margin) * ew).fill(Number.POSITIVE_INFINITY);
  for (let cy = -margin; cy < height + margin; cy++)
    for (let cx = -margin; cx < width + margin; cx++) {
      let z = Number.POSITIVE_INFINITY;
      for (const { dy, x0, heights } of ball.rows) {
        const y = cy + dy;
        if (y < 0 || y >= height) continue;
        const from = Math.max(0, -(cx + x0));
        const to = Math.min(heights.length, width - (cx + x0));
        const base = y * width + cx + x0;
        for (let k = from; k < to; k++) {
          const v = (plane[base + k] as number) - (heights[k] as number);
          if (v < z) z = v;
        }
      }
      out[(cy + margin) * ew + cx + margin] = z;
    }
  return out;
}

/** The upper hull of the ball over all positions of an erosion: the grey-scale opening. */
function dilateByBall(
  eroded: Float64Array,
  height: number,
  width: number,
  ball: Ball,
  margin: number,
): Float64Array {
  const ew = width + 2 * margin;
  const out = new Float64Array(height * width).fill(Number.NEGATIVE_INFINITY);
  for (let cy = -margin; cy < height + margin; cy++)
    for (let cx = -margin; cx < width + margin; cx++) {
      const z = eroded[(cy + margin) * ew + cx + margin] as number;
      if (z === Number.POSITIVE_INFINITY) continue;
      for (const { dy, x0, heights } of ball.rows) {
        const y = cy + dy;
        if (y < 0 || y >= height) continue;
        const from = Math.max(0, -(cx + x0));
        const to = Math.min(heights.length, width - (cx + x0));
        const base = y * width + cx + x0;
        for (let k = from; k < to; k++) {
          const v = z + (heights[k] as number);
          if (v > (out[base + k] as number)) out[base + k] = v;
        }
      }
    }
  return out;
}

/** Each pixel of the `shrink`-times smaller image is the minimum of its block (ImageJ `shrinkImage`). */
function shrinkByMin(
  plane: Float64Array,
  height: number,
  width: number,
  shrink: number,
): [Float64Array, number, number] {
  const sh = Math.ceil(height / shrink);
  const sw = Math.ceil(width / shrink);
  const small = new Float64Array(sh * sw).fill(Number.POSITIVE_INFINITY);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const s = Math.floor(y / shrink) * sw + Math.floor(x / shrink);
      if ((plane[y * width + x] as number) < (small[s] as number))
        small[s] = plane[y * width + x] as number;
    }
  return [small, sh, sw];
}

/** Left index and its weight for enlarging along one axis (ImageJ `makeInterpolationArrays`). */
function interpolationAxis(
  length: number,
  smallLength: number,
  shrink: number,
): { index: Int32Array; weight: Float64Array } {
  const index = new Int32Array(length);
  const weight = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    let s = Math.trunc((i - Math.trunc(shrink / 2)) / shrink);
    if (s >= smallLength - 1) s = Math.max(0, smallLength - 2);
    index[i] = s;
    weight[i] = smallLength === 1 ? 1 : 1 - ((i + 0.5) / shrink - (s + 0.5));
  }
  return { index, weight };
}

/** Bilinear enlargement of the shrunk background; linear extrapolation at the edges, as ImageJ. */
function enlarge(
  small: Float64Array,
  sh: number,
  sw: number,
  height: number,
  width: number,
  shrink: number,
): Float64Array {
  const ya = interpolationAxis(height, sh, shrink);
  const xa = interpolationAxis(width, sw, shrink);
  const at = (y: number, x: number): number =>
    small[Math.min(y, sh - 1) * sw + Math.min(x, sw - 1)] as number;
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const sy = ya.index[y] as number;
    const wy = ya.weight[y] as number;
    for (let x = 0; x < width; x++) {
      const sx = xa.index[x] as number;
      const wx = xa.weight[x] as number;
      const top = at(sy, sx) * wx + at(sy, sx + 1) * (1 - wx);
      const bottom = at(sy + 1, sx) * wx + at(sy + 1, sx + 1) * (1 - wx);
      out[y * width + x] = top * wy + bottom * (1 - wy);
    }
  }
  return out;
}

/** ImageJ's rolling-ball background of one plane (dark background). */
function imagejBackground(
  plane: Float64Array,
  height: number,
  width: number,
  radius: number,
  presmooth: boolean,
): Float64Array {
  const work = Float64Array.from(plane);
  if (presmooth) {
    const third = Float64Array.of(1 / 3, 1 / 3, 1 / 3);
    convolveAxis(work, height, width, third, 1, 'nearest');
    convolveAxis(work, height, width, third, 0, 'nearest');
  }
  const { ball, shrink } = imagejBall(radius);
  if (shrink === 1)
    return dilateByBall(
      erodeByBall(work, height, width, ball, ball.reach),
      height,
      width,
      ball,
      ball.reach,
    );
  const [small, sh, sw] = shrinkByMin(work, height, width, shrink);
  const rolled = dilateByBall(
    erodeByBall(small, sh, sw, ball, ball.reach),
    sh,
    sw,
    ball,
    ball.reach,
  );
  return enlarge(rolled, sh, sw, height, width, shrink);
}

/** The background of one plane by `method` (dark background). */
function planeBackground(
  plane: Float64Array,
  height: number,
  width: number,
  o: Required<RollingBallOptions>,
): Float64Array {
  switch (o.method) {
    case 'imagej':
      return imagejBackground(plane, height, width, o.radius, o.presmooth);
    case 'exact': {
      const ball = sphereBall(o.radius);
      return dilateByBall(
        erodeByBall(plane, height, width, ball, ball.reach),
        height,
        width,
        ball,
        ball.reach,
      );
    }
    case 'skimage': {
      const ball = sphereBall(o.radius);
      const eroded = erodeByBall(plane, height, width, ball, 0);
      for (let i = 0; i < eroded.length; i++) (eroded[i] as number) += ball.top;
      return eroded;
    }
    default:
      return o.method satisfies never;
  }
}

function checkedOptions(fn: string, options: RollingBallOptions): Required<RollingBallOptions> {
  const o = withDefaults(fn, DEFAULT_ROLLING_BALL_OPTIONS, options);
  checkPositive(fn, 'options.radius', o.radius);
  checkOneOf(fn, 'options.method', o.method, ['imagej', 'exact', 'skimage'] as const);
  checkBoolean(fn, 'options.lightBackground', o.lightBackground);
  checkBoolean(fn, 'options.presmooth', o.presmooth);
  return o;
}

/** Background planes of `image` (sign-flipped around the rolling for a light background). */
function backgroundPlanes(
  fn: string,
  image: Image2D,
  o: Required<RollingBallOptions>,
): { planes: Float64Array[]; backgrounds: Float64Array[] } {
  const [height, width] = checkImageShape(fn, 'image', image);
  const planes = imagePlanes(fn, 'image', image);
  const sign = o.lightBackground ? -1 : 1;
  const backgrounds = planes.map((plane) => {
    const signed = sign === 1 ? plane : plane.map((v) => -v);
    const bg = planeBackground(signed, height, width, o);
    if (sign === -1) for (let i = 0; i < bg.length; i++) bg[i] = -(bg[i] as number);
    return bg;
  });
  return { planes, backgrounds };
}

/**
 * The rolling-ball background of each channel (Sternberg 1983), as a float32 image.
 *
 * @throws InvalidArgumentError for a radius ≤ 0, an unknown method or a malformed image.
 */
export function rollingBallBackground(
  image: Image2D,
  options: RollingBallOptions = {},
): Image2D<Float32Array> {
  const fn = 'rollingBallBackground';
  const { backgrounds } = backgroundPlanes(fn, image, checkedOptions(fn, options));
  return planesToImage(backgrounds, image.shape[0], image.shape[1], image);
}

/**
 * Background subtraction: `image − rollingBallBackground(image)` per channel, as float32 (no
 * clamping or offset: ImageJ adds 0.5 and clamps only when it writes back 8/16-bit pixels). With
 * the default pre-smoothing a few pixels may come out slightly negative, as in ImageJ.
 *
 * ```ts
 * import { subtractBackground } from '@cellshape/profile';
 * const image = { data: new Float32Array(64 * 64).fill(10), shape: [64, 64, 1] as const };
 * subtractBackground(image, { radius: 50 }).data[0]; // 0: a flat image is all background
 * ```
 */
export function subtractBackground(
  image: Image2D,
  options: RollingBallOptions = {},
): Image2D<Float32Array> {
  const fn = 'subtractBackground';
  const { planes, backgrounds } = backgroundPlanes(fn, image, checkedOptions(fn, options));
  for (let c = 0; c < planes.length; c++) {
    const p = planes[c] as Float64Array;
    const b = backgrounds[c] as Float64Array;
    for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - (b[i] as number);
  }
  return planesToImage(planes, image.shape[0], image.shape[1], image);
}
