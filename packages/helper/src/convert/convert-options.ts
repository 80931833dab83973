/**
 * The options of a folder conversion, shared by its stages (`planConversion`, `convertFiles`,
 * `writeConvertManifest`) and by `convertDirectory`, which runs them in turn.
 */
import { availableParallelism } from 'node:os';
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  invalidArgument,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import type { MeshFormat } from '../mesh/index.js';
import type { ConvertSettings, ObjectMode } from './convert-file.js';

/** Options of {@link convertDirectory}. */
export interface ConvertDirectoryOptions {
  /** Points sampled on each object's surface. Default 2048. */
  numPoints?: number;
  /**
   * Base seed. Each object's sampling seed is derived from it, the file's relative path and the
   * object's label, so results do not depend on scheduling. Default 0.
   */
  seed?: number;
  /** Voxel size (z, y, x) for every file. Default: the file's own spacing, else [1, 1, 1]. */
  spacing?: readonly [number, number, number];
  /** Drop objects with fewer voxels. Default 0 (keep all). */
  minSize?: number;
  /** Drop objects touching the volume border. Default false. */
  clearBorder?: boolean;
  /** Mesh file format. Default `'off'`. */
  meshFormat?: MeshFormat;
  /** How files are split into objects; see {@link ObjectMode}. Default `'auto'`. */
  objects?: ObjectMode;
  /** Iso-level of marching cubes on each object's 0/1 mask, in (0, 1). Default 0.5. */
  level?: number;
  /** Taubin smoothing passes on each mesh (see `maskToMesh`). Default 0. */
  smoothing?: number;
  /** Worker threads; 0 converts in the calling thread. Default `os.availableParallelism()`. */
  workers?: number;
  /** Convert again files whose outputs are finished. Default false (resume). */
  overwrite?: boolean;
  /**
   * The most voxels one TIFF may declare (`readVolume`'s `maxVoxels`); a larger file fails
   * with its reason and the others are converted. Default: `readVolume`'s (2³¹ voxels, and
   * 1-bit pages at most 64 MiB + 1032 bytes per byte of the file); setting it also lifts that
   * bound, for highly compressed, almost empty masks. Not part of the outputs' fingerprint: a
   * limit does not change what a file converts to.
   */
  maxVoxels?: number;
  /**
   * Called once per finished file (converted, skipped or failed), phase `'convert'`; the
   * message and `metrics` carry the objects done, objects per second and the estimated
   * seconds left (`etaSeconds`, measured on the files converted so far in this run).
   */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ConvertDirectoryOptions} (`workers` defaults to the number of cores). */
export const DEFAULT_CONVERT_DIRECTORY_OPTIONS = {
  numPoints: 2048,
  seed: 0,
  minSize: 0,
  clearBorder: false,
  meshFormat: 'off',
  objects: 'auto',
  level: 0.5,
  smoothing: 0,
  overwrite: false,
} as const satisfies ConvertDirectoryOptions;

const MESH_FORMATS: readonly MeshFormat[] = ['off', 'ply', 'obj', 'stl'];
const OBJECT_MODES: readonly ObjectMode[] = ['auto', 'components', 'labels', 'whole'];

/** Checked options of a conversion: the settings every file is converted with, and how. */
export interface ResolvedConvertOptions {
  settings: ConvertSettings;
  /** `JSON.stringify(settings)`: part of every file's fingerprint. */
  settingsKey: string;
  workers: number;
  overwrite: boolean;
  onProgress: ProgressCallback | undefined;
}

/** Checks `options` and fills in the defaults; `fn` is the public function named in errors. */
export function resolveConvertOptions(
  fn: string,
  options: ConvertDirectoryOptions,
): ResolvedConvertOptions {
  const o = withDefaults(fn, DEFAULT_CONVERT_DIRECTORY_OPTIONS, options);
  checkInteger(fn, 'numPoints', o.numPoints, { min: 1 });
  checkNumber(fn, 'seed', o.seed);
  const spacing = o.spacing === undefined ? null : ([...o.spacing] as [number, number, number]);
  if (
    spacing !== null &&
    (spacing.length !== 3 ||
      !spacing.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0))
  )
    throw invalidArgument(fn, 'spacing', 'three positive finite numbers (z, y, x)', o.spacing);
  if (typeof o.minSize !== 'number' || !Number.isFinite(o.minSize) || o.minSize < 0)
    throw invalidArgument(fn, 'minSize', 'a number ≥ 0 (voxels)', o.minSize);
  checkBoolean(fn, 'clearBorder', o.clearBorder);
  if (!MESH_FORMATS.includes(o.meshFormat))
    throw invalidArgument(fn, 'meshFormat', `one of ${MESH_FORMATS.join(', ')}`, o.meshFormat);
  if (!OBJECT_MODES.includes(o.objects))
    throw invalidArgument(fn, 'objects', `one of ${OBJECT_MODES.join(', ')}`, o.objects);
  if (typeof o.level !== 'number' || !(o.level > 0 && o.level < 1))
    throw invalidArgument(fn, 'level', 'a number strictly between 0 and 1', o.level);
  if (!Number.isInteger(o.smoothing) || o.smoothing < 0 || o.smoothing > 1000)
    throw invalidArgument(fn, 'smoothing', 'an integer in [0, 1000] (passes)', o.smoothing);
  const workers = o.workers ?? availableParallelism();
  checkInteger(fn, 'workers', workers, { min: 0, max: 1024 });
  checkBoolean(fn, 'overwrite', o.overwrite);
  if (o.maxVoxels !== undefined)
    checkInteger(fn, 'maxVoxels', o.maxVoxels, { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    throw invalidArgument(fn, 'onProgress', 'a function', o.onProgress);
  const settings: ConvertSettings = {
    numPoints: o.numPoints,
    seed: o.seed,
    spacing,
    minSize: o.minSize,
    clearBorder: o.clearBorder,
    meshFormat: o.meshFormat,
    objects: o.objects,
    level: o.level,
    smoothing: o.smoothing,
  };
  return {
    settings: o.maxVoxels === undefined ? settings : { ...settings, maxVoxels: o.maxVoxels },
    settingsKey: JSON.stringify(settings),
    workers,
    overwrite: o.overwrite,
    onProgress: o.onProgress,
  };
}
