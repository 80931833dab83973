import { checkNumber, createRng, invalidArgument, withDefaults } from '@cellshape/core';
import type { PointCloud } from '../types.js';
import { checkPointCloud } from './check-cloud.js';

/** Options of {@link resamplePointCloud}. */
export interface ResamplePointCloudOptions {
  /** Seed of the random generator; default 0. */
  seed?: number;
}

/** Defaults of {@link ResamplePointCloudOptions}. */
export const DEFAULT_RESAMPLE_POINT_CLOUD_OPTIONS: Required<ResamplePointCloudOptions> = {
  seed: 0,
};

/**
 * Returns a cloud of exactly `n` points, for batching clouds of different sizes: with at
 * least `n` points, a seeded random subset without replacement; with fewer, every point once
 * followed by `n − count` points drawn with replacement. Normals follow their points.
 */
export function resamplePointCloud(
  cloud: PointCloud,
  n: number,
  options: ResamplePointCloudOptions = {},
): PointCloud {
  const fn = 'resamplePointCloud';
  const count = checkPointCloud(fn, 'cloud', cloud, 1);
  if (!Number.isInteger(n) || n < 1) throw invalidArgument(fn, 'n', 'a positive integer', n);
  const { seed } = withDefaults(fn, DEFAULT_RESAMPLE_POINT_CLOUD_OPTIONS, options);
  checkNumber(fn, 'options.seed', seed);
  const rng = createRng(seed);
  const indices = new Uint32Array(n);
  if (count >= n) indices.set(rng.permutation(count).subarray(0, n));
  else {
    for (let i = 0; i < count; i++) indices[i] = i;
    for (let i = count; i < n; i++) indices[i] = rng.int(count);
  }
  const gather = (source: Float32Array) => {
    const out = new Float32Array(n * 3);
    indices.forEach((index, i) => {
      out.set(source.subarray(3 * index, 3 * index + 3), 3 * i);
    });
    return out;
  };
  const out: PointCloud = { data: gather(cloud.data), shape: [n, 3] };
  if (cloud.normals) out.normals = gather(cloud.normals);
  return out;
}
