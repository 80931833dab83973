import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ClusteringLayer,
  DeepEmbeddedClustering,
  hardLabels,
  softAssignment,
} from '@cellshape/cluster';
import {
  cellTableCsv,
  FileSystemError,
  IncompatibleError,
  invalidArgument,
  type ProgressCallback,
  writeFileAtomic,
} from '@cellshape/core';
import { type BackendName, loadCheckpoint, selectBackend } from '@cellshape/engine';
import type { NormalisePreset } from '@cellshape/helper';
import type { ModelKind } from './model-plugin.js';
import { modelPlugin } from './models.js';
import { type RunConfig, readJson, runPaths } from './run-directory.js';

/** The architecture settings a checkpoint's autoencoder config and a run's options share. */
const ARCHITECTURE_KEYS = [
  ['encoderType', 'encoder'],
  ['decoderType', 'decoder'],
  ['numFeatures', 'features'],
  ['k', 'k'],
] as const;

/** `name: checkpoint value ≠ run value` for each architecture setting that differs. */
function architectureMismatch(
  autoencoder: Record<string, unknown>,
  runOptions: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  for (const [checkpointKey, runKey] of ARCHITECTURE_KEYS) {
    const [a, b] = [autoencoder[checkpointKey], runOptions[runKey]];
    if (a !== undefined && b !== undefined && a !== b)
      out.push(`${runKey}: ${String(a)} in the checkpoint, ${String(b)} in the run`);
  }
  return out;
}

/** Options of {@link extractRun}. */
export interface ExtractRunOptions {
  /** Point clouds to encode. Default: the run's training folder (`config.json`). */
  points?: string;
  /**
   * Metadata CSV for `points`. Default: the run's metadata when `points` is the training
   * folder, else none.
   */
  metadata?: string;
  /** Checkpoint to use: `'last'` (the final IDEC model), `'best'` (lowest IDEC loss) or a path. Default `'last'`. */
  checkpoint?: string;
  /** Clouds per forward pass. Default 16. */
  batchSize?: number;
  /** tfjs backend; default: the fastest available. */
  backend?: BackendName;
  /** Progress per batch. */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ExtractRunOptions}. */
export const DEFAULT_EXTRACT_RUN_OPTIONS = { checkpoint: 'last', batchSize: 16 } as const;

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
}

const FN = 'extractRun';

/**
 * Encodes point clouds with the trained IDEC model of a run directory and writes one CSV row per
 * cell: `id, <metadata>, cluster, q0 … q(K−1), f0 … f(F−1)` (hard label, soft labels = the 3DQMS
 * vector, features).
 *
 * ```ts
 * await extractRun('runs/exp1', 'runs/exp1/cells.csv', { points: 'new-plate/points' });
 * ```
 *
 * @throws FileSystemError when the run or its checkpoint is missing; IncompatibleError when the
 *   checkpoint is not an IDEC model of the run's model family.
 */
export async function extractRun(
  runDir: string,
  output: string,
  options: ExtractRunOptions = {},
): Promise<ExtractRunResult> {
  if (typeof output !== 'string' || output.length === 0)
    throw invalidArgument(FN, 'output', 'a file path', output);
  if (options === null || typeof options !== 'object')
    throw invalidArgument(FN, 'options', 'an object', options);
  const paths = runPaths(runDir);
  const config = await readJson<RunConfig>(FN, paths.config);
  const checkpointOption = options.checkpoint ?? DEFAULT_EXTRACT_RUN_OPTIONS.checkpoint;
  const checkpointPath =
    checkpointOption === 'last'
      ? paths.idecLast
      : checkpointOption === 'best'
        ? paths.idecBest
        : resolve(checkpointOption);
  if (!existsSync(checkpointPath))
    throw new FileSystemError(`${FN}: no checkpoint at ${checkpointPath}; train the run first`, {
      fn: FN,
      arg: 'checkpoint',
    });
  const batchSize = options.batchSize ?? DEFAULT_EXTRACT_RUN_OPTIONS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw invalidArgument(FN, 'options.batchSize', 'a positive integer', batchSize);

  await selectBackend(options.backend);
  const plugin = modelPlugin(config.model as ModelKind);
  const checkpoint = await loadCheckpoint(checkpointPath);
  const c = checkpoint.config;
  if (
    c.type !== 'DeepEmbeddedClustering' ||
    typeof c.autoencoder !== 'object' ||
    c.autoencoder === null
  )
    throw new IncompatibleError(
      `${FN}: ${checkpointPath} is not an IDEC checkpoint (autoencoder + cluster centres)`,
      {
        fn: FN,
        arg: 'checkpoint',
      },
    );
  const mismatch = architectureMismatch(c.autoencoder as Record<string, unknown>, config.options);
  if (mismatch.length > 0)
    throw new IncompatibleError(
      `${FN}: ${checkpointPath} is a model of another architecture than run ${runDir} (${mismatch.join(', ')}); pass a checkpoint of this run`,
      { fn: FN, arg: 'checkpoint' },
    );
  const autoencoder = plugin.autoencoderFromConfig(c.autoencoder as Record<string, unknown>);
  const layer = new ClusteringLayer({
    numClusters: Number(c.numClusters),
    numFeatures: autoencoder.numFeatures,
    alpha: Number(c.alpha),
  });
  const model = new DeepEmbeddedClustering(autoencoder, layer);
  try {
    model.loadStateDict(checkpoint.stateDict);
    const o = config.options;
    const points = options.points === undefined ? config.inputs.points : resolve(options.points);
    const metadata =
      options.metadata !== undefined
        ? resolve(options.metadata)
        : options.points === undefined
          ? (config.inputs.metadata ?? undefined)
          : undefined;
    const dataset = await plugin.openDataset(points, {
      ...(metadata ? { metadata } : {}),
      idColumn: config.inputs.idColumn,
      numPoints: Number(o.numPoints),
      normalise: o.normalise as NormalisePreset,
      seed: config.seed,
    });
    const extracted = await plugin.extractFeatures(model, dataset, {
      batchSize,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const n = extracted.ids.length;
    const features = {
      data: extracted.features,
      shape: [n, extracted.numFeatures] as [number, number],
    };
    const q = softAssignment(features, layer.centres(), { alpha: layer.alpha });
    const out = resolve(output);
    const table = cellTableCsv({
      ids: extracted.ids,
      metadata: extracted.metadata,
      labels: { column: 'cluster', values: hardLabels(q) },
      q,
      features,
    });
    await writeFileAtomic(out, table);
    return {
      output: out,
      cells: n,
      clusters: layer.numClusters,
      features: extracted.numFeatures,
      checkpoint: checkpointPath,
    };
  } finally {
    model.dispose();
  }
}
