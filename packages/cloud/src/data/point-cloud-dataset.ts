import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  checkInteger,
  checkNumber,
  type DatasetWarning,
  epochOrder,
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  invalidArgument,
  joinMetadata,
  listSampleFiles,
  type Metadata,
  mixSeed,
  sampleFileIds,
  withDefaults,
} from '@cellshape/core';
import type { Dataset } from '@cellshape/engine';
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
 *   batch.input; // tf.Tensor3D [B, 2048, 3]; dispose it when done
 * }
 * ```
 *
 * Metadata (`Metadata`) and skipped-cloud reports (`DatasetWarning`) are core's types; the
 * folder layout and the metadata join are core's `listSampleFiles` and `joinMetadata`.
 */

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
  /**
   * Bytes of normalised clouds to keep in memory, least recently used dropped first (a cloud of
   * N points takes 12·N bytes). Sized in bytes, not clouds, so one number bounds the memory of a
   * 65,000-cloud dataset as of a 48-cloud one. Default 0 (no cache): a pass reads each file once
   * anyway, so a cache only pays when it holds the whole dataset — e.g. 48 clouds of 2048
   * points take 1.2 MB, 65,000 take 1.6 GB (measurements: docs/scale.md).
   */
  cacheBytes?: number;
  /**
   * @deprecated Use `cacheBytes`. How many normalised clouds to keep in memory; still
   * honoured (with `cacheBytes` too, both limits apply). Default 0.
   */
  cacheSize?: number;
  /**
   * Read every file once when the dataset is built, so corrupt files and clouds with NaN are
   * skipped (and reported) up front rather than failing a batch later. Default true.
   */
  validate?: boolean;
  /** Called for every cloud or metadata row that is skipped (core's `DatasetWarning`). */
  onWarning?: (warning: DatasetWarning) => void;
}

/** Options of {@link PointCloudDataset.fromFolder}. */
export interface FolderDatasetOptions extends PointCloudDatasetOptions {
  /**
   * Metadata table: a CSV file path or parsed rows. With it, the dataset holds one item per
   * row whose id (column `idColumn`) names a file, in row order (core's `joinMetadata`). The id
   * is matched against each file's path relative to the folder without `.ply` (forward
   * slashes, e.g. `Plate1/DMSO/cell_001`), and otherwise against the file name without `.ply`
   * when that name is unique in the folder (so the original's `Plate/…/Treatment/serialNumber.ply`
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
  cacheBytes: 0,
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

/** Options of {@link PointCloudDataset.batches}: the engine's `DatasetBatchOptions`, each optional. */
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

/** A batch of clouds (the engine's `DatasetBatch`); the consumer owns (and must dispose) `input`. */
export interface PointCloudBatch {
  /** Ids of the clouds, in batch order. */
  ids: string[];
  /** Dataset indices of the clouds, in batch order. */
  indices: number[];
  /** The model input: coordinates `[B, N, 3]`. */
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
  cacheBytes: number;
  cacheSize: number;
  validate: boolean;
  onWarning: ((warning: DatasetWarning) => void) | undefined;
}

function settingsOf(fn: string, options: PointCloudDatasetOptions): Settings {
  const o = withDefaults(fn, DEFAULT_POINT_CLOUD_DATASET_OPTIONS, options);
  if (o.numPoints !== null && !(Number.isInteger(o.numPoints) && o.numPoints > 0))
    throw invalidArgument(fn, 'options.numPoints', 'a positive integer or null', o.numPoints);
  checkNumber(fn, 'options.seed', o.seed);
  checkInteger(fn, 'options.cacheSize', o.cacheSize, { min: 0 });
  checkInteger(fn, 'options.cacheBytes', o.cacheBytes, { min: 0 });
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function')
    throw invalidArgument(fn, 'options.onWarning', 'a function', o.onWarning);
  return {
    numPoints: o.numPoints,
    normalise: o.normalise,
    axisOrder: o.axisOrder,
    seed: o.seed,
    // Only cacheSize given (the deprecated way): no byte limit.
    cacheBytes: o.cacheBytes === 0 && o.cacheSize > 0 ? Number.POSITIVE_INFINITY : o.cacheBytes,
    cacheSize: o.cacheSize === 0 && o.cacheBytes > 0 ? Number.POSITIVE_INFINITY : o.cacheSize,
    validate: o.validate,
    onWarning: o.onWarning,
  };
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

/**
 * A dataset of point clouds. Build it with {@link PointCloudDataset.fromFolder},
 * {@link PointCloudDataset.fromFiles} or {@link PointCloudDataset.fromArrays}.
 */
export class PointCloudDataset implements Dataset<PointCloudBatch> {
  /** Clouds and metadata rows left out when the dataset was built, with the reason. */
  readonly skipped: DatasetWarning[];
  /** Points per cloud after resampling (`null`: as in the files). */
  readonly numPoints: number | null;
  private readonly items: Item[];
  private readonly settings: Settings;
  private readonly cache = new Map<number, PointCloud>();
  private cachedBytes = 0;

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
    const files = await listSampleFiles(dir, { extensions: ['.ply'], caller: fn });
    let items: Item[] = files.files.map(({ id, path }) => ({ id, path, metadata: {} }));
    let skipped: DatasetWarning[] = [];
    if (options.metadata !== undefined) {
      const idColumn = options.idColumn ?? DEFAULT_POINT_CLOUD_DATASET_OPTIONS.idColumn;
      const join = await joinMetadata(files, { metadata: options.metadata, idColumn, caller: fn });
      items = join.samples;
      skipped = join.warnings;
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
    const ids = options.ids ?? sampleFileIds(files);
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

  /** What the cache holds now: clouds and their bytes (see `cacheBytes`). */
  get cacheUsage(): { clouds: number; bytes: number } {
    return { clouds: this.cache.size, bytes: this.cachedBytes };
  }

  /** Adds a cloud to the cache and drops the least recently used ones over either limit. */
  private remember(index: number, cloud: PointCloud): void {
    const { cacheBytes, cacheSize } = this.settings;
    const bytes = cloud.data.byteLength;
    if (cacheSize === 0 || bytes > cacheBytes) return;
    const previous = this.cache.get(index);
    if (previous) this.cachedBytes -= previous.data.byteLength;
    this.cache.set(index, cloud);
    this.cachedBytes += bytes;
    while (this.cache.size > cacheSize || this.cachedBytes > cacheBytes) {
      const oldest = this.cache.keys().next().value as number;
      this.cachedBytes -= this.cache.get(oldest)!.data.byteLength;
      this.cache.delete(oldest);
    }
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
    this.remember(index, cloud);
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
    const epoch = checkInteger(fn, 'options.epoch', options.epoch ?? 0, { min: 0 });
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
   * Streams the dataset as batches, in core's `epochOrder` of `(seed, epoch)`. Only one batch of
   * clouds is read into memory at a time; each batch's `input` tensor belongs to the consumer
   * (the training loop disposes it).
   */
  async *batches(options: BatchOptions = {}): AsyncGenerator<PointCloudBatch> {
    const fn = 'PointCloudDataset.batches';
    const o = withDefaults(fn, { ...DEFAULT_BATCH_OPTIONS, seed: this.settings.seed }, options);
    const batchSize = checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
    const epoch = checkInteger(fn, 'options.epoch', o.epoch, { min: 0 });
    const seed = checkNumber(fn, 'options.seed', o.seed);
    const n = this.items.length;
    const order = epochOrder(n, { shuffle: o.shuffle, seed, epoch });
    const end = o.dropLast ? n - (n % batchSize) : n;
    for (let start = 0; start < end; start += batchSize) {
      const indices = Array.from(order.subarray(start, Math.min(start + batchSize, end)));
      const items = await Promise.all(indices.map((i) => this.get(i, { epoch })));
      yield {
        ids: items.map((item) => item.id),
        indices,
        input: stack(fn, items),
        metadata: items.map((item) => item.metadata),
      };
    }
  }
}

/** The clouds of a batch as one `[B, N, 3]` tensor; they must have the same point count. */
function stack(fn: string, items: DatasetItem[]): Tensor3D {
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
  return tensor3d(data, [items.length, count, 3]);
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
