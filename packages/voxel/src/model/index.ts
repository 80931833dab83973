export { RESNET_WIDTHS } from './resnet-encoder.js';
export { VoxelAutoEncoder, type VoxelAutoEncoderOutput } from './voxel-autoencoder.js';
export {
  DEFAULT_VOXEL_AUTOENCODER_OPTIONS,
  encoderSizes,
  minimumCubeSize,
  RESNET_DEPTHS,
  RESNET_STAGES,
  type ResNetBlock,
  type ResNetDepth,
  type ResolvedVoxelOptions,
  resolveVoxelOptions,
  type ShortcutType,
  standardBlock,
  type VoxelAutoEncoderOptions,
  type VoxelEncoderType,
} from './voxel-options.js';
