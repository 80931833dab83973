import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  type DatasetWarning,
  epochOrder,
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  invalidArgument,
  isCellshapeError,
  joinMetadata,
  listSampleFiles,
  type Metadata,
  mixSeed,
  type SampleFiles,
  withDefaults,
} from '@cellshape/core';
import type { Dataset } from '@cellshape/engine';
import { DEFAULT_READ_VOLUME_OPTIONS, readVolume, type Volume } from '@cellshape/helper';
import { type Tensor5D, tensor5d } from '@tensorflow/tfjs-core';
import { augmentVolume, DEFAULT_VOXEL_AUGMENTATION, type VoxelAugmentation } from './augment.js';
import { CUBE_FITS, type CubeFit, fitToCube } from './fit-to-cube.js';
import { MASK_OBJECT_MODES, type MaskObjectMode, maskObjects } from './mask-objects.js';
import { makeIsotropic } from './resample.js';

/**
 * Voxel datasets for training and feature extraction: 3-D mask TIFFs in a folder (searched
 * recursively; read lazily, so data larger than memory trains), one object per file or label
 * images split into objects, each binarised and centred in a fixed cube; optionally joined with
 * a CSV of metadata by id, as the point-cloud datasets are.
 *
 * ```ts
 * const dataset = await VoxelDataset.fromFolder('masks/', { cubeSize: 64, metadata: 'cells.csv' });
 * for await (const batch of dataset.batches({ batchSize: 8, shuffle: true, seed: 1, epoch: 0 })) {
 *   batch.input; // tf.Tensor5D [B, 64, 64, 64, 1] of 0/1 float32; dispose it when done
 * }
 * ```
 *
 * Each object goes through: read (helper's `readVolume`, bounded by `maxVoxels`) → objects
 * (`maskObjects`: the file, its labels or its connected components, binarised) → cubic voxels
 * (`makeIsotropic`, when the spacing is anisotropic) → the cube (`fitToCube`: centre of mass
 * at the centre, zero padding, too-large objects resampled, cropped or refused) → on shuffled
 * passes only, the seeded augmentation of the epoch (`augmentVolume`), so feature extraction
 * (an unshuffled pass) always sees each object as it is.
 */

/** Options shared by every way of building a {@link VoxelDataset}. */
export interface VoxelDatasetOptions {
  /** Edge of the cube in voxels (the model's input is `[B, s, s, s, 1]`). Integer in [4, 1024], default 64. */
  cubeSize?: number;
  /** Objects larger than the cube: `'resample'` (default), `'crop'` or `'error'` (see `CubeFit`). */
  fit?: CubeFit;
  /** One object per file (`'file'`, default), per label (`'labels'`) or per connected component (`'components'`). */
  objects?: MaskObjectMode;
  /** Cut-off for non-binary masks (voxels above it are foreground); default null: masks must be binary. */
  threshold?: number | null;
  /** Objects with fewer voxels are skipped. Default 0. */
  minSize?: number;
  /**
   * Voxel size (z, y, x) used to make voxels cubic: `'file'` (default) each file's own spacing
   * when it states one, else cubic; a triple for every file; `'ignore'` to take voxels as cubic.
   */
  spacing?: 'file' | 'ignore' | readonly [number, number, number];
  /** Seeded augmentations of shuffled passes (training). Default none. */
  augment?: VoxelAugmentation;
  /** Seed of the augmentations (and the default seed of `batches`). Default 0. */
  seed?: number;
  /** Prepared cubes kept in memory, least recently used dropped. Default 256. */
  cacheSize?: number;
  /**
   * The most voxels a TIFF may declare (helper's `readVolume`). Default 2³¹, and while it is
   * unset 1-bit pages may expand to at most 64 MiB + 1032 bytes per byte of the file (the
   * decompression-bomb guard); setting it replaces that bound with yours.
   */
  maxVoxels?: number;
  /**
   * Prepare every object once when the dataset is built, so unreadable, empty or non-binary
   * masks are skipped (and reported) up front. Default true (always the case for `'labels'`
   * and `'components'`, which must read a file to know its objects).
   */
  validate?: boolean;
  /** Called for every file, object or metadata row skipped (core's `DatasetWarning`). */
  onWarning?: (warning: DatasetWarning) => void;
}

