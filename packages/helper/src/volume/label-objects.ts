import { invalidArgument } from '@cellshape/core';
import type { Volume } from '../types.js';
import { assertVolume } from './assert-volume.js';

/** One object of a label image: a tight, padded crop of its voxels and its regionprops. */
export interface LabelObject {
  /** The label value of the object in the input volume. */
  id: number;
  /** Bounding box in voxels of the input, [z, y, x]: `min` inclusive, `max` exclusive (as regionprops' `bbox`). */
  bbox: { min: [number, number, number]; max: [number, number, number] };
  /** Number of voxels with this label. */
  voxelCount: number;
  /** Mean voxel position [z, y, x] in voxel units of the input (as regionprops' `centroid`). */
  centroid: [number, number, number];
  /**
   * The object's binary mask (1 inside, 0 elsewhere, including other objects), cropped to the
   * bounding box and padded with `padding` zero voxels on every side: shape
   * `max − min + 2 · padding`; voxel (0, 0, 0) is input voxel `min − padding`. Spacing kept.
   */
  mask: Volume<Uint8Array>;
}

/** Options of {@link labelObjects}. */
export interface LabelObjectsOptions {
  /**
   * Drop objects touching the volume border (a voxel on an outer face), as skimage's
   * `clear_border`. Axes of length 1 have no border (a 2-D [1, y, x] image is cleared along
   * y and x only). Default false.
   */
  clearBorder?: boolean;
  /** Drop objects with fewer voxels than this, as skimage's `remove_small_objects`. Default 0. */
  minSize?: number;
  /** Zero voxels added around each crop on every side, so surfaces close. Integer ≥ 0, default 1. */
  padding?: number;
  /** The label value that is not an object. Default 0. */
  background?: number;
}

/** Defaults of {@link LabelObjectsOptions}. */
export const DEFAULT_LABEL_OBJECTS_OPTIONS: Readonly<Required<LabelObjectsOptions>> = {
  clearBorder: false,
  minSize: 0,
  padding: 1,
  background: 0,
};

function resolveOptions(fn: string, options: LabelObjectsOptions | undefined) {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw invalidArgument(fn, 'options', 'an object or undefined', options);
  const clearBorder = options?.clearBorder ?? DEFAULT_LABEL_OBJECTS_OPTIONS.clearBorder;
  const minSize = options?.minSize ?? DEFAULT_LABEL_OBJECTS_OPTIONS.minSize;
  const padding = options?.padding ?? DEFAULT_LABEL_OBJECTS_OPTIONS.padding;
  const background = options?.background ?? DEFAULT_LABEL_OBJECTS_OPTIONS.background;
  if (typeof clearBorder !== 'boolean')
    throw invalidArgument(fn, 'options.clearBorder', 'a boolean', clearBorder);
  if (typeof minSize !== 'number' || !Number.isFinite(minSize) || minSize < 0)
    throw invalidArgument(fn, 'options.minSize', 'a finite number ≥ 0 (voxels)', minSize);
  if (!Number.isInteger(padding) || padding < 0)
    throw invalidArgument(fn, 'options.padding', 'an integer ≥ 0', padding);
  if (!Number.isInteger(background))
    throw invalidArgument(fn, 'options.background', 'an integer', background);
  return { clearBorder, minSize, padding, background };
}

/** Per-label accumulators in struct-of-arrays form, grown as labels appear. */
class Stats {
  size = 0;
  ids = new Float64Array(64);
  counts = new Float64Array(64);
  sums = new Float64Array(64 * 3);
  mins = new Int32Array(64 * 3);
  maxs = new Int32Array(64 * 3);

  add(id: number): number {
    if (this.size === this.ids.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids);
      this.counts = grow(this.counts);
      this.sums = grow(this.sums);
      this.mins = grow(this.mins);
      this.maxs = grow(this.maxs);
    }
    const k = this.size++;
    this.ids[k] = id;
    this.mins.fill(0x7fffffff, 3 * k, 3 * k + 3);
    this.maxs.fill(-1, 3 * k, 3 * k + 3);
    return k;
  }
}

