/**
 * Synthetic 3-D cell masks: seeded, procedural stand-ins for segmented cells, in five shape
 * families, for tests, demos and benchmarks.
 *
 * ```ts
 * import { generateSyntheticCells, syntheticLabelImage } from '@cellshape/helper';
 * const { cells, families } = generateSyntheticCells({ count: 4, seed: 0 }); // 20 masks, 64³
 * const { labels } = syntheticLabelImage({ count: 1, size: 48 }); // 5 cells in one volume
 * ```
 */
export { SYNTHETIC_FAMILIES, type SyntheticFamily } from './families.js';
export {
  DEFAULT_SYNTHETIC_LABEL_IMAGE_OPTIONS,
  type SyntheticLabelImage,
  type SyntheticLabelImageOptions,
  type SyntheticLabelledCell,
  syntheticLabelImage,
} from './label-image.js';
export {
  DEFAULT_SYNTHETIC_CELL_OPTIONS,
  DEFAULT_SYNTHETIC_CELLS_OPTIONS,
  generateSyntheticCells,
  type SyntheticCell,
  type SyntheticCellOptions,
  type SyntheticCells,
  type SyntheticCellsOptions,
  syntheticCell,
} from './synthetic-cells.js';
