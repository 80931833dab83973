import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative as relativePath, resolve, sep } from 'node:path';
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  FileSystemError,
  invalidArgument,
  type ProgressCallback,
  reportProgress,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import type { MeshFormat } from '../mesh/index.js';
import {
  type ConvertSettings,
  type ConvertTask,
  type FileOutcome,
  finishedOutcome,
  type ManifestRow,
  type ObjectMode,
} from './convert-file.js';
import { encodeManifest } from './manifest.js';
import { runTasks } from './worker-pool.js';

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
  /** Called once per finished file (converted, skipped or failed), phase `'convert'`. */
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

/** The report on one input file. */
export interface ConvertFileResult {
  /** Absolute path of the input file. */
  input: string;
  status: 'converted' | 'skipped' | 'failed';
  /** Absolute paths of its mesh and point-cloud files (empty when failed). */
  outputs: string[];
  /** Objects converted. */
  objects: number;
  /** Why the file failed: corrupt file, empty mask, not 3-D, no objects left, ... */
  error?: string;
}

/** The result of {@link convertDirectory}. */
export interface ConvertResult {
  /** One entry per input file, in sorted path order. */
  files: ConvertFileResult[];
  converted: number;
  skipped: number;
  failed: number;
  /** Absolute path of the manifest CSV. */
  manifest: string;
}

const MESH_FORMATS: readonly MeshFormat[] = ['off', 'ply', 'obj', 'stl'];
const OBJECT_MODES: readonly ObjectMode[] = ['auto', 'components', 'labels', 'whole'];
const INPUT = /\.(tiff?|npy)$/i;

function resolveOptions(options: ConvertDirectoryOptions): {
  settings: ConvertSettings;
  workers: number;
  overwrite: boolean;
  onProgress: ProgressCallback | undefined;
} {
  const fn = 'convertDirectory';
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
  return { settings, workers, overwrite: o.overwrite, onProgress: o.onProgress };
}

/**
 * Input files under `root`, recursively, sorted by relative path (code-unit order, the same on
 * every platform): `.tif`, `.tiff` and `.npy` in any case. Hidden entries and `skip` (the
 * output folder, when inside the input) are left out; symbolic links are followed.
 */
function listInputs(root: string, skip: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir).sort();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (path === skip) continue;
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isFile() && INPUT.test(name)) found.push(path);
    }
  };
  walk(root);
  return found.map((p) => relativePath(root, p).split(sep).join('/')).sort();
}

/** Inputs whose outputs would share names (`a.tif` and `a.npy` in one folder) → the first one. */
function nameClashes(relatives: readonly string[]): Map<string, string> {
  const owners = new Map<string, string>();
  const clashes = new Map<string, string>();
  for (const rel of relatives) {
    const key = rel.replace(INPUT, '').toLowerCase();
    const owner = owners.get(key);
    if (owner === undefined) owners.set(key, rel);
    else clashes.set(rel, owner);
  }
  return clashes;
}

/**
 * Converts a folder tree of 3-D masks or label images (`.tif`, `.tiff`, `.npy`) — or one such
 * file — into one mesh and one point cloud per object, in parallel worker threads, resumably.
 *
 * Output layout under `output` (mirroring the input tree; `<stem>` is the file name without
 * its extension, `<label>` the object's label value or component number, left out with
 * `objects: 'whole'`):
 *
 * * `meshes/<relative dir>/<stem>_<label>.off` (or `meshFormat`) — x, y, z in physical units
 *   in the frame of the input volume;
 * * `points/<relative dir>/<stem>_<label>.ply` — `numPoints` surface points, binary
 *   little-endian float x, y, z as the Python cellshape tools write them;
 * * `records/<relative path>.json` — written last for each file: it marks the file finished
 *   (with a fingerprint of the settings and of the input's size and time) and holds its
 *   manifest rows;
 * * `manifest.csv` — one row per object of every converted or skipped file: `id, source,
 *   label, voxel_count, centroid_z, centroid_y, centroid_x, vertices, faces, area, mesh, points`.
 *
 * Every file is written atomically (temporary file + rename), so an interrupted run leaves no
 * half-written output and a re-run converts exactly the unfinished files (`overwrite: false`).
 * A corrupt, empty, 2-D or otherwise unusable file is reported as `failed` with a reason and
 * the batch goes on. Outputs are byte-identical whatever the number of workers.
 *
 * ```ts
 * const result = await convertDirectory('masks/', 'out/', { numPoints: 2048, workers: 2 });
 * result.files.filter((f) => f.status === 'failed'); // [{ input, error: 'empty mask: ...' }]
 * ```
 *
 * @throws InvalidArgumentError for invalid options; FileSystemError when `input` is neither a
 *   readable folder nor a mask file, or the manifest cannot be written.
 */