/** Options of {@link VoxelDataset.fromFolder}. */
export interface VoxelFolderOptions extends VoxelDatasetOptions {
  /**
   * Metadata table (CSV path or rows), joined by id with core's `joinMetadata`: an id names a
   * file by its relative path without extension (or its unique name); with `'labels'` or
   * `'components'`, an object as `<file id>_<label>`. Rows without an object and objects
   * without a row are skipped and reported.
   */
  metadata?: string | Record<string, string>[];
  /** The metadata column holding the id. Default `'serialNumber'`. */
  idColumn?: string;
}

/** Options of {@link VoxelDataset.fromVolumes}. */
export interface VoxelVolumesOptions extends Omit<VoxelDatasetOptions, 'maxVoxels'> {
  /** Ids of the volumes (objects get `<id>_<label>` when split). Default `'0'`, `'1'`, …. */
  ids?: string[];
  /** Metadata per volume. Default `{}`. */
  metadata?: Metadata[];
}

/** Defaults of {@link VoxelDatasetOptions} and {@link VoxelFolderOptions}. */
export const DEFAULT_VOXEL_DATASET_OPTIONS = {
  cubeSize: 64,
  fit: 'resample',
  objects: 'file',
  threshold: null,
  minSize: 0,
  spacing: 'file',
  augment: DEFAULT_VOXEL_AUGMENTATION,
  seed: 0,
  cacheSize: 256,
  maxVoxels: DEFAULT_READ_VOLUME_OPTIONS.maxVoxels,
  validate: true,
  idColumn: 'serialNumber',
} as const;

/** Extensions of mask files. */
export const VOXEL_FILE_EXTENSIONS = ['.tif', '.tiff', '.npy'] as const;

/** A batch of cubes (the engine's `DatasetBatch`); the consumer disposes `input`. */
export interface VoxelBatch {
  ids: string[];
  indices: number[];
  /** `[B, s, s, s, 1]` float32, 1 inside the object, 0 outside. */
  input: Tensor5D;
  metadata: Metadata[];
}

/** Options of {@link VoxelDataset.batches}: the engine's `DatasetBatchOptions`, each optional. */
export interface VoxelBatchOptions {
  /** Cubes per batch. Default 8. */
  batchSize?: number;
  /** Shuffle the order (and augment, when the dataset has augmentations). Default false. */
  shuffle?: boolean;
  /** Seed of the order and augmentations. Default: the dataset's seed. */
  seed?: number;
  /** Epoch: changes the order and augmentations. Default 0. */
  epoch?: number;
  /** Leave out the last, smaller batch. Default false. */
  dropLast?: boolean;
}

/** Defaults of {@link VoxelBatchOptions}. */
export const DEFAULT_VOXEL_BATCH_OPTIONS = {
  batchSize: 8,
  shuffle: false,
  epoch: 0,
  dropLast: false,
} as const;

interface Settings {
  cubeSize: number;
  fit: CubeFit;
  objects: MaskObjectMode;
  threshold: number | null;
  minSize: number;
  spacing: 'file' | 'ignore' | readonly [number, number, number];
  augment: { rotate: boolean; flip: boolean };
  seed: number;
  cacheSize: number;
  /** Unset: `readVolume`'s default, with its bound on expanding 1-bit pages. */
  maxVoxels: number | undefined;
  validate: boolean;
  onWarning: ((warning: DatasetWarning) => void) | undefined;
}

