import { invalidArgument } from '@cellshape/core';
import type { PointCloud } from '../types.js';
import { checkPointCloud } from './check-cloud.js';
import { pcaPose } from './pca-pose.js';

/**
 * Normalising transforms. All are pure: they return a new cloud (normals copied, or
 * transformed where the transform changes them) and never modify their input.
 */

/** The mean point of a cloud, as float64 `[x, y, z]`. */
export function pointCloudCentroid(cloud: PointCloud): [number, number, number] {
  const n = checkPointCloud('pointCloudCentroid', 'cloud', cloud, 1);
  const c: [number, number, number] = [0, 0, 0];
  const d = cloud.data;
  for (let i = 0; i < d.length; i += 3) {
    c[0] += d[i] as number;
    c[1] += d[i + 1] as number;
    c[2] += d[i + 2] as number;
  }
  return [c[0] / n, c[1] / n, c[2] / n];
}

/** `(p − offset) / scale` per axis, into a new cloud with the normals copied. */
function affine(
  cloud: PointCloud,
  offset: readonly number[],
  scale: readonly number[],
): PointCloud {
  const d = cloud.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i += 3)
    for (let k = 0; k < 3; k++)
      out[i + k] = ((d[i + k] as number) - (offset[k] as number)) / (scale[k] as number);
  const result: PointCloud = { data: out, shape: [cloud.shape[0], 3] };
  if (cloud.normals) result.normals = cloud.normals.slice();
  return result;
}

/** Subtracts the centroid, so the cloud's mean point is the origin. */
export function centre(cloud: PointCloud): PointCloud {
  checkPointCloud('centre', 'cloud', cloud, 1);
  return affine(cloud, pointCloudCentroid(cloud), [1, 1, 1]);
}

/**
 * `(p − centroid) / factor`, the original cellshape normalisation (factor 20 for nuclei in
 * voxel units), so that clouds keep their relative sizes.
 */
export function scaleFixed(cloud: PointCloud, factor = 20): PointCloud {
  const fn = 'scaleFixed';
  checkPointCloud(fn, 'cloud', cloud, 1);
  if (!Number.isFinite(factor) || factor <= 0)
    throw invalidArgument(fn, 'factor', 'a positive finite number', factor);
  return affine(cloud, pointCloudCentroid(cloud), [factor, factor, factor]);
}

/** Centres the cloud and scales it so that the farthest point is at distance 1. */
export function scaleToUnitSphere(cloud: PointCloud): PointCloud {
  const fn = 'scaleToUnitSphere';
  checkPointCloud(fn, 'cloud', cloud, 1);
  const c = pointCloudCentroid(cloud);
  const d = cloud.data;
  let max = 0;
  for (let i = 0; i < d.length; i += 3)
    max = Math.max(
      max,
      Math.hypot((d[i] as number) - c[0], (d[i + 1] as number) - c[1], (d[i + 2] as number) - c[2]),
    );
  if (max === 0) throw invalidArgument(fn, 'cloud', 'a cloud of at least two distinct points');
  return affine(cloud, c, [max, max, max]);
}

/**
 * Centres the cloud and divides each axis by its standard deviation (population, ddof 0).
 * An axis with no spread (a flat cloud) is only centred.
 */
export function standardisePointCloud(cloud: PointCloud): PointCloud {
  const n = checkPointCloud('standardisePointCloud', 'cloud', cloud, 1);
  const c = pointCloudCentroid(cloud);
  const d = cloud.data;
  const variance = [0, 0, 0];
  for (let i = 0; i < d.length; i += 3)
    for (let k = 0; k < 3; k++) variance[k]! += ((d[i + k] as number) - (c[k] as number)) ** 2;
  const std = variance.map((v) => Math.sqrt(v / n) || 1);
  return affine(cloud, c, std);
}

/** The normalisation presets of {@link normalisePointCloud}. */
export const NORMALISE_PRESETS = [
  'none',
  'fixed20',
  'unitSphere',
  'standardise',
  'pcaPose',
  'pcaPoseUnitSphere',
] as const;

/** A normalisation preset of {@link normalisePointCloud}. */
export type NormalisePreset = (typeof NORMALISE_PRESETS)[number];

/**
 * Applies a normalisation preset: `'none'` (a copy), `'fixed20'` ({@link scaleFixed} with
 * factor 20), `'unitSphere'` ({@link scaleToUnitSphere}), `'standardise'` ({@link standardisePointCloud}),
 * `'pcaPose'` (the cloud of {@link pcaPose}: centred, principal axes on x, y, z, size kept) or
 * `'pcaPoseUnitSphere'` (that pose, then {@link scaleToUnitSphere}: cells that differ only by a
 * rotation and a scale become the same cloud, so a model learns shape alone from fewer cells).
 */
export function normalisePointCloud(cloud: PointCloud, preset: NormalisePreset): PointCloud {
  const fn = 'normalisePointCloud';
  checkPointCloud(fn, 'cloud', cloud);
  switch (preset) {
    case 'none':
      return affine(cloud, [0, 0, 0], [1, 1, 1]);
    case 'fixed20':
      return scaleFixed(cloud, 20);
    case 'unitSphere':
      return scaleToUnitSphere(cloud);
    case 'standardise':
      return standardisePointCloud(cloud);
    case 'pcaPose':
      return pcaPose(cloud).cloud;
    case 'pcaPoseUnitSphere':
      return scaleToUnitSphere(pcaPose(cloud).cloud);
    default: {
      const never: never = preset;
      throw invalidArgument(fn, 'preset', `one of ${NORMALISE_PRESETS.join(', ')}`, never);
    }
  }
}