/**
 * Splits a label image into objects, one per distinct non-background value, sorted by id: each
 * with its bounding box, voxel count, centroid and a padded binary crop ready for marching
 * cubes. Labels must be integers (float volumes are accepted when every value is an integer; NaN
 * throws). A 2-D image is a [1, y, x] volume. A binary mask (0/255) is one object: label its
 * connected components first with `labelConnectedComponents`.
 */
export function labelObjects(volume: Volume, options?: LabelObjectsOptions): LabelObject[] {
  const fn = 'labelObjects';
  assertVolume(fn, 'volume', volume);
  const { clearBorder, minSize, padding, background } = resolveOptions(fn, options);
  const { data, shape } = volume;
  const [nz, ny, nx] = shape;
  const isFloat = data instanceof Float32Array || data instanceof Float64Array;

  const stats = new Stats();
  const index = new Map<number, number>();
  let lastId = background;
  let last = -1;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const id = data[i]!;
        if (id === background) continue;
        if (id !== lastId) {
          if (isFloat && !Number.isInteger(id)) {
            throw invalidArgument(
              fn,
              'volume.data',
              `integer labels, found ${id} at voxel [${z}, ${y}, ${x}]`,
            );
          }
          last = index.get(id) ?? -1;
          if (last < 0) {
            last = stats.add(id);
            index.set(id, last);
          }
          lastId = id;
        }
        const k3 = 3 * last;
        stats.counts[last]!++;
        stats.sums[k3]! += z;
        stats.sums[k3 + 1]! += y;
        stats.sums[k3 + 2]! += x;
        if (z < stats.mins[k3]!) stats.mins[k3] = z;
        if (y < stats.mins[k3 + 1]!) stats.mins[k3 + 1] = y;
        if (x < stats.mins[k3 + 2]!) stats.mins[k3 + 2] = x;
        if (z > stats.maxs[k3]!) stats.maxs[k3] = z;
        if (y > stats.maxs[k3 + 1]!) stats.maxs[k3 + 1] = y;
        if (x > stats.maxs[k3 + 2]!) stats.maxs[k3 + 2] = x;
      }
    }
  }

  const order = Array.from({ length: stats.size }, (_, k) => k).sort(
    (a, b) => stats.ids[a]! - stats.ids[b]!,
  );
  const objects: LabelObject[] = [];
  for (const k of order) {
    const voxelCount = stats.counts[k]!;
    if (voxelCount < minSize) continue;
    const min: [number, number, number] = [
      stats.mins[3 * k]!,
      stats.mins[3 * k + 1]!,
      stats.mins[3 * k + 2]!,
    ];
    const max: [number, number, number] = [
      stats.maxs[3 * k]! + 1,
      stats.maxs[3 * k + 1]! + 1,
      stats.maxs[3 * k + 2]! + 1,
    ];
    if (clearBorder && shape.some((n, a) => n > 1 && (min[a] === 0 || max[a] === n))) continue;
    const id = stats.ids[k]!;
    objects.push({
      id,
      bbox: { min, max },
      voxelCount,
      centroid: [
        stats.sums[3 * k]! / voxelCount,
        stats.sums[3 * k + 1]! / voxelCount,
        stats.sums[3 * k + 2]! / voxelCount,
      ],
      mask: cropMask(volume, id, min, max, padding),
    });
  }
  return objects;
}

/** The padded binary crop of label `id` over the box [min, max). */
function cropMask(
  volume: Volume,
  id: number,
  min: [number, number, number],
  max: [number, number, number],
  padding: number,
): Volume<Uint8Array> {
  const { data, shape } = volume;
  const [, ny, nx] = shape;
  const cz = max[0] - min[0] + 2 * padding;
  const cy = max[1] - min[1] + 2 * padding;
  const cx = max[2] - min[2] + 2 * padding;
  const mask = new Uint8Array(cz * cy * cx);
  for (let z = min[0]; z < max[0]; z++) {
    for (let y = min[1]; y < max[1]; y++) {
      const src = (z * ny + y) * nx;
      const dst = ((z - min[0] + padding) * cy + (y - min[1] + padding)) * cx + padding - min[2];
      for (let x = min[2]; x < max[2]; x++) if (data[src + x] === id) mask[dst + x] = 1;
    }
  }
  const out: Volume<Uint8Array> = { data: mask, shape: [cz, cy, cx] };
  if (volume.spacing) out.spacing = [...volume.spacing];
  return out;
}
