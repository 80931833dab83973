import {
  checkBoolean,
  checkInteger,
  checkNumber,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { marchingCubes, samplePoints, smoothMesh } from '../surface/index.js';
import type { Mesh, PointCloud, Volume } from '../types.js';

/** Options of {@link maskToMesh}. */
export interface MaskToMeshOptions {
  /**
   * Iso-level on the binarised mask (non-zero → 1), strictly between 0 and 1. Default 0.5:
   * the surface halfway between inside and outside voxel centres, as scikit-image's
   * default level on a binary mask.
   */
  level?: number;
  /** Physical voxel size (z, y, x). Default: `mask.spacing`, else `[1, 1, 1]`. */
  spacing?: readonly [number, number, number];
  /**
   * Taubin smoothing passes (λ 0.5, μ −0.526) applied to the marching-cubes mesh to soften the
   * voxel staircase without shrinking it. Default 0 (none).
   */
  smoothing?: number;
  /** Zero voxels added on every side before meshing, so objects touching the border close. Default 1. */
  padding?: number;
}

/** Defaults of {@link MaskToMeshOptions} (`spacing` defaults to the mask's). */
export const DEFAULT_MASK_TO_MESH_OPTIONS = { level: 0.5, smoothing: 0, padding: 1 } as const;

/** Options of {@link maskToPointCloud}: those of {@link maskToMesh} plus the sampling. */
export interface MaskToPointCloudOptions extends MaskToMeshOptions {
  /** Points sampled uniformly over the surface. Default 2048. */
  numPoints?: number;
  /** Seed of the sampling. Default 0. */
  seed?: number;
  /** Also return unit outward normals (the sampled faces' normals). Default false. */
  normals?: boolean;
}

/** Defaults of {@link MaskToPointCloudOptions}. */
export const DEFAULT_MASK_TO_POINT_CLOUD_OPTIONS = {
  ...DEFAULT_MASK_TO_MESH_OPTIONS,
  numPoints: 2048,
  seed: 0,
  normals: false,
} as const;

function checkMask(fn: string, mask: unknown): asserts mask is Volume {
  if (typeof mask !== 'object' || mask === null)
    throw invalidArgument(fn, 'mask', 'a volume { data, shape: [z, y, x] }', mask);
  const { data, shape } = mask as Partial<Volume>;
  if (
    !ArrayBuffer.isView(data) ||
    data instanceof DataView ||
    data instanceof BigInt64Array ||
    data instanceof BigUint64Array
  )
    throw invalidArgument(fn, 'mask.data', 'a numeric typed array', data);
  if (!Array.isArray(shape) || shape.length !== 3)
    throw invalidArgument(fn, 'mask', 'a 3-D volume with shape [z, y, x]', shape);
  if (
    !shape.every((d) => Number.isInteger(d) && d > 0) ||
    shape[0] * shape[1] * shape[2] !== data.length
  )
    throw invalidArgument(
      fn,
      'mask.shape',
      `three positive integers whose product is ${data.length}`,
      shape,
    );
}

function checkSpacing(fn: string, spacing: unknown): asserts spacing is [number, number, number] {
  if (
    !Array.isArray(spacing) ||
    spacing.length !== 3 ||
    !spacing.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)
  )
    throw invalidArgument(fn, 'spacing', 'three positive finite numbers (z, y, x)', spacing);
}

/**
 * The surface of a binary mask (or of all non-zero voxels of a label image) as a triangle
 * mesh: the mask is binarised, padded with `padding` zero voxels and run through marching cubes
 * at `level`, then optionally smoothed. Positions are x, y, z in physical units in the frame of the input mask (voxel
 * (z, y, x) of `mask` is at `(x·sx, y·sy, z·sz)`; padding does not shift them); faces are
 * counter-clockwise seen from outside.
 *
 * @throws InvalidArgumentError for a malformed or empty (all-zero) mask or invalid options.
 */
export function maskToMesh(mask: Volume, options: MaskToMeshOptions = {}): Mesh {
  const fn = 'maskToMesh';
  checkMask(fn, mask);
  const { level, smoothing, padding, ...rest } = withDefaults(
    fn,
    DEFAULT_MASK_TO_MESH_OPTIONS,
    options,
  );
  const spacing = rest.spacing ?? mask.spacing ?? [1, 1, 1];
  checkSpacing(fn, spacing);
  if (typeof level !== 'number' || !(level > 0 && level < 1))
    throw invalidArgument(fn, 'level', 'a number strictly between 0 and 1', level);
  if (!Number.isInteger(smoothing) || smoothing < 0 || smoothing > 1000)
    throw invalidArgument(fn, 'smoothing', 'an integer in [0, 1000] (passes)', smoothing);
  if (!Number.isInteger(padding) || padding < 0 || padding > 64)
    throw invalidArgument(fn, 'padding', 'an integer in [0, 64]', padding);

  const [nz, ny, nx] = mask.shape;
  const [pz, py, px] = [nz + 2 * padding, ny + 2 * padding, nx + 2 * padding];
  const binary = new Uint8Array(pz * py * px);
  let count = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const src = (z * ny + y) * nx;
      const dst = ((z + padding) * py + y + padding) * px + padding;
      for (let x = 0; x < nx; x++) {
        // `!== 0` also sends NaN to the inside; NaN in a mask is reported instead.
        const v = mask.data[src + x]!;
        if (Number.isNaN(v)) throw invalidArgument(fn, 'mask', 'free of NaN values');
        if (v !== 0) {
          binary[dst + x] = 1;
          count++;
        }
      }
    }
  }
  if (count === 0) throw invalidArgument(fn, 'mask', 'non-empty (at least one non-zero voxel)');
  if (Math.min(pz, py, px) < 2)
    throw invalidArgument(fn, 'padding', 'at least 1 for a mask with an axis of length 1', padding);

  const raw = marchingCubes({ data: binary, shape: [pz, py, px] }, { level, spacing });
  const mesh = smoothing > 0 ? smoothMesh(raw, { iterations: smoothing, method: 'taubin' }) : raw;
  if (padding === 0) return mesh;
  const positions = mesh.positions;
  const shift = [padding * spacing[2], padding * spacing[1], padding * spacing[0]];
  for (let i = 0; i < positions.length; i += 3) {
    positions[i]! -= shift[0]!;
    positions[i + 1]! -= shift[1]!;
    positions[i + 2]! -= shift[2]!;
  }
  return mesh;
}

/**
 * A point cloud of `numPoints` points sampled uniformly (seeded) over the surface of a binary
 * mask: {@link maskToMesh} then `samplePoints`. Coordinates x, y, z in physical units, in the
 * mask's frame; normalise with `normalisePointCloud` before training.
 *
 * ```ts
 * import { maskToPointCloud } from '@cellshape/helper';
 * const cloud = maskToPointCloud(mask, { numPoints: 2048, seed: 0 }); // shape [2048, 3]
 * ```
 */
export function maskToPointCloud(mask: Volume, options: MaskToPointCloudOptions = {}): PointCloud {
  const fn = 'maskToPointCloud';
  const { numPoints, seed, normals, ...meshOptions } = withDefaults(
    fn,
    DEFAULT_MASK_TO_POINT_CLOUD_OPTIONS,
    options,
  );
  checkInteger(fn, 'numPoints', numPoints, { min: 1 });
  checkNumber(fn, 'seed', seed);
  checkBoolean(fn, 'normals', normals);
  checkMask(fn, mask);
  return samplePoints(maskToMesh(mask, meshOptions), numPoints, { seed, normals });
}
