import { checkInteger, checkOneOf, InvalidArgumentError, invalidArgument } from '@cellshape/core';
import type { Volume } from '@cellshape/helper';
import { resampleMask } from './resample.js';
import { type BoundingBox, boundingBox, centreOfMass, checkVolume } from './volume-geometry.js';

/**
 * Placing one object's 0/1 mask in the fixed cube a voxel autoencoder takes (64³ by default):
 * the object's centre of mass goes to the centre of the cube, the rest is zero padding. An
 * object whose bounding box is larger than the cube is scaled down, cropped or refused
 * ({@link CubeFit}).
 */

/**
 * What to do with an object whose bounding box is larger than the cube along some axis:
 * `'resample'` scales it down uniformly (all axes by the same factor, trilinear then ≥ 0.5)
 * until its box fits, keeping the whole shape but not its absolute size; `'crop'` keeps the
 * cube around its centre of mass and cuts what sticks out; `'error'` throws.
 */
export type CubeFit = 'resample' | 'crop' | 'error';

/** The choices of {@link CubeFit}. */
export const CUBE_FITS = ['resample', 'crop', 'error'] as const satisfies readonly CubeFit[];

/** Options of {@link fitToCube}. */
export interface FitToCubeOptions {
  /** Edge of the cube in voxels, an integer ≥ 1. Default 64. */
  size?: number;
  /**
   * Too-large objects (see {@link CubeFit}). Default `'resample'`: a few oversized cells keep
   * their whole shape (only their scale changes) instead of losing parts silently.
   */
  fit?: CubeFit;
}

/** Defaults of {@link FitToCubeOptions}. */
export const DEFAULT_FIT_TO_CUBE_OPTIONS = { size: 64, fit: 'resample' } as const;

/** What {@link fitToCube} returns. */
export interface CubeMask {
  /** The `size³` 0/1 cube. */
  cube: Volume<Uint8Array>;
  /** The factor the object was scaled by (1 unless `fit: 'resample'` shrank it). */
  scale: number;
  /** Foreground voxels cut off by `fit: 'crop'` (0 otherwise). */
  cropped: number;
}

function extents(box: BoundingBox): [number, number, number] {
  return [box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]];
}

/** The crop of `mask` to `box`. */
function cropTo(mask: Volume, box: BoundingBox): Volume<Uint8Array> {
  const [, ny, nx] = mask.shape;
  const [ez, ey, ex] = extents(box);
  const out = new Uint8Array(ez * ey * ex);
  for (let z = 0; z < ez; z++)
    for (let y = 0; y < ey; y++) {
      const src = ((z + box.min[0]) * ny + y + box.min[1]) * nx + box.min[2];
      const dst = (z * ey + y) * ex;
      for (let x = 0; x < ex; x++) out[dst + x] = mask.data[src + x] === 0 ? 0 : 1;
    }
  return { data: out, shape: [ez, ey, ex] };
}

/**
 * Copies `mask` into a `size³` cube so that mask voxel `p` lands on cube voxel `p + offset`;
 * voxels falling outside the cube are counted, not written.
 */
function place(
  mask: Volume,
  size: number,
  offset: readonly number[],
): { cube: Uint8Array; lost: number } {
  const [nz, ny, nx] = mask.shape;
  const cube = new Uint8Array(size * size * size);
  let lost = 0;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (mask.data[i] === 0) continue;
        const cz = z + offset[0]!;
        const cy = y + offset[1]!;
        const cx = x + offset[2]!;
        if (cz < 0 || cy < 0 || cx < 0 || cz >= size || cy >= size || cx >= size) lost++;
        else cube[(cz * size + cy) * size + cx] = 1;
      }
  return { cube, lost };
}

/**
 * The integer shift that moves the centre of mass `c` closest to the cube centre
 * `(size − 1) / 2`, clamped on every axis where the bounding box fits so it stays inside the
 * cube (an asymmetric object is then as central as fitting allows).
 */
function centringOffset(c: readonly number[], box: BoundingBox, size: number): number[] {
  return c.map((ca, a) => {
    let o = Math.round((size - 1) / 2 - ca);
    if (box.max[a]! - box.min[a]! <= size) {
      o = Math.max(o, -box.min[a]!);
      o = Math.min(o, size - box.max[a]!);
    }
    return o;
  });
}

/**
 * The object of a 0/1 mask (any non-zero voxel is foreground), centred in a `size³` cube: its
 * centre of mass is moved (by whole voxels) to the cube centre, shifted no more than needed to
 * keep its bounding box inside; too-large objects follow `options.fit`.
 *
 * ```ts
 * const { cube } = fitToCube(mask, { size: 64 }); // cube.shape [64, 64, 64], 0/1
 * ```
 *
 * @throws InvalidArgumentError naming `options.size` or `options.fit`; naming `mask` when it is
 *   empty; with `fit: 'error'`, naming `options.size` when the object's box is larger.
 */
export function fitToCube(mask: Volume, options: FitToCubeOptions = {}): CubeMask {
  const fn = 'fitToCube';
  checkVolume(fn, 'mask', mask);
  const size = checkInteger(fn, 'options.size', options.size ?? DEFAULT_FIT_TO_CUBE_OPTIONS.size, {
    min: 1,
  });
  const fit = checkOneOf(
    fn,
    'options.fit',
    options.fit ?? DEFAULT_FIT_TO_CUBE_OPTIONS.fit,
    CUBE_FITS,
  );
  const box = boundingBox(mask);
  if (box === undefined) throw invalidArgument(fn, 'mask', 'a mask with foreground voxels');
  const ext = extents(box);
  const largest = Math.max(...ext);
  if (largest > size && fit === 'error')
    throw new InvalidArgumentError(
      `${fn}: the object's bounding box [${ext.join(', ')}] is larger than the cube (options.size ${size}); choose a larger size or fit 'resample' or 'crop'`,
      { fn, arg: 'options.size' },
    );
  if (largest > size && fit === 'resample') {
    const scale = size / largest;
    const shape = ext.map((e) => Math.min(size, Math.max(1, Math.round(e * scale)))) as [
      number,
      number,
      number,
    ];
    const small = resampleMask(cropTo(mask, box), shape);
    if (boundingBox(small) === undefined)
      throw invalidArgument(fn, 'mask', 'an object that survives scaling to the cube');
    const inner = fitToCube(small, { size, fit: 'crop' });
    return { cube: inner.cube, scale, cropped: 0 };
  }
  const offset = centringOffset(centreOfMass(mask), box, size);
  const { cube, lost } = place(mask, size, offset);
  return { cube: { data: cube, shape: [size, size, size] }, scale: 1, cropped: lost };
}
