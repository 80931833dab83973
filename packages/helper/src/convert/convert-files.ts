/**
 * The conversion stage of a folder conversion: converts an explicit list of its files, each
 * atomically and idempotently, so that any process — `convertDirectory` on one machine, or a
 * queue worker given one chunk of the list — can run it, and running it twice changes nothing.
 */
import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument, reportProgress, writeFileAtomic } from '@cellshape/core';
import type { ConvertFileResult, ConvertPlan } from './convert-directory.js';
import { type ConvertTask, type FileOutcome, finishedOutcome, recordPath } from './convert-file.js';
import { type ConvertDirectoryOptions, resolveConvertOptions } from './convert-options.js';
import { runTasks } from './worker-pool.js';

/** The failure record of an input: `<out>/records/<relative path>.failed.json`. */
export function failureRecordPath(output: string, relative: string): string {
  return recordPath(output, relative).replace(/\.json$/, '.failed.json');
}

/** What a failure record holds: why the input with this fingerprint failed. */
interface FailureRecord {
  version: 1;
  fingerprint: string;
  error: string;
}

/**
 * The fingerprint of an input under some settings: its outputs are reused only while the
 * settings, the input's size and its modification time are all unchanged.
 */
export function inputFingerprint(settingsKey: string, inputPath: string): string {
  // A file that cannot be stat-ed (a link to itself, removed since it was listed) gets no
  // fingerprint of its own: its conversion then fails and is reported, the batch goes on.
  let stat: Stats | undefined;
  try {
    stat = statSync(inputPath, { throwIfNoEntry: false });
  } catch {
    stat = undefined;
  }
  return stat === undefined
    ? `${settingsKey}|unreadable`
    : `${settingsKey}|${stat.size}|${stat.mtimeMs}`;
}

/** Why an earlier run failed this input with the same fingerprint, if it did. */
export function recordedFailure(output: string, relative: string, fingerprint: string) {
  const path = failureRecordPath(output, relative);
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as FailureRecord;
    return record.version === 1 && record.fingerprint === fingerprint ? record.error : undefined;
  } catch {
    return undefined;
  }
}

/** `3h05m`, `4m12s`, `9s`: a duration for a progress line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600)
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Converts `files` (paths relative to `plan.inputRoot`, each one of `plan.files`) into
 * `plan.outputRoot` — the stage `convertDirectory` runs between `planConversion` and
 * `writeConvertManifest`. Each file's meshes and point clouds are written atomically and its
 * record last, so a run killed at any moment leaves only finished files and temporary names;
 * a file whose record matches (same settings, same input size and time) is skipped unless
 * `overwrite`. A file that fails gets a failure record with the reason
 * (`records/<relative path>.failed.json`), which the manifest stage reports; it is tried again
 * by the next run. Results come back in the order of `files`.
 *
 * @throws InvalidArgumentError for invalid options or a file that is not in the plan.
 */
export async function convertFiles(
  plan: ConvertPlan,
  files: readonly string[],
  options: ConvertDirectoryOptions = {},
): Promise<ConvertFileResult[]> {
  const fn = 'convertFiles';
  const { settings, settingsKey, workers, overwrite, onProgress } = resolveConvertOptions(
    fn,
    options,
  );
  const known = new Set(plan.files);
  const unknown = files.find((rel) => !known.has(rel));
  if (unknown !== undefined)
    throw invalidArgument(fn, 'files', `files of the plan (${plan.inputRoot})`, unknown);
  const results: ConvertFileResult[] = new Array(files.length);
  const pending: ConvertTask[] = [];
  const pendingIndex: number[] = [];
  const progress = convertProgress(files, onProgress);
  const finish = (index: number, outcome: FileOutcome, converted: boolean): void => {
    results[index] = fileResult(plan, files[index]!, outcome);
    progress(index, outcome, converted);
  };
  files.forEach((rel, index) => {
    const clash = plan.clashes[rel];
    if (clash !== undefined) {
      finish(index, clashOutcome(clash), false);
      return;
    }
    const input = join(plan.inputRoot, ...rel.split('/'));
    const fingerprint = inputFingerprint(settingsKey, input);
    const task: ConvertTask = {
      input,
      relative: rel,
      output: plan.outputRoot,
      settings,
      fingerprint,
    };
    const finished = overwrite ? undefined : finishedOutcome(task);
    if (finished) finish(index, finished, false);
    else {
      pending.push(task);
      pendingIndex.push(index);
    }
  });
  progress.startWork(pending.length);
  await runTasks(pending, workers, async (i, outcome) => {
    await recordOutcome(pending[i]!, outcome);
    finish(pendingIndex[i]!, outcome, true);
  });
  return results;
}