function settingsOf(fn: string, options: VoxelDatasetOptions): Settings {
  const o = withDefaults(
    fn,
    DEFAULT_VOXEL_DATASET_OPTIONS,
    options as typeof DEFAULT_VOXEL_DATASET_OPTIONS,
  );
  const spacing = o.spacing as Settings['spacing'];
  if (
    spacing !== 'file' &&
    spacing !== 'ignore' &&
    !(
      Array.isArray(spacing) &&
      spacing.length === 3 &&
      spacing.every((s) => Number.isFinite(s) && s > 0)
    )
  )
    throw invalidArgument(
      fn,
      'options.spacing',
      "'file', 'ignore' or three positive numbers (z, y, x)",
      spacing,
    );
  const threshold = o.threshold as number | null;
  if (threshold !== null) checkNumber(fn, 'options.threshold', threshold);
  const augment = { ...DEFAULT_VOXEL_AUGMENTATION, ...(o.augment as VoxelAugmentation) };
  checkBoolean(fn, 'options.augment.rotate', augment.rotate);
  checkBoolean(fn, 'options.augment.flip', augment.flip);
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function')
    throw invalidArgument(fn, 'options.onWarning', 'a function', options.onWarning);
  return {
    cubeSize: checkInteger(fn, 'options.cubeSize', o.cubeSize, { min: 4, max: 1024 }),
    fit: checkOneOf(fn, 'options.fit', o.fit, CUBE_FITS),
    objects: checkOneOf(fn, 'options.objects', o.objects, MASK_OBJECT_MODES),
    threshold,
    minSize: checkNumber(fn, 'options.minSize', o.minSize, { min: 0 }),
    spacing,
    augment,
    seed: checkNumber(fn, 'options.seed', o.seed),
    cacheSize: checkInteger(fn, 'options.cacheSize', o.cacheSize, { min: 0 }),
    maxVoxels:
      options.maxVoxels === undefined
        ? undefined
        : checkInteger(fn, 'options.maxVoxels', options.maxVoxels, {
            min: 1,
            max: Number.MAX_SAFE_INTEGER,
          }),
    validate: checkBoolean(fn, 'options.validate', o.validate),
    onWarning: options.onWarning,
  };
}

/** Where a sample's voxels come from: a file or a volume in memory, and which object of it. */
interface Source {
  id: string;
  path?: string;
  volume?: Volume;
  metadata: Metadata;
}

interface Item extends Source {
  /** The object's label in its source; undefined: the whole source (mode `'file'`). */
  label?: number;
}

/** A problem with one sample that skips it (and is reported), not the whole dataset. */
function isSampleProblem(error: unknown): error is Error {
  if (!isCellshapeError(error)) return false;
  if (error.code !== 'INVALID_ARGUMENT') return error.code !== 'INCOMPATIBLE';
  return ['volume', 'volume.data', 'mask'].includes(error.arg ?? '');
}

function warning(item: Source, reason: string): DatasetWarning {
  return item.path === undefined
    ? { id: item.id, reason }
    : { id: item.id, path: item.path, reason };
}

/** The objects of one source, each as a cube-ready mask with cubic voxels. */
function sourceObjects(
  fn: string,
  source: Source,
  settings: Settings,
): { label: number; mask: Volume<Uint8Array> }[] {
  const volume = source.volume ?? readSourceFile(fn, source.path!, settings);
  const objects = maskObjects(volume, {
    objects: settings.objects,
    threshold: settings.threshold,
    minSize: settings.minSize,
  });
  const spacing =
    settings.spacing === 'file'
      ? volume.spacing
      : settings.spacing === 'ignore'
        ? undefined
        : settings.spacing;
  const anisotropic =
    spacing !== undefined && !(spacing[0] === spacing[1] && spacing[1] === spacing[2]);
  return objects.map(({ label, mask }) => ({
    label,
    mask: anisotropic ? makeIsotropic(mask, spacing) : mask,
  }));
}

function readSourceFile(fn: string, path: string, settings: Settings): Volume {
  try {
    return readVolume(path, { maxVoxels: settings.maxVoxels });
  } catch (error) {
    if (isCellshapeError(error) && error.code !== 'INVALID_ARGUMENT') throw error;
    throw new FileSystemError(`${fn}: could not read ${JSON.stringify(path)}`, {
      fn,
      arg: path,
      cause: error,
    });
  }
}

/** The cube of one object mask; `fit: 'error'` refusals name the file and the option. */
function cubeOf(fn: string, item: Item, mask: Volume, settings: Settings): Uint8Array {
  try {
    return fitToCube(mask, { size: settings.cubeSize, fit: settings.fit }).cube.data;
  } catch (error) {
    if (isCellshapeError(error, 'INVALID_ARGUMENT') && error.arg === 'options.size')
      throw new InvalidArgumentError(
        `${fn}: ${item.path ?? item.id}: ${error.message.replace(/^fitToCube: /, '')} (options.cubeSize, options.fit)`,
        { fn, arg: 'options.cubeSize', cause: error },
      );
    throw error;
  }
}

