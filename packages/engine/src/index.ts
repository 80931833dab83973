/**
 * `@cellshape/engine`: the tfjs layer shared by the model packages (cloud, cluster, voxel,
 * profile): backend selection, custom kernels, Adam, the training loop with checkpoints and
 * resume, and PyTorch `.pt` import.
 *
 * @module @cellshape/engine
 */
export * from './backend/index.js';
export * from './kernels/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './torch/index.js';
export * from './training/index.js';
