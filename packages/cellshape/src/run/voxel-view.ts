import type { VoxelAutoEncoder, VoxelDataset } from '@cellshape/voxel';
import * as tf from '@tensorflow/tfjs-core';
import { greyPngDataUrl } from '../report/grey-png.js';
import { middleSlices } from '../report/voxel-slices.js';

/**
 * How the voxel family shows a cell in the report: the centres of its surface voxels (inside
 * voxels with an outside face neighbour) as `[x, y, z]` points in cube voxel units, for the
 * report's 3-D point viewer, and a picture of its middle slices with the model's
 * reconstruction below them.
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

/** Pixels per voxel of the slice pictures: cubes of 32 voxels or fewer are drawn twice as large. */
function sliceScale(size: number): number {
  return size <= 32 ? 4 : size <= 64 ? 2 : 1;
}

/**
 * The middle slices of cube `index` (top) and of the model's reconstruction of it (below, grey
 * levels = probabilities), as a PNG data URL. The model runs in evaluation mode; its mode is
 * restored afterwards.
 */
export function voxelSlicesImage(
  model: VoxelAutoEncoder,
  dataset: VoxelDataset,
  index: number,
): string {
  const cube = dataset.cube(index);
  const n = dataset.cubeSize;
  const wasTraining = model.training;
  model.eval();
  try {
    const reconstruction = tf.tidy(() => {
      const input = tf.tensor5d(Float32Array.from(cube.data), [1, n, n, n, 1]);
      return model.decode(model.encode(input)).dataSync() as Float32Array;
    });
    return greyPngDataUrl(
      middleSlices(
        [
          { data: cube.data, size: n },
          { data: reconstruction, size: n },
        ],
        sliceScale(n),
      ),
    );
  } finally {
    model.train(wasTraining);
  }
}
