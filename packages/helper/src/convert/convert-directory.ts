import { readdirSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, relative as relativePath, resolve, sep } from 'node:path';
import { FileSystemError, invalidArgument } from '@cellshape/core';
import { convertFiles } from './convert-files.js';
import { removeTemporaryFiles, writeConvertManifest } from './convert-manifest.js';
import { type ConvertDirectoryOptions, resolveConvertOptions } from './convert-options.js';

export {
  type ConvertDirectoryOptions,
  DEFAULT_CONVERT_DIRECTORY_OPTIONS,
} from './convert-options.js';

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
  /** Absolute path of `failures.csv`: `source, error` for every file that failed. */
  failures: string;
  /** Objects in the manifest. */
  objects: number;
  /** Input files (relative) measured without a voxel size: their lengths are in voxels. */
  filesWithoutSpacing: string[];
}

/**
 * What a conversion will do, as plain JSON (it can travel to other processes): the input and
 * output folders and every input file, from {@link planConversion}.
 */
export interface ConvertPlan {
  /** Absolute input folder (the folder of the file, for a single file). */
  inputRoot: string;
  /** Absolute output folder. */
  outputRoot: string;
  /** Input files relative to `inputRoot`, `/`-separated, sorted (code-unit order). */
  files: string[];
  /** Files whose outputs would overwrite those of an earlier file → that file (they fail). */
  clashes: Record<string, string>;
}

const INPUT = /\.(tiff?|npy)$/i;

/**
 * Input files under `root`, recursively, sorted by relative path (code-unit order, the same on
 * every platform): `.tif`, `.tiff` and `.npy` in any case. Hidden entries and `skip` (the
 * output folder, when inside the input) are left out; symbolic links are followed, each folder
 * walked once (a link to a parent folder looped until ELOOP ended the whole batch). An input
 * whose link cannot be followed (a link to itself) is listed, so that its conversion fails and
 * is reported like any bad file.
 */
function listInputs(root: string, skip: string): string[] {
  const found: string[] = [];
  const walked = new Set<string>();
  const walk = (dir: string): void => {
    const id = folderId(dir);
    if (walked.has(id)) return;
    walked.add(id);
    const names = readdirSync(dir).sort();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (path === skip) continue;
      let stat: Stats | undefined;
      try {
        stat = statSync(path, { throwIfNoEntry: false });
      } catch {
        if (INPUT.test(name)) found.push(path);
        continue;
      }
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isFile() && INPUT.test(name)) found.push(path);
    }
  };
  walk(root);
  return found.map((p) => relativePath(root, p).split(sep).join('/')).sort();
}

/** A folder's identity (device and inode), the same through every link to it. */
function folderId(dir: string): string {
  const { dev, ino } = statSync(dir);
  return `${dev}:${ino}`;
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
 * * `records/<relative path>.failed.json` — why the file failed (it is tried again next run);
 * * `manifest.csv` — one row per object of every converted or skipped file: `id, source,
 *   label, voxel_count`, the centroid, mesh size and area, the voxel size used and where it came
 *   from, the classical shape measures (`MANIFEST_COLUMNS` lists them all), `mesh, points`;
 * * `failures.csv` — `source, error`: every file without finished outputs and why.
 *
 * It runs three stages, each usable alone (e.g. by queue workers sharing the output folder):
 * {@link planConversion} lists the files, `convertFiles` converts a list of them,
 * `writeConvertManifest` streams the manifest from the records. Memory is bounded by the
 * workers' files in flight plus one small report per file: manifest rows go to disk, never
 * all at once into memory (measurements: docs/scale.md).
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
  resolveConvertOptions('convertDirectory', options);
  const plan = planConversion(input, output);
  await removeTemporaryFiles(plan.outputRoot);
  const files = await convertFiles(plan, plan.files, options);
  const written = await writeConvertManifest(plan, options);
  const count = (status: ConvertFileResult['status']): number =>
    files.filter((f) => f.status === status).length;
  return {
    files,
    converted: count('converted'),
    skipped: count('skipped'),
    failed: count('failed'),
    manifest: written.manifest,
    failures: written.failures,
    objects: written.objects,
    filesWithoutSpacing: written.filesWithoutSpacing,
  };
}

/**
 * The first stage of a folder conversion (see {@link convertDirectory}): finds the input files
 * under `input` (or takes the one file `input` names) and the output folder. Its
 * {@link ConvertPlan} is what `convertFiles` and `writeConvertManifest` work from — one
 * process or many (split `plan.files` into chunks; the files of a chunk are independent).
 *
 * @throws InvalidArgumentError for an empty path or an output folder equal to the input;
 *   FileSystemError when `input` is neither a readable folder nor a mask file.
 */
export function planConversion(input: string, output: string): ConvertPlan {
  const fn = 'convertDirectory';
  if (typeof input !== 'string' || input.length === 0)
    throw invalidArgument(fn, 'input', 'a folder path', input);
  if (typeof output !== 'string' || output.length === 0)
    throw invalidArgument(fn, 'output', 'a folder path', output);
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
  const files = single ? [basename(inputPath)] : listInputs(inputRoot, outputRoot);
  return { inputRoot, outputRoot, files, clashes: Object.fromEntries(nameClashes(files)) };
}
