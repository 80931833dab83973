import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  checkInteger,
  checkOneOf,
  checkString,
  invalidArgument,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import { cropFolder, DEFAULT_CROP_CELLS_OPTIONS } from '@cellshape/profile';

/** Options of {@link profileCrop}. */
export interface ProfileCropOptions {
  /**
   * Centroid table (CellProfiler, TrackMate, Usiigaci or named-column CSV). Default none: the
   * cells are the labels of `labels`.
   */
  table?: string;
  /**
   * The unit of the table's centres when the table does not state it (TrackMate's units row and
   * Usiigaci's columns do): `'pixel'`, `'µm'`, …. Default `'pixel'`; a TrackMate table without
   * its units row needs it.
   */
  unit?: string;
  /** A label image, or a folder of label images matched to the images by file stem. Default none (no masks). */
  labels?: string;
  /** Crop side S in pixels. Default 128. */
  size?: number;
  /** Crops that leave the image: skipped and listed (default), or padded with 0. */
  edge?: 'skip' | 'pad';
  /** Mask crops (with labels): the component under the centre (default), the whole label, none. */
  mask?: 'component' | 'label' | 'none';
  /** Dilate the masks by a disk of this radius (2: the 5×5 disk of PBR/FBR). Default 2. */
  dilate?: number;
  /** The frame of a table that spans frames (TrackMate, Usiigaci). Default: its first frame. */
  frame?: number;
  /** Measure focus and intensity of every image and write `qc.csv` with flags. Default true. */
  qc?: boolean;
  /** Worker threads (0: the calling thread). Default: the number of cores. */
  workers?: number;
  /** Redo the images an earlier run finished. Default false: a rerun resumes. */
  overwrite?: boolean;
  /** The most pixels an image may declare (profile's `cropFolder` `maxPixels`). Default: the readers'. */
  maxPixels?: number;
  onProgress?: ProgressCallback;
  onNote?: (text: string) => void;
}

/** Defaults of {@link ProfileCropOptions}. */
export const DEFAULT_PROFILE_CROP_OPTIONS = {
  size: DEFAULT_CROP_CELLS_OPTIONS.size,
  edge: DEFAULT_CROP_CELLS_OPTIONS.edge,
  mask: DEFAULT_CROP_CELLS_OPTIONS.mask,
  dilate: 2,
  qc: true,
  overwrite: false,
} as const;

/** The files {@link profileCrop} writes under its output folder (those of profile's `cropFolder`). */
export const PROFILE_CROP_LAYOUT = {
  /** Crops `crops/<image id>/<cell id>.tif`, masks `crops/masks/<image id>/<cell id>.tif`. */
  crops: 'crops',
  /**
   * One row per crop: `id` (`<image id>/<cell id>`, the crop's path under `crops/` without
   * extension), image, crop and mask paths, centre, and every table column.
   */
  index: 'index.csv',
  /** One row per table row that gave no crop, with the reason. */
  skipped: 'skipped.csv',
  /** One row per image and channel: focus, intensities, robust z-scores and flags. */
  qc: 'qc.csv',
  /** One file per image done: what lets a rerun resume. */
  parts: 'parts',
} as const;

/** What {@link profileCrop} returns. */
export interface ProfileCropResult {
  out: string;
  images: number;
  crops: number;
  skipped: number;
  /** Images that could not be cropped, with the reason. */
  failed: { image: string; reason: string }[];
}

function resolveOptions(fn: string, options: ProfileCropOptions | undefined) {
  const o = withDefaults(fn, DEFAULT_PROFILE_CROP_OPTIONS, options);
  checkInteger(fn, 'options.size', o.size, { min: 4 });
  checkOneOf(fn, 'options.edge', o.edge, ['skip', 'pad']);
  checkOneOf(fn, 'options.mask', o.mask, ['component', 'label', 'none']);
  checkInteger(fn, 'options.dilate', o.dilate, { min: 0, max: 64 });
  if (o.table !== undefined) checkString(fn, 'options.table', o.table);
  if (o.unit !== undefined) checkString(fn, 'options.unit', o.unit);
  if (o.labels !== undefined && !existsSync(o.labels))
    throw invalidArgument(fn, 'options.labels', 'an existing label image or folder', o.labels);
  if (o.table === undefined && o.labels === undefined)
    throw invalidArgument(
      fn,
      'options.table',
      'a centroid table, or label images (options.labels)',
      undefined,
    );
  return o;
}

/**
 * Crops every cell of a set of 2-D images into `out` (profile's `cropFolder` with the command
 * line's defaults): S×S crops centred on each cell of the centroid table (or of the label
 * images), mask crops when label images are given, an index CSV with every column of the table,
 * the rows that gave no crop, and a QC table of the images (see {@link PROFILE_CROP_LAYOUT}).
 * Images are cropped in worker threads; an image that cannot be read or cropped is reported and
 * skipped; every file is written atomically, and a rerun resumes.
 *
 * ```ts
 * await profileCrop(['plate1/'], 'crops/', { table: 'Cells.csv', labels: 'masks/', size: 96 });
 * ```
 */
export async function profileCrop(
  images: readonly string[],
  out: string,
  options?: ProfileCropOptions,
): Promise<ProfileCropResult> {
  const fn = 'profileCrop';
  checkString(fn, 'out', out);
  const o = resolveOptions(fn, options);
  const root = resolve(out);
  const result = await cropFolder(images, root, {
    ...(o.table !== undefined ? { table: o.table } : {}),
    ...(o.unit !== undefined ? { tableOptions: { unit: o.unit } } : {}),
    ...(o.labels !== undefined ? { labels: o.labels } : {}),
    ...(o.frame !== undefined ? { frame: o.frame } : {}),
    crop: { size: o.size, edge: o.edge, mask: o.mask, dilate: o.dilate },
    qc: o.qc,
    overwrite: o.overwrite,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.maxPixels !== undefined ? { maxPixels: o.maxPixels } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  const failed = result.images.flatMap((i) =>
    i.status === 'failed' ? [{ image: i.image, reason: i.error ?? 'failed' }] : [],
  );
  for (const f of failed) o.onNote?.(`${f.reason}; skipped`);
  return {
    out: root,
    images: result.images.length,
    crops: result.crops,
    skipped: result.images.reduce((sum, i) => sum + i.skipped, 0),
    failed,
  };
}
