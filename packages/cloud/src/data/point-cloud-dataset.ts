import { readFileSync } from 'node:fs';
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
  type JoinedSample,
  joinMetadata,
  listSampleFiles,
  type Metadata,
  mixSeed,
  type SampleFiles,
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
  /**
   * Files to leave out without reading them (paths as `skipped` reports them): those another
   * process found unusable when it validated the same folder — the client of a distributed
   * extraction, whose workers open the folder with `validate: false` and this list, so that
   * none of them reads every file. Default: none.
   */
  exclude?: readonly string[];
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

/** Strings packed into one: string `i` is `text.slice(starts[i], starts[i + 1])`. */
class PackedStrings implements Column<string> {
  private readonly text: string;
  private readonly starts: Uint32Array;

  constructor(strings: readonly string[]) {
    this.text = strings.join('');
    this.starts = new Uint32Array(strings.length + 1);
    strings.forEach((value, i) => {
      this.starts[i + 1] = this.starts[i]! + value.length;
    });
  }

  at(i: number): string {
    return this.text.slice(this.starts[i], this.starts[i + 1]);
  }
}

/**
 * Where the clouds come from, by index: a folder's packed listing (ids and paths are read from
 * it, no object per cloud), metadata rows joined with it (ids and paths packed, a CSV's rows as
 * columns), or items given in memory.
 */
interface Source {
  readonly length: number;
  id(i: number): string;
  path(i: number): string | undefined;
  cloud(i: number): PointCloud | undefined;
  /** The stored row (callers copy it). */
  row(i: number): Metadata;
}

const NO_METADATA: Metadata = Object.freeze({});

function folderSource(files: SampleFiles): Source {
  return {
    length: files.count,
    id: (i) => files.idAt(i),
    path: (i) => files.pathAt(i),
    cloud: () => undefined,
    row: () => NO_METADATA,
  };
}

/** Values by row index. (Classes, not closures: a closure would keep its builder's arrays alive.) */
interface Column<T> {
  at(i: number): T;
}

/** Text values coded as indices into their distinct values (4 bytes a row). */
class DictionaryColumn implements Column<string> {
  constructor(
    private readonly dictionary: readonly string[],
    private readonly codes: Uint32Array,
  ) {}

  at(i: number): string {
    return this.dictionary[this.codes[i]!]!;
  }
}

/** A column of text values: dictionary-coded when values repeat (a treatment, a plate), else packed. */
function textColumn(values: readonly string[]): Column<string> {
  const distinct = new Map<string, number>();
  for (const v of values) {
    if (!distinct.has(v)) distinct.set(v, distinct.size);
    if (distinct.size > values.length / 4) return new PackedStrings(values);
  }
  const codes = new Uint32Array(values.length);
  values.forEach((v, i) => {
    codes[i] = distinct.get(v)!;
  });
  return new DictionaryColumn([...distinct.keys()], codes);
}

/** Metadata rows kept as columns of text; a row is rebuilt with the columns in order. */
class ColumnarRows implements Column<Metadata> {
  constructor(
    private readonly columns: readonly string[],
    private readonly values: readonly Column<string>[],
  ) {}

  at(i: number): Metadata {
    const row: Metadata = {};
    this.columns.forEach((c, j) => {
      row[c] = this.values[j]!.at(i);
    });
    return row;
  }
}

/**
 * The rows as columns when every row has the same columns in the same order and text values (a
 * metadata CSV), so that a rebuilt row equals the original; else the rows themselves.
 */
function metadataRows(rows: readonly Metadata[]): Column<Metadata> {
  const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const same = rows.every((row) => {
    let j = 0;
    for (const key in row) if (key !== columns[j++] || typeof row[key] !== 'string') return false;
    return j === columns.length;
  });
  if (!same) return { at: (i) => rows[i]! };
  return new ColumnarRows(
    columns,
    columns.map((c) => textColumn(rows.map((row) => row[c] as string))),
  );
}

