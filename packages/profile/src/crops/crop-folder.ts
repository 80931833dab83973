import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import {
  checkBoolean,
  checkInteger,
  checkOneOf,
  FileSystemError,
  formatCsv,
  invalidArgument,
  type ProgressCallback,
  reportProgress,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import { runInWorkers, type WorkerModule } from '@cellshape/helper';
import { imageFormatFromPath } from '../image/read-image.js';
import type { CentroidTable } from '../tables/centroid-table.js';
import { type CentroidTableOptions, readCentroidTable } from '../tables/parse-centroid-table.js';
import type { CropCellsOptions } from './crop-cells.js';
import { type CropOutcome, type CropTask, partPath, runCropTask } from './crop-task.js';

/** Options of {@link cropFolder}. */
export interface CropFolderOptions {
  /**
   * The centroids: one CSV (path or parsed table) for every image, whose rows are matched to the
   * images by `match`; or a folder of CSVs, one per image with the image's stem
   * (`img_01.tif` ↔ `img_01.csv`). Default: none — centroids from the label images.
   */
  table?: string | CentroidTable;
  /** Options for reading the tables (format, columns, unit). */
  tableOptions?: CentroidTableOptions;
  /**
   * How rows of one table find their image: `'name'` — the image column (file name with or
   * without extension); `'imageNumber'` — CellProfiler's 1-based ImageNumber = the image's
   * position in the sorted folder; `'frame'` — the 0-based frame = that position. Default
   * `'auto'`: `'name'` when the image column names files of the folder, else `'imageNumber'`
   * for CellProfiler tables, else `'frame'` when the table has frames.
   */
  match?: 'auto' | 'name' | 'imageNumber' | 'frame';
  /**
   * Label images: a folder holding one per image with the same stem (any of .tif, .tiff, .png),
   * or a function from an image path to its label image path. Default: none (no masks).
   */
  labels?: string | ((image: string) => string);
  /** Crop options (size, edge, fill, mask, maskLabel, dilate, centreInCell, pixelSize). */
  crop?: Omit<CropCellsOptions, 'labels' | 'frame' | 'image'>;
  /** File format of the crops: `'tiff'` (default, any sample type) or `'png'` (8/16-bit). */
  format?: 'tiff' | 'png';
  /** Worker threads; 0 crops in the calling thread. Default `os.availableParallelism()`. */
  workers?: number;
  /** Redo images already done by an earlier run. Default false: a rerun resumes. */
  overwrite?: boolean;
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
}

function listImages(fn: string, dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new FileSystemError(`${fn}: cannot list ${JSON.stringify(dir)}`, {
      fn,
      arg: 'imagesDir',
      cause: error,
    });
  }
  return names
    .filter((n) => imageFormatFromPath(n) !== undefined && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

const stemOf = (path: string): string => basename(path, extname(path));

type Match = 'name' | 'imageNumber' | 'frame';

/** How the rows of `table` find their images (see {@link CropFolderOptions.match}). */
function matchMode(
  fn: string,
  table: CentroidTable,
  images: string[],
  requested: CropFolderOptions['match'],
): Match {
  if (requested !== 'auto' && requested !== undefined) return requested;
  const names = new Set(images.flatMap((p) => [basename(p), stemOf(p)]));
  if (table.rows.some((r) => r.image !== undefined && names.has(r.image))) return 'name';
  if (table.format === 'cellprofiler') return 'imageNumber';
  if (table.rows.some((r) => r.frame !== undefined)) return 'frame';
  if (images.length === 1) return 'frame';
  throw invalidArgument(
    fn,
    'options.match',
    'set: the table has no image column naming these files and no frames; add one, or give a folder of per-image tables',
  );
}

/** The rows of one image: image `position` (0-based, sorted folder order) at `path`. */
function rowsOf(
  table: CentroidTable,
  match: Match,
  path: string,
  position: number,
  single: boolean,
): CentroidTable {
  const keep = (() => {
    switch (match) {
      case 'name':
        return (r: CentroidTable['rows'][number]) =>
          r.image === basename(path) || r.image === stemOf(path);
      case 'imageNumber':
        return (r: CentroidTable['rows'][number]) => Number(r.image) === position + 1;
      case 'frame':
        // A lone image with a frameless table takes every row.
        return (r: CentroidTable['rows'][number]) =>
          r.frame === undefined ? single : r.frame === position;
      default:
        throw new Error(`unknown match ${String(match satisfies never)}`);
    }
  })();
  return { ...table, rows: table.rows.filter(keep) };
}

/** The label image of `image`: same stem in `labels` (a folder), or `labels(image)`. */
function labelsOf(
  fn: string,
  labels: CropFolderOptions['labels'],
  image: string,
): string | undefined {
  if (labels === undefined) return undefined;
  if (typeof labels === 'function') return labels(image);
  for (const ext of ['.tif', '.tiff', '.png']) {
    const path = join(labels, stemOf(image) + ext);
    if (existsSync(path)) return path;
  }
  throw new FileSystemError(
    `${fn}: no label image for ${basename(image)} in ${JSON.stringify(labels)} (looked for ${stemOf(image)}.tif/.tiff/.png)`,
    { fn, arg: 'options.labels' },
  );
}

/** The tasks of a batch: one per image, with its rows, or a failure found while matching. */
function planTasks(
  fn: string,
  images: string[],
  outDir: string,
  o: ResolvedFolder,
): (CropTask | CropOutcome)[] {
  if (typeof o.table === 'string' && !existsSync(o.table))
    throw new FileSystemError(`${fn}: the table ${JSON.stringify(o.table)} does not exist`, {
      fn,
      arg: 'options.table',
    });
  const single = typeof o.table === 'string' && !statSync(o.table).isDirectory();
  const shared =
    o.table === undefined
      ? undefined
      : typeof o.table === 'string'
        ? single
          ? readCentroidTable(o.table, o.tableOptions)
          : undefined
        : o.table;
  const match = shared ? matchMode(fn, shared, images, o.match) : undefined;
  return images.map((image, position) => {
    try {
      const table = shared
        ? rowsOf(shared, match!, image, position, images.length === 1)
        : typeof o.table === 'string'
          ? readCentroidTable(join(o.table, `${stemOf(image)}.csv`), o.tableOptions)
          : undefined;
      const labels = labelsOf(fn, o.labels, image);
      const task: CropTask = { image, crop: o.crop, outDir, stem: stemOf(image), format: o.format };
      if (table) task.table = table;
      if (labels !== undefined) task.labels = labels;
      return task;
    } catch (error) {
      return { status: 'failed', error: `${basename(image)}: ${(error as Error).message}` };
    }
  });
}

type ResolvedFolder = ReturnType<typeof resolveFolderOptions>;

function resolveFolderOptions(fn: string, options: CropFolderOptions | undefined) {
  const o = withDefaults(fn, DEFAULT_CROP_FOLDER_OPTIONS, options);
  checkOneOf(fn, 'options.match', o.match, ['auto', 'name', 'imageNumber', 'frame']);
  checkOneOf(fn, 'options.format', o.format, ['tiff', 'png']);
  checkBoolean(fn, 'options.overwrite', o.overwrite);
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

/** A name for index columns that does not clash with the fixed ones. */
const FIXED = [
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

/** Writes index.csv and skipped.csv from the parts of every image, in folder order. */
async function writeIndex(outDir: string, outcomes: (CropOutcome | undefined)[], images: string[]) {
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
  const named = columns.map((k) =>
    FIXED.includes(k) || k === 'reason' || k === 'detail' ? `table_${k}` : k,
  );
  const rows: (string | number)[][] = [];
  const skipped: (string | number)[][] = [];
  outcomes.forEach((o, i) => {
    if (o?.status !== 'done') return;
    const image = basename(images[i]!);
    for (const c of o.crops)
      rows.push([
        image,
        c.crop,
        c.mask,
        c.id,
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

/** The outcome a previous run left for a task, when its part file is there. */
function previousOutcome(task: CropTask): CropOutcome | undefined {
  const path = partPath(task.outDir, task.stem);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CropOutcome;
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
 * Crops every image of a folder (.tif, .tiff, .png; sorted by name) in worker threads: centroids
 * from one table matched to the images (by file name, CellProfiler ImageNumber or frame — see
 * {@link CropFolderOptions.match}), from one table per image, or from label images. Writes
 * `crops/<stem>/<stem>_<id>.tif` (and `masks/…` with labels), `index.csv` (one row per crop:
 * image, crop and mask paths relative to `outDir`, cell id, centre pixel, then every column of
 * the table) and `skipped.csv` (cells without a crop, with the reason). Every file is written
 * atomically. A bad image is reported in `images` with its error and the rest go on; a rerun
 * resumes, redoing only images not done (`overwrite` redoes all).
 *
 * ```ts
 * const result = await cropFolder('frames/', 'crops/', { table: 'tracks.csv', labels: 'masks/' });
 * ```
 */
export async function cropFolder(
  imagesDir: string,
  outDir: string,
  options?: CropFolderOptions,
): Promise<CropFolderResult> {
  const fn = 'cropFolder';
  if (typeof imagesDir !== 'string' || imagesDir === '')
    throw invalidArgument(fn, 'imagesDir', 'a folder path', imagesDir);
  if (typeof outDir !== 'string' || outDir === '')
    throw invalidArgument(fn, 'outDir', 'a folder path', outDir);
  const o = resolveFolderOptions(fn, options);
  const images = listImages(fn, imagesDir);
  const planned = planTasks(fn, images, outDir, o);
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
        total: images.length,
        message: basename(images[pending[k]!.i]!),
      });
    },
  );
  const crops = await writeIndex(outDir, outcomes, images);
  return {
    images: images.map((image, i) => {
      const x = outcomes[i] ?? failed('not run');
      if (x.status === 'failed')
        return { image, status: 'failed', crops: 0, skipped: 0, error: x.error };
      return {
        image,
        status: resumed[i] ? 'resumed' : 'done',
        crops: x.crops.length,
        skipped: x.skipped.length,
      };
    }),
    crops,
    index: join(outDir, 'index.csv'),
    skipped: join(outDir, 'skipped.csv'),
  };
}
