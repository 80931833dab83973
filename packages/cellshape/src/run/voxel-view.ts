import type { VoxelDataset } from '@cellshape/voxel';

/**
 * How the voxel family shows a cell in the report: the centres of its surface voxels (inside
 * voxels with an outside face neighbour) as `[x, y, z]` points in cube voxel units, for the
 * report's 3-D point viewer.
 */

/** Up to `maxPoints` surface-voxel centres of cube `index`, evenly strided (deterministic). */
export function voxelExemplarPoints(
  dataset: VoxelDataset,
  index: number,
  maxPoints: number,
): number[][] {
  const { data, shape } = dataset.cube(index);
  const [nz, ny, nx] = shape;
  const inside = (z: number, y: number, x: number) =>
    z >= 0 && y >= 0 && x >= 0 && z < nz && y < ny && x < nx && data[(z * ny + y) * nx + x] === 1;
  const surface: number[][] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        if (
          inside(z, y, x) &&
          !(
            inside(z - 1, y, x) &&
            inside(z + 1, y, x) &&
            inside(z, y - 1, x) &&
            inside(z, y + 1, x) &&
            inside(z, y, x - 1) &&
            inside(z, y, x + 1)
          )
        )
          surface.push([x, y, z]);
  const take = Math.min(surface.length, maxPoints);
  return Array.from({ length: take }, (_, r) => surface[Math.floor((r * surface.length) / take)]!);
}
