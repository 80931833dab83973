import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type ProgressCallback } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import type { ModelPlugin, RunDataset } from './model-plugin.js';
import { type RunPaths, runPaths } from './run-directory.js';
import type { ResolvedTrainRunOptions, RunStage, TrainRunOptions } from './train-run-options.js';

/** What every stage of a run shares: the options, the family, the paths, the data, the reporters. */
export interface RunContext {
  /** The public function running, for messages. */
  readonly fn: string;
  readonly plugin: ModelPlugin<object>;
  readonly options: ResolvedTrainRunOptions;
  readonly paths: RunPaths;
  /** Absolute input folder and metadata CSV. */
  readonly input: string;
  readonly metadata: string | null;
  readonly dataset: RunDataset;
  /** The tfjs backend in use. */
  readonly backend: string;
  /** `performance.now()` at the start of the run. */
  readonly started: number;
  /** The progress callback of a stage. */
  progress(stage: RunStage): ProgressCallback;
  /** Tells the user something worth knowing. */
  note(text: string): void;
}

/**
 * Checks the run directory (an existing run needs `resume` or `overwrite`), selects the
 * backend and opens the input folder as the family's dataset.
 *
 * @throws InvalidArgumentError for a directory that holds a run, or fewer than 2 usable cells.
 */
export async function openRun(
  fn: string,
  input: string,
  runDir: string,
  plugin: ModelPlugin<object>,
  options: ResolvedTrainRunOptions,
  hooks: Pick<NonNullable<TrainRunOptions['runtime']>, 'onProgress' | 'onNote'>,
): Promise<RunContext> {
  const started = performance.now();
  const paths = runPaths(runDir);
  const { resume, overwrite, seed } = options.runtime;
  const hasRun = [paths.pretrainLast, paths.idecLast, paths.clusters].some((p) => existsSync(p));
  if (hasRun && !resume && !overwrite)
    throw new InvalidArgumentError(
      `${fn}: ${paths.root} already holds a training run; resume it or overwrite it`,
      { fn, arg: 'runDir' },
    );
  const backend = await selectBackend(options.runtime.backend ?? undefined);
  const folder = resolve(input);
  const metadata = options.data.metadata === null ? null : resolve(options.data.metadata);
  const dataset = await plugin.openDataset(folder, {
    ...(metadata ? { metadata } : {}),
    idColumn: options.data.idColumn,
    seed,
    settings: options.model.settings,
  });
  if (dataset.length < 2)
    throw new InvalidArgumentError(
      `${fn}: ${folder} holds ${dataset.length} usable cell(s); training needs at least 2`,
      { fn, arg: 'input' },
    );
  const note = (text: string) => hooks.onNote?.(text);
  if (dataset.skipped.length > 0)
    note(`${dataset.skipped.length} file(s) or metadata row(s) left out (see summary.json)`);
  return {
    fn,
    plugin,
    options,
    paths,
    input: folder,
    metadata,
    dataset,
    backend,
    started,
    progress: (stage) => (event) => hooks.onProgress?.(stage, event),
    note,
  };
}

/** Seconds since `start` (a `performance.now()` time), to the millisecond. */
export function since(start: number): number {
  return Math.round(performance.now() - start) / 1000;
}
