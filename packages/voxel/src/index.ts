/**
 * `@cellshape/voxel`: 3D convolutional and 3D ResNet autoencoders for cell shape on voxel
 * grids (cellshape-voxel in TypeScript, on `@cellshape/engine`): the `VoxelAutoEncoder` with
 * PyTorch-compatible state dicts, the segmentation losses (BCE, Dice, Dice+BCE, focal,
 * Tversky, focal Tversky), datasets of mask volumes as cubes, and training with checkpoints and
 * exact resume.
 *
 * ```ts
 * import { selectBackend } from '@cellshape/engine';
 * import { VoxelAutoEncoder } from '@cellshape/voxel';
 * await selectBackend();
 * const model = new VoxelAutoEncoder({ inputShape: [64, 64, 64, 1], numFeatures: 50 });
 * const features = model.eval().encode(volumes); // [B, 64, 64, 64, 1] → [B, 50]
 * ```
 *
 * ```ts
 * import { VoxelDataset } from '@cellshape/voxel';
 * const dataset = await VoxelDataset.fromFolder('masks/', { cubeSize: 64 });
 * ```
 *
 * @module @cellshape/voxel
 */
export * from './data/index.js';
export * from './losses/index.js';
export * from './model/index.js';
export * from './train/index.js';
