/**
 * The last stage of a folder conversion: the manifest of every object and the list of failed
 * files, streamed from the per-file records to disk (one record in memory at a time), and the
 * sweep of temporary files an interrupted run left behind.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileSystemError, formatCsv } from '@cellshape/core';
import type { ConvertPlan } from './convert-directory.js';
import { finishedOutcome } from './convert-file.js';
import { inputFingerprint, recordedFailure } from './convert-files.js';
import { type ConvertDirectoryOptions, resolveConvertOptions } from './convert-options.js';
import { encodeManifest } from './manifest.js';

/** Columns of `failures.csv`, in order: the input (relative to the input root) and why. */
export const FAILURE_COLUMNS = ['source', 'error'] as const;

/** What {@link writeConvertManifest} wrote. */
export interface ConvertManifestResult {
  /** Absolute path of `manifest.csv`. */
  manifest: string;
  /** Absolute path of `failures.csv`. */
  failures: string;
  /** Objects listed in the manifest. */
  objects: number;
  /** Files with finished outputs. */
  finished: number;
  /** Files listed in `failures.csv` (failed, or not converted yet). */
  failed: number;
  /**
   * Input files (relative) measured without a voxel size (neither `spacing` nor the file's own
   * calibration; `spacing_from` `none`): their lengths are in voxels.
   */
  filesWithoutSpacing: string[];
}

/** A text file written in pieces to a temporary name and renamed into place when complete. */
class AtomicTextFile {
  private readonly tmp: string;
  private buffer: string[] = [];
  private size = 0;
  private constructor(
    readonly path: string,
    private readonly handle: import('node:fs/promises').FileHandle,
    tmp: string,
  ) {
    this.tmp = tmp;
  }

  static async create(path: string): Promise<AtomicTextFile> {
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    await mkdir(dirname(path), { recursive: true });
    return new AtomicTextFile(path, await open(tmp, 'w'), tmp);
  }

  /** Appends `text`; bytes reach the disk in pieces of about 1 MB. */
  async write(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.handle.close();
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    await this.handle.write(this.buffer.join(''));
    this.buffer = [];
    this.size = 0;
  }
}

/** A line of CSV text without its header line. */
const bodyOf = (csv: string): string => csv.slice(csv.indexOf('\n') + 1);

/**
 * Writes `manifest.csv` (one row per object of every finished file, in the plan's file order:
 * the columns of `encodeManifest`) and `failures.csv` (`source, error` for every file of the
 * plan without finished outputs: why it failed, or that it was not converted yet) into
 * `plan.outputRoot`, both atomically — the stage `convertDirectory` runs last. Reads each
 * file's record in turn, so memory does not grow with the number of objects; the result is
 * the same whichever process or machine converted which file. `options` must be the
 * conversion's (the records of other settings do not count).
 *
 * @throws FileSystemError when a file cannot be written.
 */
export async function writeConvertManifest(
  plan: ConvertPlan,
  options: ConvertDirectoryOptions = {},
): Promise<ConvertManifestResult> {
  const fn = 'writeConvertManifest';
  const { settings, settingsKey } = resolveConvertOptions(fn, options);
  const result: ConvertManifestResult = {
    manifest: join(plan.outputRoot, 'manifest.csv'),
    failures: join(plan.outputRoot, 'failures.csv'),
    objects: 0,
    finished: 0,
    failed: 0,
    filesWithoutSpacing: [],
  };
  let manifest: AtomicTextFile | undefined;
  let failures: AtomicTextFile | undefined;
  try {
    manifest = await AtomicTextFile.create(result.manifest);
    failures = await AtomicTextFile.create(result.failures);
    await manifest.write(encodeManifest([]));
    await failures.write(formatCsv(FAILURE_COLUMNS, []));
    for (const rel of plan.files) {
      const rows = await fileRows(plan, rel, settings, settingsKey);
      if (typeof rows === 'string') {
        result.failed++;
        await failures.write(bodyOf(formatCsv(FAILURE_COLUMNS, [[rel, rows]])));
      } else {
        result.finished++;
        result.objects += rows.length;
        if (rows.some((r) => r.spacingFrom === 'none')) result.filesWithoutSpacing.push(rel);
        if (rows.length > 0) await manifest.write(bodyOf(encodeManifest(rows)));
      }
    }
    await manifest.commit();
    await failures.commit();
  } catch (error) {
    await manifest?.abort();
    await failures?.abort();
    throw new FileSystemError(`${fn}: could not write the manifest in ${plan.outputRoot}`, {
      fn,
      arg: plan.outputRoot,
      cause: error,
    });
  }
  return result;
}

/** The manifest rows of a finished file, or why it has none. */
async function fileRows(
  plan: ConvertPlan,
  rel: string,
  settings: ReturnType<typeof resolveConvertOptions>['settings'],
  settingsKey: string,
) {
  const clash = plan.clashes[rel];
  if (clash !== undefined)
    return `its outputs would overwrite those of ${clash} (same folder and name)`;
  const input = join(plan.inputRoot, ...rel.split('/'));
  if (!existsSync(input)) return 'input file gone since the conversion was planned';
  const fingerprint = inputFingerprint(settingsKey, input);
  const task = { input, relative: rel, output: plan.outputRoot, settings, fingerprint };
  const finished = finishedOutcome(task);
  if (finished) return finished.rows;
  return (
    recordedFailure(plan.outputRoot, rel, fingerprint) ??
    'not converted: the run stopped before this file finished (run the conversion again)'
  );
}

/** `.<name>.<hex>.tmp`: the temporary files of `writeFileAtomic`. */
const TEMPORARY = /^\..+\.[0-9a-f]+\.tmp$/;

/**
 * Removes the temporary files an interrupted conversion left in `outputRoot` (`meshes/`,
 * `points/`, `records/` and the root itself) and returns how many. Call it only while no
 * conversion writes into the folder: it would remove their files in flight.
 */
export async function removeTemporaryFiles(outputRoot: string): Promise<number> {
  let removed = 0;
  const sweep = async (dir: string, recurse: boolean): Promise<void> => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recurse) await sweep(path, true);
      } else if (TEMPORARY.test(entry.name)) {
        await rm(path, { force: true });
        removed++;
      }
    }
  };
  await sweep(outputRoot, false);
  for (const sub of ['meshes', 'points', 'records']) await sweep(join(outputRoot, sub), true);
  return removed;
}
