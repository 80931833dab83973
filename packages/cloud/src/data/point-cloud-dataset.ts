import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import {
  createRng,
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  invalidArgument,
} from '@cellshape/core';
import {
  type AxisOrder,
  type NormalisePreset,
  normalisePointCloud,
  type PointCloud,
  type PointCloudFormat,
  readPointCloud,
  resamplePointCloud,
} from '@cellshape/helper';
import { type Tensor3D, tensor3d } from '@tensorflow/tfjs-core';
import { parseCsv } from './csv.js';

/**
 * Point-cloud datasets for training and feature extraction: `.ply` files in a folder (read
 * lazily, so data larger than memory trains), optionally joined with a CSV of metadata, or
 * clouds already in memory.
 *
 * ```ts
 * const dataset = await PointCloudDataset.fromFolder('clouds/', {
 *   metadata: 'cells.csv',   // columns Treatment, PlateNumber, serialNumber, ...
 *   numPoints: 2048,
 *   normalise: 'fixed20',
 * });
 * for await (const batch of dataset.batches({ batchSize: 16, shuffle: true, seed: 1, epoch: 0 })) {
 *   batch.points; // tf.Tensor3D [B, 2048, 3]; dispose it when done
 * }
 * ```
 */

/** A metadata value: CSV cells are strings; in-memory metadata may hold numbers. */
export type MetadataValue = string | number;

/** The metadata of one cell, e.g. `{ Treatment: 'DMSO', PlateNumber: '1', serialNumber: 'c7' }`. */
export type Metadata = Record<string, MetadataValue>;

/** A cloud that was left out, and why. */
export interface DatasetWarning {
  /** The file, for folder and file-list datasets. */
  path?: string;
  /** The cell id, when known. */
  id?: string;
  /** Why it was skipped, e.g. `'contains NaN coordinates'`. */
  reason: string;
}

/** Options shared by every way of building a {@link PointCloudDataset}. */
export interface PointCloudDatasetOptions {
  /**
   * Points per cloud. Clouds with another count are resampled (seeded per item and epoch);
   * `null` keeps each cloud as it is (then every cloud of a batch must have the same count).
   * Default 2048.
   */
  numPoints?: number | null;
  /** Normalisation applied to each whole cloud before resampling. Default `'fixed20'`
   * (centre, divide by 20, as cellshape-cloud). */
  normalise?: NormalisePreset;
  /** Coordinate order of the files (see helper's `readPointCloud`). Default: the reader's. */
  axisOrder?: AxisOrder;
  /** Seed of the resampling (and the default seed of `batches`). Default 0. */
  seed?: number;
  /** How many normalised clouds to keep in memory (least recently used dropped). Default 0. */
  cacheSize?: number;
  /**
   * Read every file once when the dataset is built, so corrupt files and clouds with NaN are
   * skipped (and reported) up front rather than failing a batch later. Default true.
   */
  validate?: boolean;
  /** Called for every cloud or metadata row that is skipped. */
  onWarning?: (warning: DatasetWarning) => void;
}

/** Options of {@link PointCloudDataset.fromFolder}. */
export interface FolderDatasetOptions extends PointCloudDatasetOptions {
  /**
   * Metadata table: a CSV file path or parsed rows. With it, the dataset holds one item per
   * row whose id (column `idColumn`) names a file, in row order. The id is matched against
   * each file's path relative to the folder without `.ply` (forward slashes, e.g.
   * `Plate1/DMSO/cell_001`), and otherwise against the file name without `.ply` when that
   * name is unique in the folder (so the original's `Plate/…/Treatment/serialNumber.ply`
   * layout works). A `.ply` suffix in the id is ignored. Rows without a file, and files without
   * a row, are skipped and reported.
   */
  metadata?: string | Record<string, string>[];
  /** The metadata column holding the cell id. Default `'serialNumber'`. */
  idColumn?: string;
}

/** Options of {@link PointCloudDataset.fromFiles}. */
export interface FilesDatasetOptions extends PointCloudDatasetOptions {
  /** Ids of the files (default: the file name without extension, or the path when names clash). */
  ids?: string[];
  /** Metadata per file, in the order of the files. */
  metadata?: Metadata[];
}

