import { checkOneOf, invalidArgument } from '@cellshape/core';
import { labelConnectedComponents, labelObjects, type Volume } from '@cellshape/helper';
import { binariseMask } from './binarise.js';
import { checkVolume } from './volume-geometry.js';

/**
 * How a mask file becomes objects: `'file'` the whole file is one object (a binary mask, see
 * `binariseMask`); `'labels'` one object per distinct non-zero value of a label image
 * (helper's `labelObjects`); `'components'` one object per 26-connected component of the
 * non-zero voxels (helper's `labelConnectedComponents`).
 */
export type MaskObjectMode = 'file' | 'labels' | 'components';

/** The choices of {@link MaskObjectMode}. */
export const MASK_OBJECT_MODES = [
  'file',
  'labels',
  'components',
] as const satisfies readonly MaskObjectMode[];

/** Options of {@link maskObjects}. */
export interface MaskObjectsOptions {
  /** How the volume is split. Default `'file'`. */
  objects?: MaskObjectMode;
  /** Binarisation cut-off of `'file'` and `'components'` (see `binariseMask`). Default null. */
  threshold?: number | null;
  /** Objects with fewer voxels are dropped. Default 0. */
  minSize?: number;
}

/** Defaults of {@link MaskObjectsOptions}. */
export const DEFAULT_MASK_OBJECTS_OPTIONS = {
  objects: 'file',
  threshold: null,
  minSize: 0,
} as const;

/** One object of a mask file. */
export interface MaskObject {
  /** Label value or component number; 0 for `'file'`. */
  label: number;
  /** Foreground voxels. */
  voxelCount: number;
  /** The object's 0/1 mask cropped to its bounding box (spacing kept). */
  mask: Volume<Uint8Array>;
}

/**
 * The objects of a mask or label volume, sorted by label (see {@link MaskObjectMode}); a
 * `'file'` volume without foreground gives none.
 *
 * @throws InvalidArgumentError naming `volume` for a non-binary volume in `'file'` or
 *   `'components'` mode without a threshold, or naming the option.
 */
export function maskObjects(volume: Volume, options: MaskObjectsOptions = {}): MaskObject[] {
  const fn = 'maskObjects';
  checkVolume(fn, 'volume', volume);
  const mode = checkOneOf(
    fn,
    'options.objects',
    options.objects ?? DEFAULT_MASK_OBJECTS_OPTIONS.objects,
    MASK_OBJECT_MODES,
  );
  const minSize = options.minSize ?? DEFAULT_MASK_OBJECTS_OPTIONS.minSize;
  if (!(Number.isFinite(minSize) && minSize >= 0))
    throw invalidArgument(fn, 'options.minSize', 'a number ≥ 0 (voxels)', minSize);
  const threshold = options.threshold ?? null;
  const split = { padding: 0, minSize };
  let labelled: Volume;
  switch (mode) {
    case 'file':
      labelled = binariseMask(volume, { threshold });
      break;
    case 'labels':
      labelled = volume;
      break;
    case 'components':
      labelled = labelConnectedComponents(binariseMask(volume, { threshold }));
      break;
    default:
      throw invalidArgument(
        fn,
        'options.objects',
        'file, labels or components',
        mode satisfies never,
      );
  }
  return labelObjects(labelled, split).map((o) => ({
    label: mode === 'file' ? 0 : o.id,
    voxelCount: o.voxelCount,
    mask: o.mask,
  }));
}
