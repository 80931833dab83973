import { checkOneOf } from '@cellshape/core';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { bceLoss } from './bce.js';
import { diceBceLoss, diceLoss } from './dice.js';
import { focalLoss } from './focal.js';
import { focalTverskyLoss, tverskyLoss } from './tversky.js';

/** The voxel reconstruction losses by name. */
export type VoxelLossName = 'bce' | 'dice' | 'dice-bce' | 'focal' | 'tversky' | 'focal-tversky';

/** Every {@link VoxelLossName}. */
export const VOXEL_LOSS_NAMES: readonly VoxelLossName[] = [
  'bce',
  'dice',
  'dice-bce',
  'focal',
  'tversky',
  'focal-tversky',
];

/**
 * The loss `name` of target masks and predicted probabilities (same shape), with each loss's
 * default options: see {@link bceLoss}, {@link diceLoss}, {@link diceBceLoss},
 * {@link focalLoss}, {@link tverskyLoss}, {@link focalTverskyLoss}.
 */
export function voxelLoss(name: VoxelLossName, target: Tensor, probabilities: Tensor): Scalar {
  switch (checkOneOf('voxelLoss', 'name', name, VOXEL_LOSS_NAMES)) {
    case 'bce':
      return bceLoss(target, probabilities);
    case 'dice':
      return diceLoss(target, probabilities);
    case 'dice-bce':
      return diceBceLoss(target, probabilities);
    case 'focal':
      return focalLoss(target, probabilities);
    case 'tversky':
      return tverskyLoss(target, probabilities);
    case 'focal-tversky':
      return focalTverskyLoss(target, probabilities);
  }
}
