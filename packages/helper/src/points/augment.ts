import { checkNumber, createRng, invalidArgument, type Rng, withDefaults } from '@cellshape/core';
import type { PointCloud } from '../types.js';
import { checkPointCloud } from './check-cloud.js';
import { uniformRotationMatrix } from './uniform-rotation.js';

/**
 * Seeded training augmentations. Each returns a new cloud; the same seed gives the same
 * result on every platform.
 */

/** Options of {@link randomRotation}. */
export interface RandomRotationOptions {
  /** Seed of the random generator; default 0. */
  seed?: number;
  /**
   * `'so3'` (default): a rotation drawn uniformly from all 3-D rotations (Shoemake's uniform
   * unit quaternion); `'x'`, `'y'` or `'z'`: a uniform angle in [0, 2π) about that axis.
   */
  axis?: 'so3' | 'x' | 'y' | 'z';
}

/** Defaults of {@link RandomRotationOptions}. */
export const DEFAULT_RANDOM_ROTATION_OPTIONS: Required<RandomRotationOptions> = {
  seed: 0,
  axis: 'so3',
};

/** Options of {@link jitter}. */
export interface JitterOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate; default 0.01. */
  sigma?: number;
  /** The noise is clipped to [−clip, clip]; default 0.05. */
  clip?: number;
  /** Seed of the random generator; default 0. */
  seed?: number;
}

/** Defaults of {@link JitterOptions} (those of DGCNN / PointNet). */
export const DEFAULT_JITTER_OPTIONS: Required<JitterOptions> = { sigma: 0.01, clip: 0.05, seed: 0 };

/** Options of {@link randomScaleTranslate}. */
export interface RandomScaleTranslateOptions {
  /** Per-axis scale factors are drawn uniformly from `[low, high]`; default `[2/3, 3/2]`. */
  scale?: [number, number];
  /** Per-axis offsets are drawn uniformly from `[−translate, translate]`; default 0.2. */
  translate?: number;
  /** Seed of the random generator; default 0. */
  seed?: number;
}

/** Defaults of {@link RandomScaleTranslateOptions} (those of DGCNN). */
export const DEFAULT_RANDOM_SCALE_TRANSLATE_OPTIONS: Required<RandomScaleTranslateOptions> = {
  scale: [2 / 3, 3 / 2],
  translate: 0.2,
  seed: 0,
};

function seeded(fn: string, seed: unknown): Rng {
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    throw invalidArgument(fn, 'options.seed', 'a finite number', seed);
  return createRng(seed);
}

/** `M · v` for a row-major 3 × 3 matrix, into a new array. */
function applyMatrix(matrix: readonly number[], values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i += 3) {
    const x = values[i] as number;
    const y = values[i + 1] as number;
    const z = values[i + 2] as number;
    for (let r = 0; r < 3; r++)
      out[i + r] =
        (matrix[3 * r] as number) * x +
        (matrix[3 * r + 1] as number) * y +
        (matrix[3 * r + 2] as number) * z;
  }
  return out;
}

function drawRotation(fn: string, options: RandomRotationOptions): number[] {
  const { seed, axis } = withDefaults(fn, DEFAULT_RANDOM_ROTATION_OPTIONS, options);
  const rng = seeded(fn, seed);
  switch (axis) {
    case 'so3':
      return uniformRotationMatrix(rng);
    case 'x':
    case 'y':
    case 'z': {
      const angle = 2 * Math.PI * rng.next();
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      if (axis === 'x') return [1, 0, 0, 0, cos, -sin, 0, sin, cos];
      if (axis === 'y') return [cos, 0, sin, 0, 1, 0, -sin, 0, cos];
      return [cos, -sin, 0, sin, cos, 0, 0, 0, 1];
    }
    default: {
      const never: never = axis;
      throw invalidArgument(fn, 'options.axis', "'so3', 'x', 'y' or 'z'", never);
    }
  }
}

/** The rotation matrix (row-major 3 × 3) that {@link randomRotation} applies for `options`. */
export function randomRotationMatrix(options: RandomRotationOptions = {}): number[] {
  return drawRotation('randomRotationMatrix', options);
}

/** Rotates the cloud (and its normals) about the origin by a seeded random rotation. */
export function randomRotation(cloud: PointCloud, options: RandomRotationOptions = {}): PointCloud {
  const n = checkPointCloud('randomRotation', 'cloud', cloud);
  const matrix = drawRotation('randomRotation', options);
  const out: PointCloud = { data: applyMatrix(matrix, cloud.data), shape: [n, 3] };
  if (cloud.normals) out.normals = applyMatrix(matrix, cloud.normals);
  return out;
}

/** Adds clipped Gaussian noise to every coordinate; normals are copied unchanged. */
export function jitter(cloud: PointCloud, options: JitterOptions = {}): PointCloud {
  const fn = 'jitter';
  const n = checkPointCloud(fn, 'cloud', cloud);
  const { sigma, clip, seed } = withDefaults(fn, DEFAULT_JITTER_OPTIONS, options);
  checkNumber(fn, 'options.sigma', sigma, { min: 0 });
  if (!(clip > 0)) throw invalidArgument(fn, 'options.clip', 'a number > 0', clip);
  const rng = seeded(fn, seed);
  const data = new Float32Array(cloud.data.length);
  for (let i = 0; i < data.length; i++)
    data[i] = (cloud.data[i] as number) + Math.min(clip, Math.max(-clip, rng.normal(0, sigma)));
  const out: PointCloud = { data, shape: [n, 3] };
  if (cloud.normals) out.normals = cloud.normals.slice();
  return out;
}

/**
 * Scales each axis by a random factor and then shifts it by a random offset, as DGCNN's
 * `translate_pointcloud`: `p · s + t`. Normals are transformed by the inverse scale and
 * renormalised so they stay perpendicular to the surface.
 */
export function randomScaleTranslate(
  cloud: PointCloud,
  options: RandomScaleTranslateOptions = {},
): PointCloud {
  const fn = 'randomScaleTranslate';
  const n = checkPointCloud(fn, 'cloud', cloud);
  const { scale, translate, seed } = withDefaults(
    fn,
    DEFAULT_RANDOM_SCALE_TRANSLATE_OPTIONS,
    options,
  );
  if (
    !Array.isArray(scale) ||
    scale.length !== 2 ||
    !(scale[0] > 0) ||
    !(scale[1] >= scale[0]) ||
    !Number.isFinite(scale[1])
  )
    throw invalidArgument(fn, 'options.scale', '[low, high] with 0 < low ≤ high', scale);
  checkNumber(fn, 'options.translate', translate, { min: 0 });
  const rng = seeded(fn, seed);
  const s = [0, 1, 2].map(() => rng.uniform(scale[0], scale[1]));
  const t = [0, 1, 2].map(() => rng.uniform(-translate, translate));
  const data = new Float32Array(cloud.data.length);
  for (let i = 0; i < data.length; i += 3)
    for (let k = 0; k < 3; k++)
      data[i + k] = (cloud.data[i + k] as number) * (s[k] as number) + (t[k] as number);
  const out: PointCloud = { data, shape: [n, 3] };
  if (cloud.normals) {
    const normals = new Float32Array(cloud.normals.length);
    for (let i = 0; i < normals.length; i += 3) {
      const v = [0, 1, 2].map((k) => (cloud.normals?.[i + k] as number) / (s[k] as number));
      const length = Math.hypot(...v) || 1;
      for (let k = 0; k < 3; k++) normals[i + k] = (v[k] as number) / length;
    }
    out.normals = normals;
  }
  return out;
}