/**
 * A dataset of voxel cubes (the engine's `Dataset`). Build it with {@link VoxelDataset.fromFolder}
 * or {@link VoxelDataset.fromVolumes}.
 */
export class VoxelDataset implements Dataset<VoxelBatch> {
  /** Files, objects and metadata rows left out when the dataset was built, with the reason. */
  readonly skipped: DatasetWarning[];
  /** Edge of the cubes in voxels. */
  readonly cubeSize: number;
  private readonly items: Item[];
  private readonly settings: Settings;
  private readonly cache = new Map<number, Uint8Array>();
  /** The objects of the source read last (label images hold many objects: read them once). */
  private lastSource: { source: Source; objects: Map<number, Volume<Uint8Array>> } | undefined;

  private constructor(items: Item[], settings: Settings, skipped: DatasetWarning[]) {
    this.items = items;
    this.settings = settings;
    this.skipped = skipped;
    this.cubeSize = settings.cubeSize;
  }

  /** Number of objects. */
  get length(): number {
    return this.items.length;
  }

  /** Object ids, in dataset order. */
  get ids(): string[] {
    return this.items.map((item) => item.id);
  }

  /** Copies of the metadata, in dataset order. */
  get metadata(): Metadata[] {
    return this.items.map((item) => ({ ...item.metadata }));
  }

  /** The file an object comes from (undefined for volumes given in memory). */
  pathOf(index: number): string | undefined {
    return this.items[index]?.path;
  }

  /**
   * Every mask file (`.tif`, `.tiff`, `.npy`) under `dir`, recursively, sorted by path; ids are
   * relative paths without extension (`<id>_<label>` for split objects), or the metadata ids.
   *
   * @throws FileSystemError when `dir` does not exist; InvalidArgumentError naming `dir` when it
   *   holds no mask file or no usable object, or naming an option.
   */
  static async fromFolder(dir: string, options: VoxelFolderOptions = {}): Promise<VoxelDataset> {
    const fn = 'VoxelDataset.fromFolder';
    if (typeof dir !== 'string' || dir.length === 0)
      throw invalidArgument(fn, 'dir', 'a folder path', dir);
    const { metadata, idColumn, ...rest } = options;
    const settings = settingsOf(fn, rest);
    const files = await listSampleFiles(dir, { extensions: VOXEL_FILE_EXTENSIONS, caller: fn });
    const sources: Source[] = files.files.map(({ id, path }) => ({ id, path, metadata: {} }));
    const expanded = expand(fn, sources, settings);
    let { items } = expanded;
    const skipped = expanded.skipped;
    if (metadata !== undefined) {
      const join = await joinMetadata(itemFiles(files, items, settings.objects), {
        metadata,
        idColumn: idColumn ?? DEFAULT_VOXEL_DATASET_OPTIONS.idColumn,
        caller: fn,
      });
      const byKey = new Map(items.map((item) => [itemKey(item), item]));
      items = join.samples.map((s) => ({ ...byKey.get(s.path)!, id: s.id, metadata: s.metadata }));
      skipped.push(
        ...join.warnings.map((w) => (w.path ? { ...w, path: w.path.split('#')[0]! } : w)),
      );
    }
    return VoxelDataset.build(fn, items, settings, skipped, `the folder ${JSON.stringify(dir)}`);
  }

  /**
   * Volumes already in memory (e.g. helper's synthetic shapes), each a mask file's content. The
   * volumes are not copied and never modified.
   */
  static async fromVolumes(
    volumes: Volume[],
    options: VoxelVolumesOptions = {},
  ): Promise<VoxelDataset> {
    const fn = 'VoxelDataset.fromVolumes';
    if (!Array.isArray(volumes) || volumes.length === 0)
      throw invalidArgument(fn, 'volumes', 'a non-empty array of volumes', volumes);
    const { ids, metadata, ...rest } = options;
    const settings = settingsOf(fn, rest);
    if (ids !== undefined && (!Array.isArray(ids) || ids.length !== volumes.length))
      throw invalidArgument(fn, 'options.ids', `an array of ${volumes.length} ids`, ids);
    if (metadata !== undefined && (!Array.isArray(metadata) || metadata.length !== volumes.length))
      throw invalidArgument(fn, 'options.metadata', `an array of ${volumes.length} rows`, metadata);
    const sources = volumes.map((volume, i) => ({
      id: ids?.[i] ?? String(i),
      volume,
      metadata: { ...(metadata?.[i] ?? {}) },
    }));
    const { items, skipped } = expand(fn, sources, settings);
    return VoxelDataset.build(fn, items, settings, skipped, 'the given volumes');
  }