/** Metadata rows joined with a folder's files: ids and paths packed, the rows as columns. */
class JoinedSource implements Source {
  readonly length: number;
  private readonly ids: PackedStrings;
  private readonly paths: PackedStrings;
  private readonly rows: Column<Metadata>;

  constructor(samples: readonly JoinedSample[]) {
    this.length = samples.length;
    this.ids = new PackedStrings(samples.map((s) => s.id));
    this.paths = new PackedStrings(samples.map((s) => s.path));
    this.rows = metadataRows(samples.map((s) => s.metadata));
  }

  id(i: number): string {
    return this.ids.at(i);
  }
  path(i: number): string {
    return this.paths.at(i);
  }
  cloud(): undefined {
    return undefined;
  }
  row(i: number): Metadata {
    return this.rows.at(i);
  }
}

function itemSource(items: readonly Item[]): Source {
  return {
    length: items.length,
    id: (i) => items[i]!.id,
    path: (i) => items[i]!.path,
    cloud: (i) => items[i]!.cloud,
    row: (i) => items[i]!.metadata,
  };
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
  private readonly source: Source;
  /** The source index of each cloud, or null when every source item was kept. */
  private readonly kept: Uint32Array | null;
  private readonly settings: Settings;
  private readonly cache = new Map<number, PointCloud>();
  private cachedBytes = 0;
  private idList: readonly string[] | undefined;

  private constructor(
    source: Source,
    kept: Uint32Array | null,
    settings: Settings,
    skipped: DatasetWarning[],
  ) {
    this.source = source;
    this.kept = kept;
    this.settings = settings;
    this.skipped = skipped;
    this.numPoints = settings.numPoints;
  }

  /** Number of clouds. */
  get length(): number {
    return this.kept?.length ?? this.source.length;
  }

  private sourceIndex(index: number): number {
    return this.kept === null ? index : this.kept[index]!;
  }

  /** The ids of all clouds, in dataset order (made on first use, then kept). */
  get ids(): readonly string[] {
    this.idList ??= Object.freeze(Array.from({ length: this.length }, (_, i) => this.id(i)));
    return this.idList;
  }

  /** Copies of the metadata of all clouds, in dataset order. */
  get metadata(): Metadata[] {
    return Array.from({ length: this.length }, (_, i) => ({
      ...this.source.row(this.sourceIndex(i)),
    }));
  }

  /** The id of cloud `index`. */
  id(index: number): string {
    return this.source.id(this.sourceIndex(index));
  }

  /** The file of cloud `index`, or undefined for a cloud given in memory or an index out of range. */
  filePath(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    return this.source.path(this.sourceIndex(index));
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
    const exclude = options.exclude ?? [];
    if (!Array.isArray(exclude) || exclude.some((p) => typeof p !== 'string'))
      throw invalidArgument(fn, 'options.exclude', 'an array of file paths', exclude);
    const files = await listSampleFiles(dir, { extensions: ['.ply'], caller: fn });
    let source = folderSource(files);
    let skipped: DatasetWarning[] = [];
    if (options.metadata !== undefined) {
      const idColumn = options.idColumn ?? DEFAULT_POINT_CLOUD_DATASET_OPTIONS.idColumn;
      const join = await joinMetadata(files, { metadata: options.metadata, idColumn, caller: fn });
      source = new JoinedSource(join.samples);
      skipped = join.warnings;
    }
    return PointCloudDataset.build(
      fn,
      source,
      settings,
      skipped,
      `the folder ${JSON.stringify(dir)}`,
      new Set(exclude),
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
    return PointCloudDataset.build(fn, itemSource(items), settings, [], 'the file list');
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
    return PointCloudDataset.build(fn, itemSource(items), settings, [], 'the given clouds');
  }

  /**
   * The dataset of `source`'s items, with `validate` each file read once and the unusable ones
   * left out (reported in `skipped`, and to `onWarning`); `exclude`d files are left out unread.
   */
  private static async build(
    fn: string,
    source: Source,
    settings: Settings,
    skipped: DatasetWarning[],
    description: string,
    exclude: ReadonlySet<string> = new Set(),
  ): Promise<PointCloudDataset> {
    const kept: number[] = [];
    for (let i = 0; i < source.length; i++) {
      const path = source.path(i);
      if (path !== undefined && exclude.has(path)) continue;
      if (!settings.validate && path !== undefined) {
        kept.push(i);
        continue;
      }
      const item: Item = { id: source.id(i), metadata: NO_METADATA };
      if (path !== undefined) item.path = path;
      try {
        const problem = cloudProblem(source.cloud(i) ?? (await readItemFile(item, settings, fn)));
        if (problem === undefined) kept.push(i);
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
        `${fn}: ${description} holds no usable point cloud; ${skipped.length} skipped${first}`,
        { fn },
      );
    }
    const all = kept.length === source.length;
    return new PointCloudDataset(source, all ? null : Uint32Array.from(kept), settings, skipped);
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
    const at = this.sourceIndex(index);
    const item: Item = { id: this.source.id(at), metadata: NO_METADATA };
    const path = this.source.path(at);
    if (path !== undefined) item.path = path;
    const fn = 'PointCloudDataset.get';
    const raw = this.source.cloud(at) ?? (await readItemFile(item, this.settings, fn));
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
    if (!Number.isInteger(index) || index < 0 || index >= this.length)
      throw invalidArgument(fn, 'index', `an integer in [0, ${this.length - 1}]`, index);
    const epoch = checkInteger(fn, 'options.epoch', options.epoch ?? 0, { min: 0 });
    const cloud = await this.normalised(index);
    const n = this.settings.numPoints;
    // A copy either way: the cached cloud and the caller's arrays must stay untouched.
    const points =
      n !== null && cloud.shape[0] !== n
        ? resamplePointCloud(cloud, n, { seed: mixSeed(this.settings.seed, index, epoch) }).data
        : cloud.data.slice();
    return {
      id: this.id(index),
      index,
      points,
      numPoints: points.length / 3,
      metadata: { ...this.source.row(this.sourceIndex(index)) },
    };
  }

  /**
   * Streams the dataset as batches, in core's `epochOrder` of `(seed, epoch)`. Only one batch of
   * clouds is read into memory at a time; each batch's `input` tensor belongs to the consumer
   * (the training loop disposes it).
   */
  batches(options: BatchOptions = {}): AsyncGenerator<PointCloudBatch> {
    return this.pass('PointCloudDataset.batches', 0, options);
  }

  /**
   * The batches of {@link PointCloudDataset.batches} from position `from` of the pass's order
   * on (a multiple of `batchSize`; the engine's `Dataset.batchesFrom`): the clouds before it
   * are never read, so a chunk in the middle of 65,000 clouds costs only its own.
   */
  batchesFrom(from: number, options: BatchOptions = {}): AsyncGenerator<PointCloudBatch> {
    return this.pass('PointCloudDataset.batchesFrom', from, options);
  }

  private async *pass(
    fn: string,
    from: number,
    options: BatchOptions,
  ): AsyncGenerator<PointCloudBatch> {
    const o = withDefaults(fn, { ...DEFAULT_BATCH_OPTIONS, seed: this.settings.seed }, options);
    const batchSize = checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
    const epoch = checkInteger(fn, 'options.epoch', o.epoch, { min: 0 });
    const seed = checkNumber(fn, 'options.seed', o.seed);
    checkInteger(fn, 'from', from, { min: 0 });
    if (from % batchSize !== 0)
      throw invalidArgument(fn, 'from', `a multiple of the batch size ${batchSize}`, from);
    const n = this.length;
    const order = epochOrder(n, { shuffle: o.shuffle, seed, epoch });
    const end = o.dropLast ? n - (n % batchSize) : n;
    for (let start = from; start < end; start += batchSize) {
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
    // Synchronous on purpose: a cloud is tens of kB, and `fs/promises`' readFile leaves some
    // 40 MB of freed read buffers resident (RssAnon) after tens of thousands of files, against
    // none for readFileSync (docs/scale.md).
    bytes = readFileSync(path);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new FileSystemError(`${fn}: could not read ${JSON.stringify(path)} (${why})`, {
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