/** Options of {@link PointCloudDataset.fromArrays}. */
export interface ArraysDatasetOptions extends Omit<PointCloudDatasetOptions, 'axisOrder'> {
  /** Ids of the clouds. Default `'0'`, `'1'`, …. */
  ids?: string[];
  /** Metadata per cloud. Default `{}`. */
  metadata?: Metadata[];
}

/** Defaults of {@link PointCloudDatasetOptions}. */
export const DEFAULT_POINT_CLOUD_DATASET_OPTIONS = {
  numPoints: 2048,
  normalise: 'fixed20',
  seed: 0,
  cacheSize: 0,
  validate: true,
  idColumn: 'serialNumber',
} as const;

/** One cell of the dataset. */
export interface DatasetItem {
  /** The cell id (file-derived or from the metadata). */
  id: string;
  /** Position in the dataset, 0 … length − 1. */
  index: number;
  /** Coordinates, `numPoints × 3`, x, y, z per point (normalised, resampled). */
  points: Float32Array;
  /** Points in the cloud. */
  numPoints: number;
  /** The cell's metadata (a copy). */
  metadata: Metadata;
}

/** Options of {@link PointCloudDataset.batches}. */
export interface BatchOptions {
  /** Clouds per batch. Default 16. */
  batchSize?: number;
  /** Shuffle the order (a function of `seed` and `epoch` only). Default false. */
  shuffle?: boolean;
  /** Seed of the order. Default: the dataset's seed. */
  seed?: number;
  /** Epoch: changes the order and the resampling. Default 0. */
  epoch?: number;
  /** Leave out the last batch when it is smaller than `batchSize`. Default false. */
  dropLast?: boolean;
}

/** Defaults of {@link BatchOptions}. */
export const DEFAULT_BATCH_OPTIONS = {
  batchSize: 16,
  shuffle: false,
  epoch: 0,
  dropLast: false,
} as const;

/** A batch of clouds; the consumer owns (and must dispose) `points`. */
export interface PointCloudBatch {
  /** Ids of the clouds, in batch order. */
  ids: string[];
  /** Dataset indices of the clouds, in batch order. */
  indices: number[];
  /** Coordinates `[B, N, 3]`. */
  points: Tensor3D;
  /** The model input (the engine's `DatasetBatch`): the same tensor as `points`. */
  input: Tensor3D;
  /** Metadata of the clouds, in batch order. */
  metadata: Metadata[];
}

interface Item {
  id: string;
  path?: string;
  cloud?: PointCloud;
  metadata: Metadata;
}

interface Settings {
  numPoints: number | null;
  normalise: NormalisePreset;
  axisOrder: AxisOrder | undefined;
  seed: number;
  cacheSize: number;
  validate: boolean;
  onWarning: ((warning: DatasetWarning) => void) | undefined;
}

function settingsOf(fn: string, options: PointCloudDatasetOptions): Settings {
  if (options === null || typeof options !== 'object')
    throw invalidArgument(fn, 'options', 'an object', options);
  const d = DEFAULT_POINT_CLOUD_DATASET_OPTIONS;
  const numPoints = options.numPoints === undefined ? d.numPoints : options.numPoints;
  if (numPoints !== null && !(Number.isInteger(numPoints) && numPoints > 0))
    throw invalidArgument(fn, 'options.numPoints', 'a positive integer or null', numPoints);
  const seed = options.seed ?? d.seed;
  if (!Number.isFinite(seed)) throw invalidArgument(fn, 'options.seed', 'a finite number', seed);
  const cacheSize = options.cacheSize ?? d.cacheSize;
  if (!Number.isInteger(cacheSize) || cacheSize < 0)
    throw invalidArgument(fn, 'options.cacheSize', 'a non-negative integer', cacheSize);
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function')
    throw invalidArgument(fn, 'options.onWarning', 'a function', options.onWarning);
  return {
    numPoints,
    normalise: options.normalise ?? d.normalise,
    axisOrder: options.axisOrder,
    seed,
    cacheSize,
    validate: options.validate ?? d.validate,
    onWarning: options.onWarning,
  };
}

