import { invalidArgument, withDefaults } from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';
import { normaliseProfilesAs } from './profiles/normalise-profiles.js';
import { checkGroups, type GroupKey } from './signatures.js';

/** Options of {@link plateNormalise}. */
export interface PlateNormaliseOptions {
  /** The plate of each cell. Required. */
  plate: readonly GroupKey[];
  /** Whether each cell is a control cell (e.g. DMSO or a non-targeting siRNA). Required. */
  isControl: readonly boolean[];
  /** Delta degrees of freedom of the control standard deviation: 1 (pandas' `std`) or 0. Default 1. */
  ddof?: 0 | 1;
}

/** Defaults of the optional {@link PlateNormaliseOptions}. */
export const DEFAULT_PLATE_NORMALISE_OPTIONS = { ddof: 1 } as const;

/**
 * Normalises features to each plate's controls, as the cellshape paper: for every plate and
 * feature, subtract the mean of the plate's control cells and divide by their standard
 * deviation (sample std, ddof 1, as the paper's pandas code). A feature whose control standard
 * deviation is 0 is only centred: it carries no scale to normalise by.
 *
 * The same as `normaliseProfiles(features, { method: 'standardise', reference: isControl,
 * by: plate, ddof: 1 })`, kept under the paper's name; `normaliseProfiles` adds the robust
 * and whitening methods and normalising against all wells.
 *
 * @param features `n × F`, finite.
 * @throws InvalidArgumentError when a plate has fewer than `ddof + 1` control cells.
 * @returns a new `n × F` float64 matrix.
 */
export function plateNormalise(
  features: DenseMatrix,
  options: PlateNormaliseOptions,
): DenseMatrix<Float64Array> {
  const fn = 'plateNormalise';
  checkMatrix(fn, 'features', features);
  const { plate, isControl, ddof } = withDefaults(fn, DEFAULT_PLATE_NORMALISE_OPTIONS, options);
  const n = features.shape[0];
  checkGroups(fn, 'options.plate', plate, n);
  if (
    !Array.isArray(isControl) ||
    isControl.length !== n ||
    !isControl.every((v) => typeof v === 'boolean')
  )
    throw invalidArgument(fn, 'options.isControl', `an array of ${n} booleans`, isControl);
  return normaliseProfilesAs(fn, features, {
    method: 'standardise',
    reference: isControl,
    by: plate,
    ddof,
  });
}
