import { basename, join } from 'node:path';
import { writeFileAtomic } from '@cellshape/core';
import { readImage2D, readLabelImage2D } from '../image/read-image.js';
import { encodeImage2D } from '../image/write-image.js';
import { measureQc, type QcMeasurement } from '../qc/flags.js';
import type { CentroidTable } from '../tables/centroid-table.js';
import { type CropCellsOptions, cropCells } from './crop-cells.js';
import { labelCentroids } from './crops-from-labels.js';

/** One image of a {@link cropFolder} batch: plain data, so it can be posted to a worker. */
export interface CropTask {
  image: string;
  labels?: string;
  /** The table rows of this image only; none: centroids of the label image. */
  table?: CentroidTable;
  crop: Omit<CropCellsOptions, 'labels' | 'frame' | 'image'>;
  outDir: string;
  /** The image's id (its path under the input folder, without extension): `crops/<id>/<cell>.<ext>`. */
  id: string;
  format: 'tiff' | 'png';
  /** Measure the image's focus and intensities for `qc.csv`. */
  qc: boolean;
  /** The readers' `maxPixels`, when the caller set one. */
  maxPixels?: number;
  /**
   * What the image's crops depend on (settings, its rows, the image and label files' size and
   * time), kept in its part file: a rerun resumes the image only when it is unchanged.
   */
  fingerprint?: string;
}

/** One written crop, as a row of the index (before the metadata columns). */
export interface CropRecord {
  /** `<image id>/<cell>`: the crop's path under `crops/` without extension. */
  id: string;
  crop: string;
  mask: string;
  cell_id: number;
  centre_x: number;
  centre_y: number;
  moved: number;
  padded: number;
  label: number | '';
  metadata: Record<string, string>;
}

/** What one task did. */
export type CropOutcome =
  | {
      status: 'done';
      crops: CropRecord[];
      skipped: { id: number; reason: string; detail: string; metadata: Record<string, string> }[];
      /** The image's QC measurements (one per channel), when the task asked for them. */
      qc?: QcMeasurement[];
      /** The task's fingerprint, when it had one. */
      fingerprint?: string;
    }
  | { status: 'failed'; error: string };

/** The path of a task's part file, written last: its presence marks the image as done. */
export function partPath(outDir: string, id: string): string {
  return join(outDir, 'parts', `${id}.json`);
}

/**
 * Crops one image and writes its crop (and mask) files, then its part file, each atomically;
 * never throws: a failure is the outcome `failed` and leaves no part file (a rerun retries it).
 */
export async function runCropTask(task: CropTask): Promise<CropOutcome> {
  try {
    const limit = { maxPixels: task.maxPixels };
    const image = readImage2D(task.image, limit);
    const labels = task.labels ? readLabelImage2D(task.labels, limit) : undefined;
    const table = task.table ?? (labels ? labelCentroids(labels) : undefined);
    if (!table) throw new Error('neither a centroid table nor a label image was given');
    const { crops, skipped } = cropCells(image, table, { ...task.crop, labels });
    const ext = task.format === 'png' ? 'png' : 'tif';
    const used = new Set<string>();
    const records: CropRecord[] = [];
    for (const crop of crops) {
      // Rows that share a cell id (a table listing a cell twice) get `-2`, `-3`… names.
      let name = String(crop.row.id);
      for (let n = 2; used.has(name); n++) name = `${crop.row.id}-${n}`;
      used.add(name);
      const id = `${task.id}/${name}`;
      const file = `crops/${id}.${ext}`;
      await writeFileAtomic(join(task.outDir, file), encodeImage2D(crop.image, task.format));
      let mask = '';
      if (crop.mask) {
        mask = `crops/masks/${id}.${ext}`;
        await writeFileAtomic(join(task.outDir, mask), encodeImage2D(crop.mask, task.format));
      }
      records.push({
        id,
        crop: file,
        mask,
        cell_id: crop.row.id,
        centre_x: crop.centre[1],
        centre_y: crop.centre[0],
        moved: Math.round(crop.moved * 1000) / 1000,
        padded: crop.padded ? 1 : 0,
        label: crop.label ?? '',
        metadata: crop.row.metadata,
      });
    }
    const outcome: Extract<CropOutcome, { status: 'done' }> = {
      status: 'done',
      crops: records,
      skipped: skipped.map((s) => ({
        id: s.row.id,
        reason: s.reason,
        detail: s.detail,
        metadata: s.row.metadata,
      })),
    };
    if (task.qc) outcome.qc = measureQc(task.id, image);
    if (task.fingerprint !== undefined) outcome.fingerprint = task.fingerprint;
    await writeFileAtomic(partPath(task.outDir, task.id), JSON.stringify(outcome));
    return outcome;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'failed', error: `${basename(task.image)}: ${message}` };
  }
}
