export {
  DEFAULT_EXTRACT_VOXEL_FEATURES_OPTIONS,
  type ExtractVoxelFeaturesOptions,
  extractVoxelFeatures,
  type VoxelFeaturesResult,
} from './extract-voxel-features.js';
export {
  DEFAULT_TRAIN_VOXEL_AUTOENCODER_OPTIONS,
  type TrainVoxelAutoencoderOptions,
  trainVoxelAutoencoder,
} from './train-voxel-autoencoder.js';
