/**
 * @cellshape/voxel — 3D convolutional and 3D ResNet autoencoders on voxel grids.
 *
 * ```ts
 * import { VoxelDataset } from '@cellshape/voxel';
 * const dataset = await VoxelDataset.fromFolder('masks/', { cubeSize: 64 });
 * ```
 *
 * @packageDocumentation
 */
export const VOXEL_PACKAGE = '@cellshape/voxel';
export * from './data/index.js';