/** Mixes (seed, a, b) into a 32-bit seed, so each item and epoch resamples independently. */
function mixSeed(seed: number, a: number, b: number): number {
  let h = Math.trunc(seed) >>> 0;
  for (const v of [a, b]) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Why a cloud is unusable, or undefined when it is fine. */
function cloudProblem(cloud: PointCloud): string | undefined {
  const n = cloud.shape[0];
  if (n === 0) return 'has no points';
  const data = cloud.data;
  for (let i = 0; i < n * 3; i++) {
    if (!Number.isFinite(data[i]!)) return `contains non-finite coordinates (point ${(i / 3) | 0})`;
  }
  return undefined;
}

function toCloud(fn: string, value: unknown, i: number): PointCloud {
  if (value instanceof Float32Array) {
    if (value.length % 3 !== 0)
      throw invalidArgument(fn, `clouds[${i}]`, 'a Float32Array of length n × 3', value);
    return { data: value, shape: [value.length / 3, 3] };
  }
  const c = value as Partial<PointCloud> | null;
  if (
    !c ||
    !(c.data instanceof Float32Array) ||
    !Array.isArray(c.shape) ||
    c.shape[1] !== 3 ||
    c.shape[0]! * 3 !== c.data.length
  )
    throw invalidArgument(fn, `clouds[${i}]`, 'a PointCloud { data: Float32Array, shape: [n, 3] }');
  return { data: c.data, shape: [c.shape[0]!, 3] };
}

async function listPly(dir: string, fn: string): Promise<string[]> {
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (error) {
    throw new FileSystemError(`${fn}: the folder ${JSON.stringify(dir)} does not exist`, {
      fn,
      arg: 'dir',
      cause: error,
    });
  }
  if (!isDir) throw invalidArgument(fn, 'dir', 'a folder', dir);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.ply'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function stripPly(name: string): string {
  return name.toLowerCase().endsWith('.ply') ? name.slice(0, -4) : name;
}

/**
 * A dataset of point clouds. Build it with {@link PointCloudDataset.fromFolder},
 * {@link PointCloudDataset.fromFiles} or {@link PointCloudDataset.fromArrays}.
 */
export class PointCloudDataset {
  /** Clouds and metadata rows left out when the dataset was built, with the reason. */
  readonly skipped: DatasetWarning[];
  /** Points per cloud after resampling (`null`: as in the files). */
  readonly numPoints: number | null;
  private readonly items: Item[];
  private readonly settings: Settings;
  private readonly cache = new Map<number, PointCloud>();

  private constructor(items: Item[], settings: Settings, skipped: DatasetWarning[]) {
    this.items = items;
    this.settings = settings;
    this.skipped = skipped;
    this.numPoints = settings.numPoints;
  }

  /** Number of clouds. */
  get length(): number {
    return this.items.length;
  }

  /** The ids of all clouds, in dataset order. */
  get ids(): string[] {
    return this.items.map((item) => item.id);
  }

  /** Copies of the metadata of all clouds, in dataset order. */
  get metadata(): Metadata[] {
    return this.items.map((item) => ({ ...item.metadata }));
  }

  /**
   * All `.ply` files under `dir` (recursively, sorted by path), optionally joined with a
   * metadata CSV (see {@link FolderDatasetOptions.metadata} for the matching rule). Ids are
   * the relative paths without `.ply` (forward slashes), or the metadata ids.
   * Throws a `FileSystemError` when `dir` does not exist and an `InvalidArgumentError` naming
   * the folder when it holds no usable `.ply` file.
   */
  static async fromFolder(
    dir: string,
    options: FolderDatasetOptions = {},
  ): Promise<PointCloudDataset> {
    const fn = 'PointCloudDataset.fromFolder';
    if (typeof dir !== 'string' || dir.length === 0)
      throw invalidArgument(fn, 'dir', 'a folder path', dir);
    const settings = settingsOf(fn, options);
    const files = await listPly(dir, fn);
    if (files.length === 0)
      throw new InvalidArgumentError(
        `${fn}: the folder ${JSON.stringify(dir)} holds no .ply files`,
        {
          fn,
          arg: 'dir',
        },
      );
    const relativeId = (path: string): string => stripPly(relative(dir, path).split(sep).join('/'));
    const skipped: DatasetWarning[] = [];
    let items: Item[];
    if (options.metadata === undefined) {
      items = files.map((path) => ({ id: relativeId(path), path, metadata: {} }));
    } else {
      items = await joinMetadata(fn, files, relativeId, options, skipped);
    }
    return PointCloudDataset.build(
      fn,
      items,
      settings,
      skipped,
      `the folder ${JSON.stringify(dir)}`,
    );
  }

  /** The given `.ply` (or other point-cloud) files, in order. */
  static async fromFiles(
    files: string[],
    options: FilesDatasetOptions = {},
  ): Promise<PointCloudDataset> {
    const fn = 'PointCloudDataset.fromFiles';
    if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== 'string'))
      throw invalidArgument(fn, 'files', 'a non-empty array of file paths', files);
    const settings = settingsOf(fn, options);
    const ids = options.ids ?? defaultFileIds(files);
    if (ids.length !== files.length)
      throw invalidArgument(fn, 'options.ids', `an array of ${files.length} ids`, ids);
    if (options.metadata !== undefined && options.metadata.length !== files.length)
      throw invalidArgument(
        fn,
        'options.metadata',
        `an array of ${files.length} rows`,
        options.metadata,
      );
    const items = files.map((path, i) => ({
      id: ids[i]!,
      path,
      metadata: { ...(options.metadata?.[i] ?? {}) },
    }));
    return PointCloudDataset.build(fn, items, settings, [], 'the file list');
  }

  /**
   * Clouds already in memory (`PointCloud`s or flat `Float32Array`s of n × 3 coordinates), e.g.
   * from the synthetic generator. The arrays are not copied and never modified.
   */
  static async fromArrays(
    clouds: Array<PointCloud | Float32Array>,
    options: ArraysDatasetOptions = {},
  ): Promise<PointCloudDataset> {
    const fn = 'PointCloudDataset.fromArrays';
    if (!Array.isArray(clouds) || clouds.length === 0)
      throw invalidArgument(fn, 'clouds', 'a non-empty array of point clouds', clouds);
    const settings = settingsOf(fn, options);
    const ids = options.ids ?? clouds.map((_, i) => String(i));
    if (ids.length !== clouds.length)
      throw invalidArgument(fn, 'options.ids', `an array of ${clouds.length} ids`, ids);
    if (options.metadata !== undefined && options.metadata.length !== clouds.length)
      throw invalidArgument(
        fn,
        'options.metadata',
        `an array of ${clouds.length} rows`,
        options.metadata,
      );
    const items = clouds.map((c, i) => ({
      id: ids[i]!,
      cloud: toCloud(fn, c, i),
      metadata: { ...(options.metadata?.[i] ?? {}) },
    }));
    return PointCloudDataset.build(fn, items, settings, [], 'the given clouds');
  }

  private static async build(
    fn: string,
    items: Item[],
    settings: Settings,
    skipped: DatasetWarning[],
    source: string,
  ): Promise<PointCloudDataset> {
    const kept: Item[] = [];
    for (const item of items) {
      if (!settings.validate && item.path !== undefined) {
        kept.push(item);
        continue;
      }
      try {
        const problem = cloudProblem(item.cloud ?? (await readItemFile(item, settings, fn)));
        if (problem === undefined) kept.push(item);
        else skipped.push(warning(item, problem));
      } catch (error) {
        if (!(error instanceof FormatError || error instanceof FileSystemError)) throw error;
        skipped.push(warning(item, error.message));
      }
    }
    for (const w of skipped) settings.onWarning?.(w);
    if (kept.length === 0) {
      const first = skipped[0] ? ` (first: ${skipped[0].reason})` : '';
      throw new InvalidArgumentError(
        `${fn}: ${source} holds no usable point cloud; ${skipped.length} skipped${first}`,
        { fn },
      );
    }
    return new PointCloudDataset(kept, settings, skipped);
  }

  /** The normalised (not yet resampled) cloud of item `index`, through the cache. */
  private async normalised(index: number): Promise<PointCloud> {
    const cached = this.cache.get(index);
    if (cached) {
      this.cache.delete(index);
      this.cache.set(index, cached);
      return cached;
    }
    const item = this.items[index]!;
    const fn = 'PointCloudDataset.get';
    const raw = item.cloud ?? (await readItemFile(item, this.settings, fn));
    const problem = cloudProblem(raw);
    if (problem !== undefined) {
      throw new FormatError(`${fn}: ${item.path ?? `cloud ${item.id}`} ${problem}`, {
        fn,
        arg: item.path ?? item.id,
      });
    }
    const cloud = normalisePointCloud(raw, this.settings.normalise);
    if (this.settings.cacheSize > 0) {
      this.cache.set(index, cloud);
      if (this.cache.size > this.settings.cacheSize) {
        const oldest = this.cache.keys().next().value as number;
        this.cache.delete(oldest);
      }
    }
    return cloud;
  }

  /**
   * Cloud `index`, normalised and resampled to `numPoints` (the resampling is seeded by the
   * dataset seed, the index and `epoch`; clouds that already have `numPoints` points are kept
   * as they are).
   */
  async get(index: number, options: { epoch?: number } = {}): Promise<DatasetItem> {
    const fn = 'PointCloudDataset.get';
    if (!Number.isInteger(index) || index < 0 || index >= this.items.length)
      throw invalidArgument(fn, 'index', `an integer in [0, ${this.items.length - 1}]`, index);
    const epoch = options.epoch ?? 0;
    if (!Number.isInteger(epoch) || epoch < 0)
      throw invalidArgument(fn, 'options.epoch', 'a non-negative integer', epoch);
    const item = this.items[index]!;
    const cloud = await this.normalised(index);
    const n = this.settings.numPoints;
    // A copy either way: the cached cloud and the caller's arrays must stay untouched.
    const points =
      n !== null && cloud.shape[0] !== n
        ? resamplePointCloud(cloud, n, { seed: mixSeed(this.settings.seed, index, epoch) }).data
        : cloud.data.slice();
    return {
      id: item.id,
      index,
      points,
      numPoints: points.length / 3,
      metadata: { ...item.metadata },
    };
  }

  /**
   * Streams the dataset as batches. Only one batch of clouds is read into memory at a time;
   * each batch's `points` tensor belongs to the consumer (the training loop disposes it).
   */
  async *batches(options: BatchOptions = {}): AsyncGenerator<PointCloudBatch> {
    const fn = 'PointCloudDataset.batches';
    const d = DEFAULT_BATCH_OPTIONS;
    const batchSize = options.batchSize ?? d.batchSize;
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw invalidArgument(fn, 'options.batchSize', 'a positive integer', batchSize);
    const epoch = options.epoch ?? d.epoch;
    if (!Number.isInteger(epoch) || epoch < 0)
      throw invalidArgument(fn, 'options.epoch', 'a non-negative integer', epoch);
    const seed = options.seed ?? this.settings.seed;
    if (!Number.isFinite(seed)) throw invalidArgument(fn, 'options.seed', 'a finite number', seed);
    const n = this.items.length;
    const order =
      (options.shuffle ?? d.shuffle)
        ? Array.from(createRng(mixSeed(seed, 0x5eed, epoch)).permutation(n))
        : Array.from({ length: n }, (_, i) => i);
    const end = (options.dropLast ?? d.dropLast) ? n - (n % batchSize) : n;
    for (let start = 0; start < end; start += batchSize) {
      const indices = order.slice(start, Math.min(start + batchSize, end));
      const items = await Promise.all(indices.map((i) => this.get(i, { epoch })));
      const count = items[0]!.numPoints;
      const odd = items.find((item) => item.numPoints !== count);
      if (odd) {
        throw new InvalidArgumentError(
          `${fn}: clouds ${JSON.stringify(items[0]!.id)} (${count} points) and ${JSON.stringify(odd.id)} (${odd.numPoints} points) differ in size; set 'numPoints' to resample them`,
          { fn, arg: 'numPoints' },
        );
      }
      const data = new Float32Array(items.length * count * 3);
      items.forEach((item, b) => {
        data.set(item.points, b * count * 3);
      });
      const points = tensor3d(data, [items.length, count, 3]);
      yield {
        ids: items.map((item) => item.id),
        indices,
        points,
        input: points,
        metadata: items.map((item) => item.metadata),
      };
    }
  }
}

