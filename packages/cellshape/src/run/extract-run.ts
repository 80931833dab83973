import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  checkInteger,
  checkOneOf,
  checkString,
  FileSystemError,
  IncompatibleError,
  type Metadata,
  type ProgressCallback,
  reportProgress,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import { type BackendName, loadCheckpoint, selectBackend } from '@cellshape/engine';
import { formatDuration } from '@cellshape/helper';
import { readClusteredModel } from './clustered-checkpoint.js';
import { ExtractJob, type ExtractJobKey, fileSha256 } from './extract-job.js';
import { classicalColumnsCsv } from './feature-sets.js';
import type { ModelPlugin } from './model-plugin.js';
import { modelPlugin } from './model-registry.js';
import { type RunConfig, type RunPaths, readJson, runPaths } from './run-directory.js';

/**
 * `name: checkpoint value ≠ run value` for each architecture setting (named as the family's
 * settings) on which the checkpoint's model and the run's settings disagree.
 */
function architectureMismatch(
  architecture: Record<string, unknown>,
  settings: Record<string, unknown>,
): string[] {
  return Object.entries(architecture)
    .filter(([key, value]) => settings[key] !== undefined && settings[key] !== value)
    .map(
      ([key, value]) =>
        `${key}: ${String(value)} in the checkpoint, ${String(settings[key])} in the run`,
    );
}

/** The family's settings of a run: `options.model.settings`, or (format 1) its flat options. */
function runSettings(config: RunConfig, plugin: ModelPlugin<object>): Record<string, unknown> {
  const options = config.options as Record<string, unknown> & { model?: { settings?: unknown } };
  if (config.formatVersion !== 1 && typeof options.model?.settings === 'object')
    return options.model.settings as Record<string, unknown>;
  const known = Object.keys(plugin.defaults);
  return Object.fromEntries(Object.entries(options).filter(([key]) => known.includes(key)));
}

/** The run's final clustered model: `idec/last.ckpt` (IDEC), else `clusters.ckpt` (k-means). */
function lastCheckpoint(paths: RunPaths): string {
  return existsSync(paths.idecLast) || !existsSync(paths.clusters)
    ? paths.idecLast
    : paths.clusters;
}

/** Options of {@link extractRun}. */
export interface ExtractRunOptions {
  /** Folder of inputs to encode (point clouds for `cloud`). Default: the run's training folder (`config.json`). */
  input?: string;
  /**
   * Metadata CSV for `input`. Default: the run's metadata when `input` is the training
   * folder, else none.
   */
  metadata?: string;
  /**
   * Checkpoint to use: `'last'` (the final clustered model: IDEC's, or `clusters.ckpt` of an
   * encoder-only family), `'best'` (lowest IDEC loss) or a path. Default `'last'`.
   */
  checkpoint?: string;
  /** Samples per forward pass. Default 16. */
  batchSize?: number;
  /**
   * Cells per part file (rounded up to a multiple of `batchSize`): the unit of resumption,
   * and of work for queue workers. Memory holds one chunk's features. Default 1024.
   */
  chunkSize?: number;
  /** tfjs backend; default: the fastest available. */
  backend?: BackendName;
  /**
   * Extra columns beside the learned features: `'classical'` appends the classical shape
   * measures as `classical_<measure>` columns (sizes on a log scale, each z-scored over the
   * cells; see `featureSets`), from the `manifest.csv` of `cellshape convert` next to the input,
   * else the convex hull of each cell's points. Default `'none'`.
   */
  featuresWith?: 'none' | 'classical';
  /** Progress per batch. */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ExtractRunOptions}. */
export const DEFAULT_EXTRACT_RUN_OPTIONS = {
  checkpoint: 'last',
  batchSize: 16,
  chunkSize: 1024,
  featuresWith: 'none',
} as const;

/** What {@link extractRun} returns. */
export interface ExtractRunResult {
  /** The CSV written. */
  output: string;
  /** Cells written. */
  cells: number;
  /** Clusters K. */
  clusters: number;
  /** Features F. */
  features: number;
  /** The checkpoint used. */
  checkpoint: string;
  /** Chunks found already extracted by an earlier, interrupted run (resumed). */
  resumedChunks: number;
  /** Seconds spent encoding in this call, and cells encoded per second. */
  seconds: number;
  cellsPerSecond: number;
  /** Classical columns written (0 without `featuresWith: 'classical'`). */
  classical: number;
}

const FN = 'extractRun';

