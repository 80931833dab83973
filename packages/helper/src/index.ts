/**
 * `@cellshape/helper`: from 3-D masks to meshes and point clouds, with no deep learning.
 *
 * ```ts
 * import { readVolume, labelObjects, marchingCubes, samplePoints } from '@cellshape/helper';
 * const volume = readVolume('nuclei.tif');            // { data, shape: [z, y, x], spacing? }
 * for (const object of labelObjects(volume)) {
 *   const mesh = marchingCubes(object.mask, { spacing: [2.18, 1, 1] });
 *   const cloud = samplePoints(mesh, 2048, { seed: 0 }); // { data: Float32Array, shape: [2048, 3] }
 * }
 * ```
 *
 * @module @cellshape/helper
 */

export * from './convert/index.js';
export * from './measures/index.js';
export * from './mesh/index.js';
export * from './points/index.js';
export * from './surface/index.js';
export * from './synthetic/index.js';
export type { AxisOrder, Mesh, PointCloud, Volume } from './types.js';
export * from './volume/index.js';
