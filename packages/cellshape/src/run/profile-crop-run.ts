import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import {
  checkInteger,
  checkOneOf,
  checkString,
  formatCsv,
  invalidArgument,
  listSampleFiles,
  type ProgressCallback,
  reportProgress,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import {
  type CentroidTable,
  type CropCellsResult,
  cropCells,
  cropsFromLabels,
  DEFAULT_CROP_CELLS_OPTIONS,
  type Image2D,
  measureQc,
  type QcMeasurement,
  qcCsv,
  qcFlags,
  readCentroidTable,
  readImage2D,
  readLabelImage2D,
  writeImage2D,
} from '@cellshape/profile';

/** Options of {@link profileCrop}. */
export interface ProfileCropOptions {
  /**
   * Centroid table (CellProfiler, TrackMate, Usiigaci or named-column CSV). Default none: the
   * cells are the labels of `labels`.
   */
  table?: string;
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
} as const;

/** The files {@link profileCrop} writes under its output folder. */
export const PROFILE_CROP_LAYOUT = {
  /** Crops `crops/<image stem>/<cell id>.tif`, masks `crops/masks/<image stem>/<cell id>.png`. */
  crops: 'crops',
  /** One row per crop: `id` (the crop's path under `crops/` without extension) and every table column. */
  index: 'index.csv',
  /** One row per table row that gave no crop, with the reason. */
  skipped: 'skipped.csv',
  /** One row per image and channel: focus, intensities, robust z-scores and flags. */
  qc: 'qc.csv',
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

const IMAGE_EXTENSIONS = ['.tif', '.tiff', '.png'];
const OWN_COLUMNS = ['id', 'source', 'object', 'centre_row', 'centre_col', 'label'] as const;

/** The image files of the inputs: files as given, folders listed recursively. */
export async function imageFiles(fn: string, inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw invalidArgument(fn, 'images', 'existing files or folders', input);
    if (statSync(input).isDirectory()) {
      const listed = await listSampleFiles(input, { extensions: IMAGE_EXTENSIONS, caller: fn });
      out.push(...listed.files.map((f) => f.path));
    } else out.push(input);
  }
  return out;
}

/** The label image of `image`: the file given, or the file of the folder with the same stem. */
async function labelsFor(labels: string, image: string, fn: string): Promise<string> {
  if (!statSync(labels).isDirectory()) return labels;
  const stem = basename(image, extname(image));
  const listed = await listSampleFiles(labels, { extensions: IMAGE_EXTENSIONS, caller: fn });
  const match = listed.files.find((f) => basename(f.id) === stem);
  if (!match) throw new Error(`no label image named ${stem} in ${labels}`);
  return match.path;
}

/**
 * The value of the table's image column for `image`: the rows whose `FileName_*` column names
 * the file (CellProfiler), else the `ordinal`-th image number; undefined when the table has no
 * image column.
 */
function imageKey(table: CentroidTable, image: string, ordinal: number): string | undefined {
  if (table.used.image === undefined) return undefined;
  const name = basename(image);
  const fileColumns = table.columns.filter((c) => c.startsWith('FileName_'));
  for (const row of table.rows)
    if (fileColumns.some((c) => row.metadata[c] === name)) return row.image;
  return String(ordinal + 1);
}

/** Crops one image: from the table's rows of this image, or from its label image alone. */
async function cropImage(
  path: string,
  ordinal: number,
  table: CentroidTable | undefined,
  o: ReturnType<typeof resolveOptions>,
): Promise<{ image: Image2D; result: CropCellsResult }> {
  const image = readImage2D(path);
  const labels = o.labels
    ? readLabelImage2D(await labelsFor(o.labels, path, 'profileCrop'))
    : undefined;
  const common = { size: o.size, edge: o.edge, mask: o.mask, dilate: o.dilate };
  if (table === undefined) return { image, result: cropsFromLabels(image, labels!, common) };
  const key = imageKey(table, path, ordinal);
  const frame = o.frame ?? firstFrame(table);
  const result = cropCells(image, table, {
    ...common,
    ...(labels ? { labels } : {}),
    ...(key === undefined ? {} : { image: key }),
    ...(frame === undefined ? {} : { frame }),
  });
  return { image, result };
}

function firstFrame(table: CentroidTable): number | undefined {
  let first: number | undefined;
  for (const row of table.rows)
    if (row.frame !== undefined && (first === undefined || row.frame < first)) first = row.frame;
  return first;
}

function resolveOptions(fn: string, options: ProfileCropOptions | undefined) {
  const o = withDefaults(fn, DEFAULT_PROFILE_CROP_OPTIONS, options);
  checkInteger(fn, 'options.size', o.size, { min: 4 });
  checkOneOf(fn, 'options.edge', o.edge, ['skip', 'pad']);
  checkOneOf(fn, 'options.mask', o.mask, ['component', 'label', 'none']);
  checkInteger(fn, 'options.dilate', o.dilate, { min: 0, max: 64 });
  if (o.table !== undefined) checkString(fn, 'options.table', o.table);
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
 * Crops every cell of a set of 2-D images into `out`: S×S crops centred on each cell of the
 * centroid table (or of the label images), mask crops when label images are given, an index CSV
 * with every column of the table, the rows that gave no crop, and a QC table of the images (see
 * {@link PROFILE_CROP_LAYOUT}). An image that cannot be read or cropped is reported and skipped;
 * every file is written atomically.
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
  const files = await imageFiles(fn, images);
  if (files.length === 0) throw invalidArgument(fn, 'images', 'at least one image file', images);
  const table = o.table === undefined ? undefined : readCentroidTable(o.table);
  const root = resolve(out);
  await mkdir(join(root, PROFILE_CROP_LAYOUT.crops), { recursive: true });
  const index: (string | number)[][] = [];
  const skipped: (string | number)[][] = [];
  const measurements: QcMeasurement[] = [];
  const failed: ProfileCropResult['failed'] = [];
  const columns = table?.columns ?? ['label', 'centroid-0', 'centroid-1', 'area'];
  for (const [i, path] of files.entries()) {
    const stem = basename(path, extname(path));
    try {
      const { image, result } = await cropImage(path, i, table, o);
      for (const crop of result.crops) {
        const id = `${stem}/${crop.row.id}`;
        await writeImage2D(join(root, PROFILE_CROP_LAYOUT.crops, `${id}.tif`), crop.image);
        if (crop.mask)
          await writeImage2D(
            join(root, PROFILE_CROP_LAYOUT.crops, 'masks', `${id}.png`),
            crop.mask,
          );
        index.push([
          id,
          basename(path),
          crop.row.id,
          crop.centre[0],
          crop.centre[1],
          crop.label ?? '',
          ...columns.map((c) => crop.row.metadata[c] ?? ''),
        ]);
      }
      for (const s of result.skipped) skipped.push([basename(path), s.row.id, s.reason, s.detail]);
      if (o.qc) measurements.push(...measureQc(stem, image));
    } catch (error) {
      failed.push({ image: path, reason: (error as Error).message });
      o.onNote?.(`${basename(path)}: ${(error as Error).message}; skipped`);
    }
    reportProgress(o.onProgress, {
      phase: 'crop',
      done: i + 1,
      total: files.length,
      message: basename(path),
    });
  }
  // Table columns named like ours keep their values under a `table_` prefix.
  const header = [
    ...OWN_COLUMNS,
    ...columns.map((c) => ((OWN_COLUMNS as readonly string[]).includes(c) ? `table_${c}` : c)),
  ];
  await writeFileAtomic(join(root, PROFILE_CROP_LAYOUT.index), formatCsv(header, index));
  await writeFileAtomic(
    join(root, PROFILE_CROP_LAYOUT.skipped),
    formatCsv(['source', 'object', 'reason', 'detail'], skipped),
  );
  if (o.qc && measurements.length > 0)
    await writeFileAtomic(join(root, PROFILE_CROP_LAYOUT.qc), qcCsv(qcFlags(measurements)));
  return { out: root, images: files.length, crops: index.length, skipped: skipped.length, failed };
}
