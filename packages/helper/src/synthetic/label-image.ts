import {
  checkInteger,
  createRng,
  deriveSeed,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import type { Volume } from '../types.js';
import type { SyntheticFamily } from './families.js';
import {
  DEFAULT_SYNTHETIC_CELLS_OPTIONS,
  drawCell,
  resolveCellOptions,
  resolveFamilies,
  type SyntheticCellsOptions,
} from './synthetic-cells.js';

/**
 * Options of {@link syntheticLabelImage}: those of `generateSyntheticCells` (`count` cells per
 * family), where `size` is the edge of each cell's slot in the label volume. Default
 * `count` here is 2 per family, so a default image holds 10 cells.
 */
export interface SyntheticLabelImageOptions extends SyntheticCellsOptions {}

/** Defaults of {@link SyntheticLabelImageOptions}. */
export const DEFAULT_SYNTHETIC_LABEL_IMAGE_OPTIONS = {
  ...DEFAULT_SYNTHETIC_CELLS_OPTIONS,
  count: 2,
} as const;

/** One object of a synthetic label image. */
export interface SyntheticLabelledCell {
  /** The object's integer value in the label volume (1, 2, ...). */
  value: number;
  family: SyntheticFamily;
  /** Index of `family` in `families`. */
  label: number;
  /** `<family>-<index within family>`, as in `generateSyntheticCells`. */
  id: string;
  /** Bounding box of the object in the label volume, inclusive, (z, y, x). */
  bbox: { min: [number, number, number]; max: [number, number, number] };
  voxelCount: number;
}

/** The result of {@link syntheticLabelImage}. */
export interface SyntheticLabelImage {
  /** Label volume: 0 = background, object `k` has value `cells[k].value`. */
  labels: Volume<Uint16Array>;
  cells: SyntheticLabelledCell[];
  families: SyntheticFamily[];
}

/**
 * Several synthetic cells in one label volume, as a segmentation would give: the cells of
 * `generateSyntheticCells(options)` (same masks, same ids) are placed, in a random order, on
 * a grid of `size`³ slots, each at a random offset inside its slot. Objects never overlap or
 * touch (at least 2 background voxels between two objects) and stay at least 1 voxel away
 * from the volume border. The volume has
 * `[nz·size, ny·size, nx·size]` voxels, with `nx = ⌈∛n⌉`, `ny = ⌈√(n / nx)⌉`,
 * `nz = ⌈n / (nx·ny)⌉` for `n` cells.
 *
 * ```ts
 * const { labels, cells } = syntheticLabelImage({ count: 1, size: 48, seed: 2 }); // 5 cells
 * ```
 */
export function syntheticLabelImage(options: SyntheticLabelImageOptions = {}): SyntheticLabelImage {
  const fn = 'syntheticLabelImage';
  const { count, families, ...cellOptions } = withDefaults(
    fn,
    DEFAULT_SYNTHETIC_LABEL_IMAGE_OPTIONS,
    options,
  );
  checkInteger(fn, 'count', count, { min: 1 });
  const list = resolveFamilies(fn, families);
  const base = resolveCellOptions(fn, cellOptions);
  const n = count * list.length;
  if (n > 65_535) throw invalidArgument(fn, 'count', 'at most 65535 cells in all', n);
  const s = base.size;
  const nx = Math.ceil(Math.cbrt(n) - 1e-9);
  const ny = Math.ceil(Math.sqrt(n / nx) - 1e-9);
  const nz = Math.ceil(n / (nx * ny));
  const shape: [number, number, number] = [nz * s, ny * s, nx * s];
  const data = new Uint16Array(shape[0] * shape[1] * shape[2]);
  const layout = createRng(deriveSeed(base.seed, 'layout'));
  const slots = layout.permutation(nx * ny * nz);
  const cells: SyntheticLabelledCell[] = [];

  list.forEach((family, label) => {
    for (let i = 0; i < count; i++) {
      const mask = drawCell(family, { ...base, seed: deriveSeed(base.seed, family, i) });
      const { min, max } = maskBounds(mask);
      const value = cells.length + 1;
      const slot = slots[cells.length]!;
      const slotOrigin = [
        Math.floor(slot / (nx * ny)) * s,
        (Math.floor(slot / nx) % ny) * s,
        (slot % nx) * s,
      ];
      // Keep one empty voxel on every side of the object inside its slot.
      const offset = [0, 1, 2].map((a) => {
        const extent = max[a]! - min[a]! + 1;
        return slotOrigin[a]! + 1 + layout.int(Math.max(1, s - 1 - extent));
      }) as [number, number, number];
      let voxelCount = 0;
      for (let z = min[0]; z <= max[0]; z++) {
        for (let y = min[1]; y <= max[1]; y++) {
          for (let x = min[2]; x <= max[2]; x++) {
            if (mask.data[(z * s + y) * s + x] === 0) continue;
            const tz = offset[0] + z - min[0];
            const ty = offset[1] + y - min[1];
            const tx = offset[2] + x - min[2];
            data[(tz * shape[1] + ty) * shape[2] + tx] = value;
            voxelCount++;
          }
        }
      }
      const bbox = {
        min: offset,
        max: [0, 1, 2].map((a) => offset[a]! + max[a]! - min[a]!) as [number, number, number],
      };
      cells.push({ value, family, label, id: `${family}-${i}`, bbox, voxelCount });
    }
  });
  return { labels: { data, shape }, cells, families: list };
}

/** Inclusive (z, y, x) bounding box of the non-zero voxels of a cubic mask. */
function maskBounds(mask: Volume<Uint8Array>): {
  min: [number, number, number];
  max: [number, number, number];
} {
  const [nz, ny, nx] = mask.shape;
  const min: [number, number, number] = [nz, ny, nx];
  const max: [number, number, number] = [-1, -1, -1];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        if (mask.data[(z * ny + y) * nx + x] === 0) continue;
        min[0] = Math.min(min[0], z);
        min[1] = Math.min(min[1], y);
        min[2] = Math.min(min[2], x);
        max[0] = Math.max(max[0], z);
        max[1] = Math.max(max[1], y);
        max[2] = Math.max(max[2], x);
      }
    }
  }
  return { min, max };
}
