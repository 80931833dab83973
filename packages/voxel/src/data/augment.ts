import { createRng } from '@cellshape/core';
import type { Volume } from '@cellshape/helper';
import {
  CUBE_ROTATIONS,
  composeSymmetries,
  GRID_SYMMETRIES,
  type GridSymmetry,
  transformVolume,
} from './cube-symmetry.js';

/**
 * Seeded augmentations of voxel cubes: a random one of the 24 quarter-turn rotations and/or a
 * mirror, drawn from a seed (the datasets mix it from their seed, the sample index and the
 * epoch with core's `mixSeed`, so an epoch's augmentations are reproducible and resumable).
 */

/** Which augmentations to draw. */
export interface VoxelAugmentation {
  /** A uniformly random rotation of the 24 (identity included). Default false. */
  rotate?: boolean;
  /** A mirror along x with probability 1/2 (with `rotate`: all 48 grid symmetries). Default false. */
  flip?: boolean;
}

/** Defaults of {@link VoxelAugmentation}: none. */
export const DEFAULT_VOXEL_AUGMENTATION = { rotate: false, flip: false } as const;

const MIRROR_X = GRID_SYMMETRIES.find(
  (s) => s.axes.join() === '0,1,2' && s.flips.join() === 'false,false,true',
)!;

/** The grid symmetry drawn from `seed` for `augmentation` (the identity when both are off). */
export function drawSymmetry(augmentation: VoxelAugmentation, seed: number): GridSymmetry {
  const rng = createRng(seed);
  let s = CUBE_ROTATIONS[0]!;
  if (augmentation.rotate) s = CUBE_ROTATIONS[rng.int(CUBE_ROTATIONS.length)]!;
  if (augmentation.flip && rng.int(2) === 1) s = composeSymmetries(MIRROR_X, s);
  return s;
}

/** `volume` under the symmetry drawn from `seed` (see {@link drawSymmetry}); a new volume. */
export function augmentVolume<V extends Volume>(
  volume: V,
  augmentation: VoxelAugmentation,
  seed: number,
): V {
  return transformVolume(volume, drawSymmetry(augmentation, seed));
}
