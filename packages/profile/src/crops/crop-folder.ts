import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import {
  checkBoolean,
  checkInteger,
  checkOneOf,
  formatCsv,
  invalidArgument,
  type ProgressCallback,
  reportProgress,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import { runInWorkers, type WorkerModule } from '@cellshape/helper';
import { qcCsv, qcFlags } from '../qc/flags.js';
import type { CentroidTable } from '../tables/centroid-table.js';
import type { CentroidTableOptions } from '../tables/parse-centroid-table.js';
import type { CropCellsOptions } from './crop-cells.js';
import { findImages, type InputImage, planTasks } from './crop-inputs.js';
import { type CropOutcome, type CropTask, partPath, runCropTask } from './crop-task.js';

/** Options of {@link cropFolder}. */
export interface CropFolderOptions {
  /**
   * The centroids: one CSV (path or parsed table) for every image, whose rows are matched to the
   * images by `match`; or a folder of CSVs, one per image with the image's id or stem
   * (`Plate1/img_01.tif` ↔ `Plate1/img_01.csv`, or `img_01.csv` when no other image is named
   * `img_01`). Default: none — centroids from the label images.
   */
  table?: string | CentroidTable;
  /** Options for reading the tables (format, columns, unit). */
  tableOptions?: CentroidTableOptions;
  /**
   * How rows of one table find their image: `'name'` — the image column (the image's path under
   * its folder or its file name, with or without extension) or CellProfiler's `FileName_*` (with
   * `PathName_*` telling images of one name apart); a name several images share fails those
   * images rather than give them one another's rows; `'imageNumber'` — CellProfiler's 1-based ImageNumber = the image's
   * position in the sorted folder (a table with an ImageNumber naming no image is refused); `'frame'` — the 0-based frame = that position. Default
   * `'auto'`: `'name'` when the image column names files of the folder, else `'imageNumber'`
   * for CellProfiler tables, else `'frame'` when the table has frames.
   */
  match?: 'auto' | 'name' | 'imageNumber' | 'frame';
  /**
   * Label images: a folder holding one per image with the same id, or stem when no other image
   * has it (any of .tif, .tiff, .png), a single label image (with a single image), or a function from an image path to its
   * label image path. Default: none (no masks).
   */
  labels?: string | ((image: string) => string);
  /**
   * Only the rows of this frame (a table spanning frames — TrackMate, Usiigaci — cropped on
   * images of one frame). Default: every row (rows find their image by `match`).
   */
  frame?: number;
  /**
   * Measure each image's focus and intensities and write `qc.csv` with the QC flags (see
   * `measureQc`, `qcFlags`). Default false.
   */
  qc?: boolean;
  /** Crop options (size, edge, fill, mask, maskLabel, dilate, centreInCell, pixelSize). */
  crop?: Omit<CropCellsOptions, 'labels' | 'frame' | 'image'>;
  /** File format of the crops: `'tiff'` (default, any sample type) or `'png'` (8/16-bit). */
  format?: 'tiff' | 'png';
  /** Worker threads; 0 crops in the calling thread. Default `os.availableParallelism()`. */
  workers?: number;
  /** Redo images already done by an earlier run. Default false: a rerun resumes. */
  overwrite?: boolean;
  /**
   * The most pixels an image or label image may declare (`readImage2D`'s `maxPixels`); a larger
   * one fails with its reason and the others are cropped. Default: the readers' (2³¹ pixels,
   * and expanding conversions — 1/2/4-bit samples, palettes, Int32 labels — at most 64 MiB +
   * 1032 bytes per byte of the file); setting it also lifts that bound, for highly compressed,
   * almost empty label images.
   */
  maxPixels?: number;
  /** Called after each image (`phase: 'crop'`, `done`, `total`, `message`: the file). */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link CropFolderOptions} (`workers` defaults to the number of cores). */
export const DEFAULT_CROP_FOLDER_OPTIONS = {
  tableOptions: {},
  match: 'auto',
  crop: {},
  format: 'tiff',
  overwrite: false,
  qc: false,
} as const satisfies CropFolderOptions;

/** What happened to one image of {@link cropFolder}. */
export interface CropFolderImage {
  image: string;
  status: 'done' | 'resumed' | 'failed';
  crops: number;
  skipped: number;
  error?: string;
}

/** What {@link cropFolder} returns. */
export interface CropFolderResult {
  images: CropFolderImage[];
  /** Crops written (in this run and earlier ones). */
  crops: number;
  /** `index.csv`: one row per crop with every metadata column. */
  index: string;
  /** `skipped.csv`: one row per cell without a crop (edge, background, …) with its reason. */
  skipped: string;
  /** `qc.csv` (with `qc`): focus, intensities, robust z-scores and flags per image and channel. */
  qc?: string;
}

function resolveFolderOptions(fn: string, options: CropFolderOptions | undefined) {
  const o = withDefaults(fn, DEFAULT_CROP_FOLDER_OPTIONS, options);
  checkOneOf(fn, 'options.match', o.match, ['auto', 'name', 'imageNumber', 'frame']);
  checkOneOf(fn, 'options.format', o.format, ['tiff', 'png']);
  checkBoolean(fn, 'options.overwrite', o.overwrite);
  checkBoolean(fn, 'options.qc', o.qc);
  if (o.frame !== undefined) checkInteger(fn, 'options.frame', o.frame, { min: 0 });
  if (o.maxPixels !== undefined)
    checkInteger(fn, 'options.maxPixels', o.maxPixels, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const workers = o.workers ?? availableParallelism();
  checkInteger(fn, 'options.workers', workers, { min: 0, max: 1024 });
  if (o.table === undefined && o.labels === undefined)
    throw invalidArgument(
      fn,
      'options.table',
      'given (or options.labels, to crop every labelled cell)',
    );
  return { ...o, workers };
}

/** The index's own columns, before the table's (a table column of the same name gets `table_`). */
const FIXED = [
  'id',
  'image',
  'crop',
  'mask',
  'cell_id',
  'centre_x',
  'centre_y',
  'moved',
  'padded',
  'label',
];

/** Writes index.csv and skipped.csv from the parts of every image, in input order. */
async function writeIndex(
  outDir: string,
  outcomes: (CropOutcome | undefined)[],
  images: readonly InputImage[],
) {
  const columns: string[] = [];
  const seen = new Set<string>();
  const add = (m: Record<string, string>) => {
    for (const k of Object.keys(m))
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
  };
  for (const o of outcomes)
    if (o?.status === 'done') for (const c of [...o.crops, ...o.skipped]) add(c.metadata);
  const meta = (m: Record<string, string>) => columns.map((k) => m[k] ?? '');
  // A clashing column gets `table_`, again while that name is taken: a table holding both `id`
  // and `table_id` wrote the header `table_id` twice (pandas read the second as `table_id.1`).
  const taken = new Set([...FIXED, 'image', 'reason', 'detail', ...columns]);
  const named = columns.map((k) => {
    if (!(FIXED.includes(k) || k === 'reason' || k === 'detail')) return k;
    let name = `table_${k}`;
    while (taken.has(name)) name = `table_${name}`;
    taken.add(name);
    return name;
  });
  const rows: (string | number)[][] = [];
  const skipped: (string | number)[][] = [];
  outcomes.forEach((o, i) => {
    if (o?.status !== 'done') return;
    // The image's path under its folder: its name alone merged `Plate1/a.tif` and `Plate2/a.tif`.
    const image = images[i]!.id + extname(images[i]!.path);
    for (const c of o.crops)
      rows.push([
        c.id,
        image,
        c.crop,
        c.mask,
        c.cell_id,
        c.centre_x,
        c.centre_y,
        c.moved,
        c.padded,
        c.label,
        ...meta(c.metadata),
      ]);
    for (const s of o.skipped) skipped.push([image, s.id, s.reason, s.detail, ...meta(s.metadata)]);
  });
  await writeFileAtomic(join(outDir, 'index.csv'), formatCsv([...FIXED, ...named], rows));
  await writeFileAtomic(
    join(outDir, 'skipped.csv'),
    formatCsv(['image', 'cell_id', 'reason', 'detail', ...named], skipped),
  );
  return rows.length;
}

/** Writes qc.csv (the flags over every image measured), when any image was; its path or undefined. */
async function writeQc(outDir: string, outcomes: (CropOutcome | undefined)[]) {
  const measured = outcomes.flatMap((o) => (o?.status === 'done' ? (o.qc ?? []) : []));
  if (measured.length === 0) return undefined;
  const path = join(outDir, 'qc.csv');
  await writeFileAtomic(path, qcCsv(qcFlags(measured)));
  return path;
}

/** A file's size and modification time, or `-` when it cannot be stat-ed (its task fails). */
function fileStamp(path: string | undefined): string {
  if (path === undefined) return '';
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat === undefined ? '-' : `${stat.size}:${stat.mtimeMs}`;
}

/**
 * The fingerprint of what a task's crops depend on: the crop settings and format, its table
 * rows, and the image and label files (size, time). QC and `maxPixels` are left out (a
 * part with QC serves a run without; the bound decides whether an image is read, not its crops).
 */
function taskFingerprint(task: CropTask): string {
  const { crop, format, table, image, labels } = task;
  // Sizes and times, not paths: the same folder named another way is not redone.
  const inputs = [fileStamp(image), fileStamp(labels)];
  return createHash('sha256')
    .update(JSON.stringify([crop, format, table ?? null, inputs]))
    .digest('hex');
}

/**
 * The outcome a previous run left for a task, when its part file is there, was written with the
 * same fingerprint (a changed crop size, table, or image is redone: resumed, it kept the old
 * crops) and has QC if asked.
 */
function previousOutcome(task: CropTask): CropOutcome | undefined {
  const path = partPath(task.outDir, task.id);
  if (!existsSync(path)) return undefined;
  try {
    const outcome = JSON.parse(readFileSync(path, 'utf8')) as CropOutcome;
    if (outcome.status !== 'done' || outcome.fingerprint !== task.fingerprint) return undefined;
    // A part written without QC does not serve a run that asks for it.
    return task.qc && outcome.qc === undefined ? undefined : outcome;
  } catch {
    return undefined; // unreadable: redo the image
  }
}

const CROP_WORKER: WorkerModule = {
  built: new URL('./crop-worker.js', import.meta.url),
  source: new URL('./crop-worker.ts', import.meta.url),
  fn: 'cropFolder',
};

/**
 * Crops every image of `images` — files, or folders searched recursively (.tif, .tiff, .png, in
 * name order) — in worker threads: centroids from one table matched to the images (by file name
 * or CellProfiler `FileName_*`, ImageNumber or frame — see {@link CropFolderOptions.match}), from
 * one table per image, or from label images. Writes `crops/<image id>/<cell id>.tif` (the image
 * id is its path under its folder without extension; `crops/masks/…` with labels), `index.csv`
 * (one row per crop: `id` = `<image id>/<cell id>`, the crop's path under `crops/` without
 * extension; the image (its path under its folder), the crop and mask paths relative to
 * `outDir`, cell id, centre pixel, then
 * every column of the table), `skipped.csv` (cells without a crop, with the reason) and, with
 * `qc`, `qc.csv`. Every file is written atomically. A bad image is reported in `images` with its
 * error and the rest go on; a rerun resumes, redoing only images not done or whose crop settings,
 * table rows, image or label image changed since (`overwrite` redoes all).
 *
 * ```ts
 * const result = await cropFolder('frames/', 'crops/', { table: 'tracks.csv', labels: 'masks/' });
 * ```
 */
export async function cropFolder(
  images: string | readonly string[],
  outDir: string,
  options?: CropFolderOptions,
): Promise<CropFolderResult> {
  const fn = 'cropFolder';
  const inputs = typeof images === 'string' ? [images] : images;
  if (
    !Array.isArray(inputs) ||
    inputs.length === 0 ||
    inputs.some((i) => typeof i !== 'string' || i === '')
  )
    throw invalidArgument(
      fn,
      'images',
      'a folder or file path, or a non-empty list of them',
      images,
    );
  if (typeof outDir !== 'string' || outDir === '')
    throw invalidArgument(fn, 'outDir', 'a folder path', outDir);
  const o = resolveFolderOptions(fn, options);
  const skip = [outDir, ...(typeof o.labels === 'string' ? [o.labels] : [])];
  const listed = await findImages(inputs, { skip, caller: fn });
  if (listed.length === 0)
    throw invalidArgument(fn, 'images', 'at least one .tif, .tiff or .png image', images);
  const planned = planTasks(fn, listed, outDir, o);
  for (const task of planned) if (!('status' in task)) task.fingerprint = taskFingerprint(task);
  const outcomes: (CropOutcome | undefined)[] = planned.map((p) =>
    'status' in p ? p : o.overwrite ? undefined : previousOutcome(p),
  );
  const resumed = outcomes.map((x, i) => x?.status === 'done' && !('status' in planned[i]!));
  const pending = planned.flatMap((p, i) => ('status' in p || outcomes[i] ? [] : [{ task: p, i }]));
  let done = outcomes.filter(Boolean).length;
  const failed = (error: string): CropOutcome => ({ status: 'failed', error });
  await runInWorkers(
    CROP_WORKER,
    pending.map((p) => p.task),
    o.workers,
    runCropTask,
    failed,
    (k, outcome) => {
      outcomes[pending[k]!.i] = outcome;
      reportProgress(o.onProgress, {
        phase: 'crop',
        done: ++done,
        total: listed.length,
        message: basename(listed[pending[k]!.i]!.path),
      });
    },
  );
  const crops = await writeIndex(outDir, outcomes, listed);
  const qc = await writeQc(outDir, outcomes);
  return {
    images: listed.map(({ path }, i) => {
      const x = outcomes[i] ?? failed('not run');
      if (x.status === 'failed')
        return { image: path, status: 'failed', crops: 0, skipped: 0, error: x.error };
      return {
        image: path,
        status: resumed[i] ? 'resumed' : 'done',
        crops: x.crops.length,
        skipped: x.skipped.length,
      };
    }),
    crops,
    index: join(outDir, 'index.csv'),
    skipped: join(outDir, 'skipped.csv'),
    ...(qc ? { qc } : {}),
  };
}