/** The failure of an input whose outputs would overwrite those of `owner`. */
export function clashOutcome(owner: string): FileOutcome {
  return {
    status: 'failed',
    outputs: [],
    rows: [],
    error: `its outputs would overwrite those of ${owner} (same folder and name)`,
  };
}

/** Keeps a failure's reason on disk (for the manifest stage), or drops an outdated one. */
async function recordOutcome(task: ConvertTask, outcome: FileOutcome): Promise<void> {
  const path = failureRecordPath(task.output, task.relative);
  if (outcome.status === 'failed') {
    // The same failure again leaves the record as it is (a re-run rewrites nothing).
    if (recordedFailure(task.output, task.relative, task.fingerprint) === outcome.error) return;
    const record: FailureRecord = {
      version: 1,
      fingerprint: task.fingerprint,
      error: outcome.error ?? 'unknown error',
    };
    await writeFileAtomic(path, `${JSON.stringify(record)}\n`);
  } else await rm(path, { force: true });
}

/** The per-file report of an outcome (its manifest rows are not kept: they are on disk). */
function fileResult(plan: ConvertPlan, rel: string, outcome: FileOutcome): ConvertFileResult {
  const entry: ConvertFileResult = {
    input: join(plan.inputRoot, ...rel.split('/')),
    status: outcome.status,
    outputs: outcome.outputs,
    objects: outcome.rows.length,
  };
  if (outcome.error !== undefined) entry.error = outcome.error;
  return entry;
}

type ConvertProgress = ((index: number, outcome: FileOutcome, converted: boolean) => void) & {
  startWork(files: number): void;
};

/**
 * Progress per finished file with throughput and ETA. The rate is measured only on the files
 * converted in this run (files already finished are skipped in an instant and would make the
 * estimate far too hopeful).
 */
function convertProgress(
  files: readonly string[],
  onProgress: ConvertDirectoryOptions['onProgress'],
): ConvertProgress {
  let done = 0;
  let objects = 0;
  let convertedObjects = 0;
  let work = 0;
  let workDone = 0;
  let started = 0;
  const report = (index: number, outcome: FileOutcome, converted: boolean): void => {
    done++;
    objects += outcome.rows.length;
    const metrics: Record<string, number> = { objects };
    let rate = '';
    if (converted) {
      workDone++;
      convertedObjects += outcome.rows.length;
      const elapsed = (performance.now() - started) / 1000;
      const eta = (elapsed / workDone) * (work - workDone);
      metrics.objectsPerSecond = elapsed > 0 ? convertedObjects / elapsed : 0;
      metrics.etaSeconds = eta;
      rate = ` · ${objects} objects, ${metrics.objectsPerSecond.toFixed(1)}/s, ETA ${formatDuration(eta)}`;
    }
    reportProgress(onProgress, {
      phase: 'convert',
      done,
      total: files.length,
      message: `${files[index]}: ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}${rate}`,
      metrics,
    });
  };
  return Object.assign(report, {
    startWork(count: number): void {
      work = count;
      started = performance.now();
    },
  });
}
