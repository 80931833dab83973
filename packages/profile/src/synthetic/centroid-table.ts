import { formatCsv } from '@cellshape/core';
import type { SyntheticExperiment2D } from './experiment-2d.js';

/**
 * The columns of {@link centroidTableCsv}: CellProfiler's per-object names (`ImageNumber`,
 * `ObjectNumber`, `Location_Center_X/Y`, `AreaShape_Area`, `FileName_Image`) and the plate
 * metadata as CellProfiler's `Metadata_*` columns; `Metadata_Family` is the ground truth.
 */
export const CENTROID_TABLE_COLUMNS = [
  'ImageNumber',
  'ObjectNumber',
  'Location_Center_X',
  'Location_Center_Y',
  'AreaShape_Area',
  'FileName_Image',
  'Metadata_Treatment',
  'Metadata_Well',
  'Metadata_Field',
  'Metadata_Family',
  'Metadata_Edge',
] as const;

/**
 * The per-object table of a synthetic experiment as CSV text, one row per object, in the
 * columns of {@link CENTROID_TABLE_COLUMNS}. `FileName_Image` is `<field name><extension>`.
 */
export function centroidTableCsv(experiment: SyntheticExperiment2D, extension = '.tif'): string {
  const names = new Map(experiment.fields.map((f) => [f.imageNumber, f.name]));
  return formatCsv(
    CENTROID_TABLE_COLUMNS,
    experiment.cells.map((c) => [
      c.imageNumber,
      c.objectNumber,
      Number(c.x.toFixed(3)),
      Number(c.y.toFixed(3)),
      c.area,
      `${names.get(c.imageNumber)}${extension}`,
      c.treatment,
      c.well,
      c.field,
      c.family,
      c.edge ? 1 : 0,
    ]),
  );
}
