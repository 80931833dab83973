export { bceLoss } from './bce.js';
export { PROBABILITY_EPS } from './check-volumes.js';
export { DEFAULT_DICE_OPTIONS, type DiceOptions, diceBceLoss, diceLoss } from './dice.js';
export { DEFAULT_FOCAL_OPTIONS, type FocalOptions, focalLoss } from './focal.js';
export {
  DEFAULT_TVERSKY_OPTIONS,
  focalTverskyLoss,
  type TverskyOptions,
  tverskyLoss,
} from './tversky.js';
export { VOXEL_LOSS_NAMES, type VoxelLossName, voxelLoss } from './voxel-loss.js';
