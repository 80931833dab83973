import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { hardLabels, softAssignment } from '@cellshape/cluster';
import {
  cellTableCsv,
  checkInteger,
  checkOneOf,
  checkString,
  FileSystemError,
  IncompatibleError,
  type ProgressCallback,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import { type BackendName, encodeDataset, loadCheckpoint, selectBackend } from '@cellshape/engine';
import { readClusteredModel } from './clustered-checkpoint.js';
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
function checkpointPath(paths: RunPaths, option: string): string {
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
async function loadRunModel(runDir: string, config: RunConfig, path: string) {
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

/**
 * Encodes the cells of a folder with the final clustered model of a run directory (IDEC's, or an
 * encoder-only family's k-means model) and writes one CSV row per cell: `id, <metadata>,
 * cluster, q0 … q(K−1), f0 … f(F−1)` (hard label, soft labels = the 3DQMS vector, features).
 * The model family comes from the checkpoint (else the run), and opens the folder as it did for
 * training.
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
  checkString(FN, 'output', output);
  const o = withDefaults(FN, DEFAULT_EXTRACT_RUN_OPTIONS, options);
  checkInteger(FN, 'options.batchSize', o.batchSize, { min: 1 });
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
    });
    const extracted = await encodeDataset(model, dataset, {
      batchSize: o.batchSize,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const features = {
      data: extracted.features,
      shape: [dataset.length, extracted.numFeatures] as [number, number],
    };
    const q = softAssignment(features, clustered.centres, { alpha: clustered.alpha });
    const out = resolve(output);
    let table = cellTableCsv({
      ids: [...dataset.ids],
      metadata: [...dataset.metadata],
      labels: { column: 'cluster', values: hardLabels(q) },
      q,
      features,
    });
    let classical = 0;
    if (o.featuresWith === 'classical') {
      const extra = await classicalColumnsCsv(input, dataset, plugin);
      table = appendColumns(table, extra.lines);
      classical = extra.columns;
    }
    await writeFileAtomic(out, table);
    const clusters = clustered.centres.shape[0];
    return {
      output: out,
      cells: dataset.length,
      clusters,
      features: extracted.numFeatures,
      checkpoint: path,
      classical,
    };
  } finally {
    model.dispose();
  }
}