function warning(item: Item, reason: string): DatasetWarning {
  return item.path === undefined
    ? { id: item.id, reason }
    : { path: item.path, id: item.id, reason };
}

const FORMATS: readonly PointCloudFormat[] = ['ply', 'csv', 'npy'];

async function readItemFile(item: Item, settings: Settings, fn: string): Promise<PointCloud> {
  const path = item.path!;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new FileSystemError(`${fn}: could not read ${JSON.stringify(path)}`, {
      fn,
      arg: path,
      cause: error,
    });
  }
  const extension = extname(path).slice(1).toLowerCase();
  const format = FORMATS.find((f) => f === extension);
  try {
    return readPointCloud(bytes, { format, axisOrder: settings.axisOrder });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`${fn}: ${path} is not a readable point cloud: ${reason}`, {
      fn,
      arg: path,
      cause: error,
    });
  }
}

function defaultFileIds(files: string[]): string[] {
  const stems = files.map((f) => basename(f, extname(f)));
  if (new Set(stems).size === stems.length) return stems;
  return files.map((f) =>
    f
      .slice(0, f.length - extname(f).length)
      .split(sep)
      .join('/'),
  );
}

async function joinMetadata(
  fn: string,
  files: string[],
  relativeId: (path: string) => string,
  options: FolderDatasetOptions,
  skipped: DatasetWarning[],
): Promise<Item[]> {
  const idColumn = options.idColumn ?? DEFAULT_POINT_CLOUD_DATASET_OPTIONS.idColumn;
  let rows: Record<string, string>[];
  let columns: string[];
  if (typeof options.metadata === 'string') {
    let text: string;
    try {
      text = await readFile(options.metadata, 'utf8');
    } catch (error) {
      throw new FileSystemError(
        `${fn}: could not read the metadata CSV ${JSON.stringify(options.metadata)}`,
        {
          fn,
          arg: 'options.metadata',
          cause: error,
        },
      );
    }
    ({ rows, columns } = parseCsv(text, fn));
  } else if (Array.isArray(options.metadata)) {
    rows = options.metadata;
    columns = rows[0] ? Object.keys(rows[0]) : [];
  } else {
    throw invalidArgument(
      fn,
      'options.metadata',
      'a CSV path or an array of rows',
      options.metadata,
    );
  }
  if (rows.length > 0 && !columns.includes(idColumn)) {
    throw invalidArgument(
      fn,
      'options.idColumn',
      `a column of the metadata (${columns.join(', ')})`,
      idColumn,
    );
  }
  const byPath = new Map<string, string>();
  const byStem = new Map<string, string[]>();
  for (const path of files) {
    const id = relativeId(path);
    byPath.set(id, path);
    const stem = id.slice(id.lastIndexOf('/') + 1);
    byStem.set(stem, [...(byStem.get(stem) ?? []), path]);
  }
  const used = new Set<string>();
  const items: Item[] = [];
  for (const row of rows) {
    const id = stripPly(
      String(row[idColumn] ?? '')
        .trim()
        .replace(/\\/g, '/'),
    );
    const stemMatches = byStem.get(id);
    const path = byPath.get(id) ?? (stemMatches?.length === 1 ? stemMatches[0] : undefined);
    if (path === undefined) {
      const reason =
        stemMatches && stemMatches.length > 1
          ? `metadata id matches ${stemMatches.length} files by name; use the relative path as id`
          : 'no .ply file for this metadata id';
      skipped.push({ id, reason });
      continue;
    }
    if (used.has(path)) {
      skipped.push({ id, path, reason: 'a second metadata row for the same file' });
      continue;
    }
    used.add(path);
    items.push({ id, path, metadata: { ...row } });
  }
  for (const path of files) {
    if (!used.has(path)) skipped.push({ path, id: relativeId(path), reason: 'no metadata row' });
  }
  return items;
}
