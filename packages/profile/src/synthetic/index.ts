/**
 * Seeded synthetic 2-D experiments: drawn cells of five shape families under treatments that
 * shift the family mix, rendered as phase-contrast or fluorescence fields of view with label
 * images and a CellProfiler-style object table — a stand-in for real plates in tests, demos and
 * notebooks.
 *
 * ```ts
 * import { centroidTableCsv, syntheticExperiment2D } from '@cellshape/profile';
 * const experiment = syntheticExperiment2D({ seed: 0, wellsPerTreatment: 1 });
 * experiment.fields[0].image; // Image2D<Uint16Array> [256, 256, 1]
 * const csv = centroidTableCsv(experiment); // ImageNumber,ObjectNumber,Location_Center_X,…
 * ```
 */
export { CENTROID_TABLE_COLUMNS, centroidTableCsv } from './centroid-table.js';
export {
  DEFAULT_SYNTHETIC_EXPERIMENT_2D_OPTIONS,
  DEFAULT_TREATMENTS_2D,
  type SyntheticCell2D,
  type SyntheticExperiment2D,
  type SyntheticExperiment2DOptions,
  type SyntheticField2D,
  syntheticExperiment2D,
  type Treatment2D,
  wellName,
} from './experiment-2d.js';
export {
  CELL_FAMILIES_2D,
  type CellFamily2D,
  DEFAULT_DRAW_CELL_2D_OPTIONS,
  type DrawCell2DOptions,
  drawCell2D,
} from './families-2d.js';
export { SYNTHETIC_MODALITIES_2D, type SyntheticModality2D } from './render-field.js';
export {
  DEFAULT_SYNTHETIC_CROPS_2D_OPTIONS,
  type SyntheticCrops2D,
  type SyntheticCrops2DOptions,
  syntheticCrops2D,
} from './synthetic-crops.js';
