import { checkOneOf, InvalidArgumentError, invalidArgument, withDefaults } from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';
import { checkGroups, type GroupKey } from './signatures.js';
import { columnStats } from './standardise.js';

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
 * deviation. A feature whose control standard deviation is 0 is only centred (divided by 1):
 * it carries no scale to normalise by, and dividing would give ±Infinity/NaN.
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
  const [n, f] = features.shape;
  checkGroups(fn, 'options.plate', plate, n);
  if (
    !Array.isArray(isControl) ||
    isControl.length !== n ||
    !isControl.every((v) => typeof v === 'boolean')
  )
    throw invalidArgument(fn, 'options.isControl', `an array of ${n} booleans`, isControl);
  checkOneOf(fn, 'options.ddof', ddof, [0, 1]);
  const cells = new Map<GroupKey, number[]>();
  const controls = new Map<GroupKey, number[]>();
  plate.forEach((p, i) => {
    if (!cells.has(p)) {
      cells.set(p, []);
      controls.set(p, []);
    }
    cells.get(p)!.push(i);
    if (isControl[i]) controls.get(p)!.push(i);
  });
  const out = new Float64Array(n * f);
  for (const [plate, rows] of cells) {
    const ctrl = controls.get(plate)!;
    if (ctrl.length <= ddof) {
      throw new InvalidArgumentError(
        `${fn}: plate ${JSON.stringify(plate)} has ${ctrl.length} control cells, at least ${ddof + 1} are needed`,
        { fn, arg: 'options.isControl' },
      );
    }
    for (let c = 0; c < f; c++) {
      const { mean, std } = columnStats(features, c, ctrl, ddof);
      const scale = std > 0 ? std : 1;
      for (const i of rows) out[i * f + c] = (features.data[i * f + c]! - mean) / scale;
    }
  }
  return { data: out, shape: [n, f] };
}
