import { existsSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { FileSystemError, invalidArgument, listSampleFiles } from '@cellshape/core';
import type { CentroidTable } from '../tables/centroid-table.js';
import { type CentroidTableOptions, readCentroidTable } from '../tables/parse-centroid-table.js';
import type { CropCellsOptions } from './crop-cells.js';
import type { CropOutcome, CropTask } from './crop-task.js';

/**
 * What goes with each image of a {@link cropFolder} batch: the images of the inputs, each one's
 * rows of the centroid table and its label image.
 */

/** The image extensions a folder is searched for. */
export const IMAGE_EXTENSIONS = ['.tif', '.tiff', '.png'] as const;

/** An input image: its path and its id (the path under its folder without extension). */
export interface InputImage {
  path: string;
  id: string;
}

/** How the rows of one table find their images. */
export type Match = 'name' | 'imageNumber' | 'frame';

const stemOf = (path: string): string => basename(path, extname(path));

/** Whether `path` lies in folder `dir` (or is it). */
const inside = (path: string, dir: string): boolean => {
  const r = relative(resolve(dir), resolve(path));
  return r === '' || (!r.startsWith('..') && !r.startsWith('/'));
};

/** Options of {@link findImages}. */
export interface FindImagesOptions {
  /** Folders whose images are left out (an output or labels folder inside the inputs). */
  skip?: readonly string[];
  /** The public function on whose behalf the images are found, in error messages. */
  caller?: string;
}

/**
 * The 2-D images of `inputs` in order: a file as given (id: its stem), a folder's `.tif`,
 * `.tiff` and `.png` files searched recursively in name order (ids: their paths under the
 * folder, without extension), leaving out what lies in `options.skip`. Two images with the same
 * id are refused (their crops would share a folder).
 *
 * @throws FileSystemError for an input that does not exist; InvalidArgumentError for repeated ids.
 */
export async function findImages(
  inputs: readonly string[],
  options: FindImagesOptions = {},
): Promise<InputImage[]> {
  const fn = options.caller ?? 'findImages';
  const skip = options.skip ?? [];
  const out: InputImage[] = [];
  for (const input of inputs) {
    if (!existsSync(input))
      throw new FileSystemError(`${fn}: ${JSON.stringify(input)} does not exist`, {
        fn,
        arg: 'images',
      });
    if (!statSync(input).isDirectory()) out.push({ path: input, id: stemOf(input) });
    else {
      const listed = await listSampleFiles(input, {
        extensions: [...IMAGE_EXTENSIONS],
        caller: fn,
      });
      for (const f of listed.files)
        if (!skip.some((dir) => inside(f.path, dir))) out.push({ path: f.path, id: f.id });
    }
  }
  const seen = new Set<string>();
  for (const { id, path } of out) {
    if (seen.has(id))
      throw invalidArgument(fn, 'images', 'images with distinct names (ids)', `${id} (${path})`);
    seen.add(id);
  }
  return out;
}

/**
 * CellProfiler's `FileName_*` values of a row — the image files it was measured on — each with
 * its `PathName_*` folder when the table has it.
 */
function fileNames(row: CentroidTable['rows'][number]): { name: string; folder?: string }[] {
  return Object.entries(row.metadata)
    .filter(([column]) => column.startsWith('FileName_'))
    .map(([column, name]) => {
      const folder = row.metadata[`PathName_${column.slice('FileName_'.length)}`];
      return folder === undefined ? { name } : { name, folder };
    });
}

const slashes = (path: string): string => path.trim().replace(/\\/g, '/');

/**
 * The images a name stands for (positions in input order): the image whose id is the name, with
 * or without its extension (`Plate2/a`, `Plate2\\a.tif`), else the images with that file name or
 * stem — those whose path under their folder ends `folder` + name when a folder (CellProfiler's
 * `PathName_*`) tells them apart. One is a match, several are ambiguous: matched by file name
 * alone, `a.tif` in `Plate1/` and `Plate2/` both took the rows, labels and table of one.
 */
type ImageLookup = (name: string, folder?: string) => readonly number[];

/** The {@link ImageLookup} of a list of images. */
function imageLookup(images: readonly InputImage[]): ImageLookup {
  const exact = new Map<string, number>();
  const named = new Map<string, number[]>();
  images.forEach((image, i) => {
    exact.set(image.id, i);
    exact.set(image.id + extname(image.path), i);
    for (const key of new Set([basename(image.path), stemOf(image.path)]))
      named.set(key, [...(named.get(key) ?? []), i]);
  });
  return (name, folder) => {
    const key = slashes(name);
    const hit = exact.get(key);
    if (hit !== undefined) return [hit];
    const found = named.get(key) ?? [];
    if (found.length < 2 || folder === undefined) return found;
    const full = `/${slashes(folder)}/${key}`;
    const inFolder = found.filter((i) => {
      const relative = images[i]!.id + extname(images[i]!.path);
      return full.endsWith(`/${relative}`);
    });
    return inFolder.length > 0 ? inFolder : found;
  };
}

/**
 * The images a row names by its image column or a `FileName_*` column, and the names among them
 * that stand for several images.
 */
function namedImages(row: CentroidTable['rows'][number], lookup: ImageLookup) {
  const images = new Set<number>();
  const ambiguous: { name: string; images: readonly number[] }[] = [];
  const names = [...(row.image === undefined ? [] : [{ name: row.image }]), ...fileNames(row)];
  for (const { name, folder } of names as { name: string; folder?: string }[]) {
    const found = lookup(name, folder);
    if (found.length === 1) images.add(found[0]!);
    else if (found.length > 1) ambiguous.push({ name, images: found });
  }
  return { images, ambiguous };
}

/** How the rows of `table` find their images (see `CropFolderOptions.match`). */
function matchMode(
  fn: string,
  table: CentroidTable,
  images: readonly InputImage[],
  lookup: ImageLookup,
  requested: 'auto' | Match,
): Match {
  if (requested !== 'auto') return requested;
  if (
    table.rows.some((r) => {
      const named = namedImages(r, lookup);
      return named.images.size > 0 || named.ambiguous.length > 0;
    })
  )
    return 'name';
  if (table.format === 'cellprofiler') return 'imageNumber';
  if (table.rows.some((r) => r.frame !== undefined)) return 'frame';
  if (images.length === 1) return 'frame';
  throw invalidArgument(
    fn,
    'options.match',
    'set: the table has no image column naming these files and no frames; add one, or give a folder of per-image tables',
  );
}

/**
 * The rows of image `position` (0-based, input order) named by their image column: a row naming
 * it by a name several images share fails the image (its rows cannot be told apart).
 */
function rowsNaming(table: CentroidTable, lookup: ImageLookup, position: number): CentroidTable {
  const rows = table.rows.filter((r) => {
    const { images, ambiguous } = namedImages(r, lookup);
    const shared = ambiguous.find((a) => a.images.includes(position));
    if (shared)
      throw new Error(
        `the table names ${JSON.stringify(shared.name)}, which ${shared.images.length} images share; name the image by its path under its folder`,
      );
    return images.has(position);
  });
  return { ...table, rows };
}

/**
 * Refuses a table whose ImageNumbers do not all name one of the `count` images: its rows matched
 * no image and were dropped without a word — CellProfiler numbers image sets, so a folder with a
 * file per channel (`A01_DNA.tif`, `A01_Actin.tif`) is not in ImageNumber order.
 */
function checkImageNumbers(fn: string, table: CentroidTable, count: number): void {
  const bad = table.rows.find((r) => {
    const n = Number(r.image);
    return !Number.isInteger(n) || n < 1 || n > count;
  });
  if (bad !== undefined)
    throw invalidArgument(
      fn,
      'options.match',
      `a table whose ImageNumbers are 1 … ${count} (ImageNumber is the image's position among the ${count} images; with a file per channel, match by name with the FileName_ columns)`,
      bad.image,
    );
}

/** The rows of image `position` (0-based, input order). */
function rowsOf(
  table: CentroidTable,
  match: Match,
  lookup: ImageLookup,
  position: number,
  single: boolean,
): CentroidTable {
  if (match === 'name') return rowsNaming(table, lookup, position);
  const keep = (() => {
    switch (match) {
      case 'imageNumber':
        return (r: CentroidTable['rows'][number]) => Number(r.image) === position + 1;
      case 'frame':
        // A lone image takes a frameless table's every row, or its first frame's.
        return (r: CentroidTable['rows'][number]) =>
          r.frame === undefined ? single : r.frame === (single ? firstFrame(table) : position);
      default:
        throw new Error(`unknown match ${String(match satisfies never)}`);
    }
  })();
  return { ...table, rows: table.rows.filter(keep) };
}

/** The smallest frame of a table's rows (undefined when none has one). */
function firstFrame(table: CentroidTable): number | undefined {
  let first: number | undefined;
  for (const row of table.rows)
    if (row.frame !== undefined && (first === undefined || row.frame < first)) first = row.frame;
  return first;
}

/**
 * The names a per-image file of `image` may have: its id, then its stem when no other image has
 * that stem (`Plate1/a.tif` and `Plate2/a.tif` never share `a.csv` or `a.tif`).
 */
function ownNames(image: InputImage, lookup: ImageLookup): string[] {
  const stem = stemOf(image.path);
  return stem === image.id || lookup(stem).length > 1 ? [image.id] : [image.id, stem];
}

/** The label image of `image`: same id or (unshared) stem in `labels` (a folder), `labels` itself (a file), or `labels(image)`. */
function labelsOf(
  fn: string,
  labels: string | ((image: string) => string) | undefined,
  image: InputImage,
  lookup: ImageLookup,
): string | undefined {
  if (labels === undefined) return undefined;
  if (typeof labels === 'function') return labels(image.path);
  if (!statSync(labels).isDirectory()) return labels;
  const names = ownNames(image, lookup);
  for (const name of names)
    for (const ext of IMAGE_EXTENSIONS) {
      const path = join(labels, name + ext);
      if (existsSync(path)) return path;
    }
  throw new FileSystemError(
    `${fn}: no label image for ${basename(image.path)} in ${JSON.stringify(labels)} (looked for ${names.join(' or ')}.tif/.tiff/.png)`,
    { fn, arg: 'options.labels' },
  );
}

/** The per-image table of `image` in folder `dir`: `<id>.csv`, else `<stem>.csv` when no other image has the stem. */
function ownTablePath(dir: string, image: InputImage, lookup: ImageLookup): string {
  const paths = ownNames(image, lookup).map((name) => join(dir, `${name}.csv`));
  return paths.find((path) => existsSync(path)) ?? paths.at(-1)!;
}

/** What {@link planTasks} needs of the options. */
export interface PlanOptions {
  table: string | CentroidTable | undefined;
  tableOptions: CentroidTableOptions;
  match: 'auto' | Match;
  labels: string | ((image: string) => string) | undefined;
  frame: number | undefined;
  crop: Omit<CropCellsOptions, 'labels' | 'frame' | 'image'>;
  format: 'tiff' | 'png';
  qc: boolean;
  maxPixels: number | undefined;
}

/** The table shared by every image (one CSV or a parsed table), or undefined (per-image CSVs, labels only). */
function sharedTable(fn: string, o: PlanOptions): CentroidTable | undefined {
  if (typeof o.table === 'string' && !existsSync(o.table))
    throw new FileSystemError(`${fn}: the table ${JSON.stringify(o.table)} does not exist`, {
      fn,
      arg: 'options.table',
    });
  const table =
    typeof o.table !== 'string'
      ? o.table
      : statSync(o.table).isDirectory()
        ? undefined
        : readCentroidTable(o.table, o.tableOptions);
  if (table === undefined || o.frame === undefined) return table;
  return { ...table, rows: table.rows.filter((r) => r.frame === o.frame) };
}

/** The tasks of a batch: one per image, with its rows, or a failure found while matching. */
export function planTasks(
  fn: string,
  images: readonly InputImage[],
  outDir: string,
  o: PlanOptions,
): (CropTask | CropOutcome)[] {
  if (typeof o.labels === 'string' && !existsSync(o.labels))
    throw new FileSystemError(`${fn}: the labels ${JSON.stringify(o.labels)} do not exist`, {
      fn,
      arg: 'options.labels',
    });
  if (typeof o.labels === 'string' && !statSync(o.labels).isDirectory() && images.length > 1)
    throw invalidArgument(
      fn,
      'options.labels',
      'a folder of label images for several images',
      o.labels,
    );
  const shared = sharedTable(fn, o);
  const lookup = imageLookup(images);
  const match = shared ? matchMode(fn, shared, images, lookup, o.match) : undefined;
  if (shared && match === 'imageNumber') checkImageNumbers(fn, shared, images.length);
  return images.map((image, position) => {
    try {
      const table = shared
        ? rowsOf(shared, match!, lookup, position, images.length === 1)
        : typeof o.table === 'string'
          ? readCentroidTable(ownTablePath(o.table, image, lookup), o.tableOptions)
          : undefined;
      const labels = labelsOf(fn, o.labels, image, lookup);
      const task: CropTask = {
        image: image.path,
        id: image.id,
        crop: o.crop,
        outDir,
        format: o.format,
        qc: o.qc,
      };
      if (table) task.table = table;
      if (labels !== undefined) task.labels = labels;
      if (o.maxPixels !== undefined) task.maxPixels = o.maxPixels;
      return task;
    } catch (error) {
      return { status: 'failed', error: `${basename(image.path)}: ${(error as Error).message}` };
    }
  });
}