/** CSV text with `extra[i]` appended to line i (header first), each after a comma. */
function appendColumns(csv: string, extra: readonly string[]): string {
  const lines = csv.replace(/\n$/, '').split('\n');
  return `${lines.map((line, i) => `${line},${extra[i]!}`).join('\n')}\n`;
}

/** The checkpoint `options.checkpoint` names, which must exist. */
export function checkpointPath(paths: RunPaths, option: string): string {
  const path =
    option === 'last'
      ? lastCheckpoint(paths)
      : option === 'best'
        ? paths.idecBest
        : resolve(option);
  if (!existsSync(path))
    throw new FileSystemError(`${FN}: no checkpoint at ${path}; train the run first`, {
      fn: FN,
      arg: 'checkpoint',
    });
  return path;
}

/** The run's family, its settings and the checkpoint's model, checked against each other. */
/** The final model of a run, read from the checkpoint `path` (its family, settings and architecture checked). */
export async function loadRunModel(runDir: string, config: RunConfig, path: string) {
  const checkpoint = await loadCheckpoint(path);
  const clustered = readClusteredModel(FN, path, checkpoint);
  const plugin = modelPlugin(checkpoint.family ?? config.model);
  const settings = plugin.resolveSettings(runSettings(config, plugin));
  const mismatch = architectureMismatch(
    plugin.architecture(clustered.modelConfig),
    settings as Record<string, unknown>,
  );
  if (mismatch.length > 0)
    throw new IncompatibleError(
      `${FN}: ${path} is a model of another architecture than run ${runDir} (${mismatch.join(', ')}); pass a checkpoint of this run`,
      { fn: FN, arg: 'checkpoint' },
    );
  const model = plugin.modelFromConfig(clustered.modelConfig);
  try {
    model.loadStateDict(clustered.modelState);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { plugin, settings, model, clustered };
}

/** SHA-256 of the ids joined by newlines, hashed one id at a time (no string of all of them). */
function idsSha256(ids: readonly string[]): string {
  const hash = createHash('sha256');
  ids.forEach((id, i) => {
    hash.update(i === 0 ? id : `\n${id}`);
  });
  return hash.digest('hex');
}

/** SHA-256 of the metadata rows (as JSON), one row at a time. */
function metadataSha256(metadata: readonly Metadata[]): string {
  const hash = createHash('sha256');
  for (const row of metadata) hash.update(`${JSON.stringify(row)}\n`);
  return hash.digest('hex');
}

/** An {@link ExtractJob} opened on a run, and how to release its model. */
export interface OpenedExtractJob {
  job: ExtractJob;
  /** The checkpoint used. */
  checkpoint: string;
  /** Clusters K. */
  clusters: number;
  /**
   * The input files the dataset left out (unreadable, corrupt, without a metadata row), by
   * path: what a queue worker opening the same job passes as `validated`, so that it leaves
   * them out without reading every file itself.
   */
  unusable: string[];
  /** Frees the model's tensors. */
  dispose(): void;
  /** With `featuresWith: 'classical'`: the classical columns, a CSV line per row (header first). */
  classical?: () => Promise<{ columns: number; lines: string[] }>;
}

/**
 * Appends the classical columns to the assembled output (`featuresWith: 'classical'`); the
 * number of columns added (0 without). Rewrites the table atomically, in memory: the classical
 * set is for tables a person analyses, not for paper-size extractions.
 */
export async function appendClassicalColumns(opened: OpenedExtractJob): Promise<number> {
  if (opened.classical === undefined) return 0;
  const { columns, lines } = await opened.classical();
  const table = await readFile(opened.job.output, 'utf8');
  await writeFileAtomic(opened.job.output, appendColumns(table, lines));
  return columns;
}

/**
 * Opens the extraction of a run as chunks (see {@link ExtractJob}): loads the run's clustered
 * model and opens the input folder as the model family does. `extractRun` runs every chunk
 * and assembles them; a queue worker opens the same job (same options: the job key checks
 * checkpoint bytes, input, ids, batch and chunk sizes) and runs the chunks it is given —
 * with `validated`, the client's {@link OpenedExtractJob.unusable}, so that it does not read
 * every file to validate the folder again.
 *
 * @throws as {@link extractRun}.
 */
export async function openExtractJob(
  runDir: string,
  output: string,
  options: ExtractRunOptions = {},
  { validated }: { validated?: readonly string[] } = {},
): Promise<OpenedExtractJob> {
  checkString(FN, 'output', output);
  const o = withDefaults(FN, DEFAULT_EXTRACT_RUN_OPTIONS, options);
  checkInteger(FN, 'options.batchSize', o.batchSize, { min: 1 });
  checkInteger(FN, 'options.chunkSize', o.chunkSize, { min: 1 });
  checkOneOf(FN, 'options.featuresWith', o.featuresWith, ['none', 'classical']);
  const paths = runPaths(runDir);
  const config = await readJson<RunConfig>(FN, paths.config);
  const path = checkpointPath(paths, o.checkpoint);
  await selectBackend(o.backend);
  const { plugin, settings, model, clustered } = await loadRunModel(runDir, config, path);
  try {
    const input = o.input === undefined ? config.inputs.points : resolve(o.input);
    const metadata =
      o.metadata !== undefined
        ? resolve(o.metadata)
        : o.input === undefined
          ? config.inputs.metadata
          : null;
    const dataset = await plugin.openDataset(input, {
      ...(metadata ? { metadata } : {}),
      idColumn: config.inputs.idColumn,
      seed: config.seed,
      settings,
      ...(validated ? { validated } : {}),
    });
    const key: ExtractJobKey = {
      checkpoint: fileSha256(path),
      input,
      ids: idsSha256(dataset.ids),
      metadata: metadataSha256(dataset.metadata),
      batchSize: o.batchSize,
      chunkSize: Math.ceil(o.chunkSize / o.batchSize) * o.batchSize,
    };
    const head = { centres: clustered.centres, alpha: clustered.alpha };
    return {
      job: new ExtractJob(resolve(output), key, model, head, dataset),
      checkpoint: path,
      clusters: clustered.centres.shape[0],
      unusable: dataset.skipped.flatMap((w) => (w.path === undefined ? [] : [w.path])),
      dispose: () => model.dispose(),
      ...(o.featuresWith === 'classical'
        ? { classical: () => classicalColumnsCsv(input, dataset, plugin) }
        : {}),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Encodes the cells of a folder with the final clustered model of a run directory (IDEC's, or an
 * encoder-only family's k-means model) and writes one CSV row per cell: `id, <metadata>,
 * cluster, q0 … q(K−1), f0 … f(F−1)` (hard label, soft labels = the 3DQMS vector, features).
 * The model family comes from the checkpoint (else the run), and opens the folder as it did for
 * training.
 *
 * The cells are encoded in chunks of `chunkSize`, each written to a part file beside the output
 * (`.<name>.parts/`) as soon as it is done, so memory holds one chunk's features and a run
 * killed at any moment resumes where it stopped; the parts are joined in order into `output`
 * at the end (atomically) and removed. Progress reports cells per second and the time left.
 *
 * ```ts
 * await extractRun('runs/exp1', 'runs/exp1/cells.csv', { input: 'new-plate/points' });
 * ```
 *
 * @throws FileSystemError when the run or its checkpoint is missing; IncompatibleError when the
 *   checkpoint is not a clustered model of the run's architecture; UnsupportedError when its
 *   family is not registered.
 */
export async function extractRun(
  runDir: string,
  output: string,
  options: ExtractRunOptions = {},
): Promise<ExtractRunResult> {
  const opened = await openExtractJob(runDir, output, options);
  const { job } = opened;
  try {
    await job.prepare();
    const resumedChunks = job.chunks.filter((c) => job.isDone(c.index)).length;
    const started = performance.now();
    let encoded = 0;
    const todo = job.chunks.filter((c) => !job.isDone(c.index));
    const total = todo.reduce((sum, c) => sum + c.end - c.start, 0);
    for (const chunk of todo) {
      await job.extractChunk(chunk.index, (event) => {
        const done = encoded + event.done;
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? done / seconds : 0;
        const eta = rate > 0 ? (total - done) / rate : 0;
        reportProgress(options.onProgress, {
          phase: 'extract',
          done: job.cells - total + done,
          total: job.cells,
          message: `${job.cells - total + done}/${job.cells} cells · ${rate.toFixed(1)}/s, ETA ${formatDuration(eta)}`,
          metrics: { cellsPerSecond: rate, etaSeconds: eta },
        });
      });
      encoded += chunk.end - chunk.start;
    }
    const seconds = (performance.now() - started) / 1000;
    await job.assemble();
    return {
      output: job.output,
      cells: job.cells,
      clusters: opened.clusters,
      features: job.numFeatures,
      checkpoint: opened.checkpoint,
      resumedChunks,
      seconds,
      cellsPerSecond: seconds > 0 ? encoded / seconds : 0,
      classical: await appendClassicalColumns(opened),
    };
  } finally {
    opened.dispose();
  }
}
