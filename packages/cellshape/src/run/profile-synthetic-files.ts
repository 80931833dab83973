import { join } from 'node:path';
import { writeFileAtomic } from '@cellshape/core';
import { centroidTableCsv, type SyntheticExperiment2D, writeImage2D } from '@cellshape/profile';

/** Where {@link writeSyntheticExperiment} puts each part, relative to its folder. */
export const SYNTHETIC_EXPERIMENT_LAYOUT = {
  /** Grey images `images/<well>_s<field>.tif` (16-bit). */
  images: 'images',
  /** Label images `labels/<well>_s<field>.png` (16-bit). */
  labels: 'labels',
  /** The CellProfiler-style object table. */
  table: 'cells.csv',
} as const;

/**
 * Writes a synthetic 2-D experiment as a microscope and CellProfiler would leave it: one TIFF
 * per field, its label image as PNG, and the per-object table (see
 * {@link SYNTHETIC_EXPERIMENT_LAYOUT}); every file atomically.
 */
export async function writeSyntheticExperiment(
  experiment: SyntheticExperiment2D,
  dir: string,
): Promise<{ images: string; labels: string; table: string }> {
  const L = SYNTHETIC_EXPERIMENT_LAYOUT;
  for (const field of experiment.fields) {
    await writeImage2D(join(dir, L.images, `${field.name}.tif`), field.image);
    await writeImage2D(join(dir, L.labels, `${field.name}.png`), field.labels);
  }
  await writeFileAtomic(join(dir, L.table), centroidTableCsv(experiment));
  return { images: join(dir, L.images), labels: join(dir, L.labels), table: join(dir, L.table) };
}
