/**
 * Seeded augmentations for 2D crops (SPEC §8): quarter turns, flips, mild Gaussian blur, random
 * resized crop, per-channel z-score, and the GBM thesis' PBR/FBR blackouts of the region outside
 * the dilated cell mask; {@link augmentView} draws one view, {@link augmentBatch} a batch.
 *
 * @module
 */
export {
  type CropBox,
  DEFAULT_RANDOM_RESIZED_CROP_OPTIONS,
  flip,
  type RandomResizedCropOptions,
  randomCropBox,
  resizeBox,
  rotate90,
} from './geometry.js';
export { blackoutOutside, blackoutSquare, dilateMask } from './mask.js';
export {
  type AugmentedView,
  type AugmentOptions,
  augmentBatch,
  augmentView,
  type Blackout,
  DEFAULT_AUGMENT_OPTIONS,
} from './view.js';