export async function convertDirectory(
  input: string,
  output: string,
  options: ConvertDirectoryOptions = {},
): Promise<ConvertResult> {
  const fn = 'convertDirectory';
  if (typeof input !== 'string' || input.length === 0)
    throw invalidArgument(fn, 'input', 'a folder path', input);
  if (typeof output !== 'string' || output.length === 0)
    throw invalidArgument(fn, 'output', 'a folder path', output);
  const { settings, workers, overwrite, onProgress } = resolveOptions(options);
  const { inputRoot, outputRoot, relatives } = resolveInputs(fn, input, output);
  const clashes = nameClashes(relatives);
  const settingsKey = JSON.stringify(settings);
  const outcomes: (FileOutcome | undefined)[] = relatives.map(() => undefined);
  const pending: ConvertTask[] = [];
  const pendingIndex: number[] = [];
  let done = 0;
  const finish = (index: number, outcome: FileOutcome): void => {
    outcomes[index] = outcome;
    done++;
    reportProgress(onProgress, {
      phase: 'convert',
      done,
      total: relatives.length,
      message: `${relatives[index]}: ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}`,
    });
  };

  relatives.forEach((rel, index) => {
    const clash = clashes.get(rel);
    if (clash !== undefined) {
      finish(index, {
        status: 'failed',
        outputs: [],
        rows: [],
        error: `its outputs would overwrite those of ${clash} (same folder and name)`,
      });
      return;
    }
    const path = join(inputRoot, ...rel.split('/'));
    const stat = statSync(path);
    const fingerprint = `${settingsKey}|${stat.size}|${stat.mtimeMs}`;
    const task: ConvertTask = {
      input: path,
      relative: rel,
      output: outputRoot,
      settings,
      fingerprint,
    };
    const finished = overwrite ? undefined : finishedOutcome(task);
    if (finished) finish(index, finished);
    else {
      pending.push(task);
      pendingIndex.push(index);
    }
  });

  await runTasks(pending, workers, (i, outcome) => finish(pendingIndex[i]!, outcome));

  const files = fileResults(inputRoot, relatives, outcomes);
  const rows: ManifestRow[] = outcomes.flatMap((o) => o?.rows ?? []);
  const manifest = join(outputRoot, 'manifest.csv');
  await writeFileAtomic(manifest, encodeManifest(rows));
  const count = (status: ConvertFileResult['status']): number =>
    files.filter((f) => f.status === status).length;
  return {
    files,
    converted: count('converted'),
    skipped: count('skipped'),
    failed: count('failed'),
    manifest,
  };
}

/**
 * The input folder, output folder and input files (relative to the input folder) of a
 * conversion; a single mask file is the only input of its folder (outputs named alike).
 */
function resolveInputs(
  fn: string,
  input: string,
  output: string,
): { inputRoot: string; outputRoot: string; relatives: string[] } {
  const inputPath = resolve(input);
  const outputRoot = resolve(output);
  const inputStat = statSync(inputPath, { throwIfNoEntry: false });
  const single = inputStat?.isFile() === true && INPUT.test(inputPath);
  if (!inputStat?.isDirectory() && !single) {
    throw new FileSystemError(
      `${fn}: input ${JSON.stringify(input)} is neither a folder nor a .tif, .tiff or .npy file`,
      { fn, arg: input },
    );
  }
  const inputRoot = single ? dirname(inputPath) : inputPath;
  if (outputRoot === inputPath)
    throw invalidArgument(fn, 'output', 'a folder other than the input', output);
  const relatives = single ? [basename(inputPath)] : listInputs(inputRoot, outputRoot);
  return { inputRoot, outputRoot, relatives };
}

/** One result per input file, in input order, from the outcomes of the conversion. */
function fileResults(
  inputRoot: string,
  relatives: readonly string[],
  outcomes: readonly (FileOutcome | undefined)[],
): ConvertFileResult[] {
  return relatives.map((rel, i) => {
    const outcome = outcomes[i]!;
    const entry: ConvertFileResult = {
      input: join(inputRoot, ...rel.split('/')),
      status: outcome.status,
      outputs: outcome.outputs,
      objects: outcome.rows.length,
    };
    if (outcome.error !== undefined) entry.error = outcome.error;
    return entry;
  });
}