  private static build(
    fn: string,
    items: Item[],
    settings: Settings,
    skipped: DatasetWarning[],
    where: string,
  ): VoxelDataset {
    const dataset = new VoxelDataset([], settings, skipped);
    for (const item of items) {
      if (!settings.validate && settings.objects === 'file' && item.path !== undefined) {
        dataset.items.push(item);
        continue;
      }
      try {
        const cube = cubeOf(fn, item, dataset.objectMask(fn, item), settings);
        dataset.items.push(item);
        dataset.remember(dataset.items.length - 1, cube);
      } catch (error) {
        if (!isSampleProblem(error)) throw error;
        skipped.push(warning(item, error.message));
      }
    }
    dataset.lastSource = undefined;
    for (const w of skipped) settings.onWarning?.(w);
    if (dataset.items.length === 0) {
      const first = skipped[0] ? ` (first: ${skipped[0].reason})` : '';
      throw new InvalidArgumentError(
        `${fn}: ${where} holds no usable mask; ${skipped.length} skipped${first}`,
        {
          fn,
          arg: 'dir',
        },
      );
    }
    return dataset;
  }

  /** The object mask of item `index` (cubic voxels, cropped to its box), via the last source read. */
  private objectMask(fn: string, item: Item): Volume<Uint8Array> {
    const last = this.lastSource;
    const same =
      last !== undefined &&
      (item.path !== undefined
        ? last.source.path === item.path
        : last.source.volume === item.volume);
    if (!same) {
      const objects = sourceObjects(fn, item, this.settings);
      this.lastSource = { source: item, objects: new Map(objects.map((o) => [o.label, o.mask])) };
    }
    const objects = this.lastSource!.objects;
    const mask = objects.get(item.label ?? 0);
    if (mask === undefined)
      throw new FormatError(
        `${fn}: ${item.path ?? item.id} has no object ${item.label ?? ''} (file changed?)`,
        {
          fn,
          arg: item.path ?? item.id,
        },
      );
    return mask;
  }

  /** The prepared (unaugmented) cube of item `index`, through the LRU cache. */
  private prepare(fn: string, index: number): Uint8Array {
    const cached = this.cache.get(index);
    if (cached) {
      this.cache.delete(index);
      this.cache.set(index, cached);
      return cached;
    }
    const item = this.items[index]!;
    const cube = cubeOf(fn, item, this.objectMask(fn, item), this.settings);
    this.remember(index, cube);
    return cube;
  }

  /** Keeps a prepared cube in the LRU cache (dropping the least recently used one when full). */
  private remember(index: number, cube: Uint8Array): void {
    if (this.settings.cacheSize === 0) return;
    this.cache.set(index, cube);
    if (this.cache.size > this.settings.cacheSize)
      this.cache.delete(this.cache.keys().next().value as number);
  }

  /**
   * The cube of object `index` as a `Volume<Uint8Array>` of shape `[s, s, s]` (0/1, a copy),
   * augmented with the seed `mixSeed(seed, index, epoch)` when `augment` is true and the
   * dataset has augmentations.
   */
  cube(
    index: number,
    options: { epoch?: number; augment?: boolean; seed?: number } = {},
  ): Volume<Uint8Array> {
    const fn = 'VoxelDataset.cube';
    checkInteger(fn, 'index', index, { min: 0, max: this.items.length - 1 });
    const epoch = checkInteger(fn, 'options.epoch', options.epoch ?? 0, { min: 0 });
    const s = this.settings.cubeSize;
    const volume: Volume<Uint8Array> = { data: this.prepare(fn, index).slice(), shape: [s, s, s] };
    const { rotate, flip } = this.settings.augment;
    if (!options.augment || !(rotate || flip)) return volume;
    return augmentVolume(
      volume,
      this.settings.augment,
      mixSeed(options.seed ?? this.settings.seed, index, epoch),
    );
  }

