export {
  augmentVolume,
  DEFAULT_VOXEL_AUGMENTATION,
  drawSymmetry,
  type VoxelAugmentation,
} from './augment.js';
export { type BinariseOptions, binariseMask, DEFAULT_BINARISE_OPTIONS } from './binarise.js';
export {
  CUBE_ROTATIONS,
  composeSymmetries,
  flipVolume,
  GRID_SYMMETRIES,
  type GridSymmetry,
  rotate90,
  symmetryDeterminant,
  transformVolume,
} from './cube-symmetry.js';
export {
  CUBE_FITS,
  type CubeFit,
  type CubeMask,
  DEFAULT_FIT_TO_CUBE_OPTIONS,
  type FitToCubeOptions,
  fitToCube,
} from './fit-to-cube.js';
export {
  DEFAULT_MASK_OBJECTS_OPTIONS,
  MASK_OBJECT_MODES,
  type MaskObject,
  type MaskObjectMode,
  type MaskObjectsOptions,
  maskObjects,
} from './mask-objects.js';
export { makeIsotropic, resampleMask, resampleVolume } from './resample.js';
export { type BoundingBox, boundingBox, centreOfMass, foregroundCount } from './volume-geometry.js';
export {
  DEFAULT_VOXEL_BATCH_OPTIONS,
  DEFAULT_VOXEL_DATASET_OPTIONS,
  VOXEL_FILE_EXTENSIONS,
  type VoxelBatch,
  type VoxelBatchOptions,
  VoxelDataset,
  type VoxelDatasetOptions,
  type VoxelFolderOptions,
  type VoxelVolumesOptions,
} from './voxel-dataset.js';
