import { invalidArgument } from '@cellshape/core';
import type { GreyImage } from './grey-png.js';

/**
 * The report's picture of a voxel cube and its reconstruction: the middle slice across each
 * axis (z, y, x), input on the top row and reconstruction below, each voxel `scale` pixels,
 * 0 black and 1 white, with a one-pixel grey gap between the panels.
 */

/** A cube of values in [0, 1], `n × n × n`, z slowest. */
export interface SliceCube {
  data: ArrayLike<number>;
  size: number;
}

const GAP = 128;

/** The middle slices of `rows` cubes of one size (one row each), as one greyscale image. */
export function middleSlices(rows: readonly SliceCube[], scale = 2): GreyImage {
  const fn = 'middleSlices';
  const n = rows[0]?.size ?? 0;
  if (!(Number.isInteger(n) && n > 0) || rows.some((r) => r.size !== n || r.data.length !== n ** 3))
    throw invalidArgument(fn, 'rows', 'cubes of one size n with n³ values each');
  if (!(Number.isInteger(scale) && scale >= 1))
    throw invalidArgument(fn, 'scale', 'an integer ≥ 1', scale);
  const panel = n * scale;
  const width = 3 * panel + 2;
  const height = rows.length * panel + rows.length - 1;
  const data = new Uint8Array(width * height).fill(GAP);
  const m = Math.floor(n / 2);
  // Voxel of cube `c` at (row, col) of the slice across `axis`.
  const at = (c: SliceCube, axis: number, r: number, q: number): number => {
    const [z, y, x] = axis === 0 ? [m, r, q] : axis === 1 ? [r, m, q] : [r, q, m];
    return c.data[(z * n + y) * n + x]!;
  };
  rows.forEach((cube, row) => {
    for (let axis = 0; axis < 3; axis++)
      for (let r = 0; r < n; r++)
        for (let q = 0; q < n; q++) {
          const v = Math.round(255 * Math.min(1, Math.max(0, at(cube, axis, r, q))));
          for (let dy = 0; dy < scale; dy++) {
            const py = row * (panel + 1) + r * scale + dy;
            const px = axis * (panel + 1) + q * scale;
            data.fill(v, py * width + px, py * width + px + scale);
          }
        }
  });
  return { data, width, height };
}