  /**
   * The dataset as batches in core's `epochOrder` of `(seed, epoch)`; only one batch of cubes
   * is built at a time. Shuffled passes are augmented (when the dataset has augmentations).
   */
  async *batches(options: VoxelBatchOptions = {}): AsyncGenerator<VoxelBatch> {
    const fn = 'VoxelDataset.batches';
    const o = withDefaults(
      fn,
      { ...DEFAULT_VOXEL_BATCH_OPTIONS, seed: this.settings.seed },
      options,
    );
    const batchSize = checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
    const epoch = checkInteger(fn, 'options.epoch', o.epoch, { min: 0 });
    const seed = checkNumber(fn, 'options.seed', o.seed);
    const n = this.items.length;
    const order = epochOrder(n, { shuffle: o.shuffle, seed, epoch });
    const end = o.dropLast ? n - (n % batchSize) : n;
    const s = this.settings.cubeSize;
    const voxels = s * s * s;
    for (let start = 0; start < end; start += batchSize) {
      const indices = Array.from(order.subarray(start, Math.min(start + batchSize, end)));
      const data = new Float32Array(indices.length * voxels);
      indices.forEach((index, b) => {
        data.set(this.cube(index, { epoch, augment: o.shuffle, seed }).data, b * voxels);
      });
      yield {
        ids: indices.map((i) => this.items[i]!.id),
        indices,
        input: tensor5d(data, [indices.length, s, s, s, 1]),
        metadata: indices.map((i) => ({ ...this.items[i]!.metadata })),
      };
    }
  }
}

/** The key of an item in {@link itemFiles}: its path, with `#<label>` for split objects. */
function itemKey(item: Item): string {
  return item.label === undefined ? item.path! : `${item.path!}#${item.label}`;
}

/**
 * The sources split into items: one per source (`'file'`), or one per object (`'labels'`,
 * `'components'`, which read every source now). Unusable sources are skipped with a warning.
 */
function expand(
  fn: string,
  sources: Source[],
  settings: Settings,
): { items: Item[]; skipped: DatasetWarning[] } {
  if (settings.objects === 'file') return { items: sources.map((s) => ({ ...s })), skipped: [] };
  const items: Item[] = [];
  const skipped: DatasetWarning[] = [];
  for (const source of sources) {
    try {
      const objects = sourceObjects(fn, source, settings);
      if (objects.length === 0)
        skipped.push(warning(source, 'holds no object (empty, or all below minSize)'));
      for (const { label } of objects)
        items.push({ ...source, id: `${source.id}_${label}`, label });
    } catch (error) {
      if (!isSampleProblem(error)) throw error;
      skipped.push(warning(source, error.message));
    }
  }
  return { items, skipped };
}

/**
 * The folder's files as core's `SampleFiles` of the items, so `joinMetadata` matches ids by
 * its one rule: per file (`'file'`), or per object id `<file id>_<label>` with the item key as path.
 */
function itemFiles(files: SampleFiles, items: Item[], mode: MaskObjectMode): SampleFiles {
  if (mode === 'file') return files;
  // Objects of files that differ only in extension (`a.tif`, `a.npy`) share ids: the id names
  // both (the last one took the row).
  const byId = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  for (const item of items) {
    byId.set(item.id, [...(byId.get(item.id) ?? []), itemKey(item)]);
    const name = item.id.slice(item.id.lastIndexOf('/') + 1);
    byName.set(name, [...(byName.get(name) ?? []), itemKey(item)]);
  }
  const candidates = (id: string) => {
    const key = files.normaliseId(id);
    return byId.get(key) ?? byName.get(key) ?? [];
  };
  return {
    dir: files.dir,
    extensions: files.extensions,
    count: items.length,
    idAt: (i) => items[i]!.id,
    pathAt: (i) => itemKey(items[i]!),
    files: items.map((item) => ({ id: item.id, path: itemKey(item) })),
    normaliseId: files.normaliseId,
    candidates,
    pathOf: (id) => {
      const found = candidates(id);
      return found.length === 1 ? found[0] : undefined;
    },
  };
}
