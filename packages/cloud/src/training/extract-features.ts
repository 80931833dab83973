import { invalidArgument, type ProgressCallback, reportProgress } from '@cellshape/core';
import type { Autoencoder } from '@cellshape/engine';
import { tidy } from '@tensorflow/tfjs-core';
import { type Metadata, PointCloudDataset } from '../data/index.js';

/** Options of {@link extractFeatures}. */
export interface ExtractFeaturesOptions {
  /** Clouds per forward pass. Default 16. */
  batchSize?: number;
  /** Also return the reconstructions. Default false. */
  reconstructions?: boolean;
  /** Progress per batch (`phase: 'extract'`). */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ExtractFeaturesOptions}. */
export const DEFAULT_EXTRACT_FEATURES_OPTIONS = {
  batchSize: 16,
  reconstructions: false,
} as const;

/** Features of every cell of a dataset, in dataset order. */
export interface FeaturesResult {
  /** Cell ids. */
  ids: string[];
  /** Metadata per cell. */
  metadata: Metadata[];
  /** Features, `n × numFeatures`, row-major (one row per cell). */
  features: Float32Array;
  /** Features per cell (F). */
  numFeatures: number;
  /** Reconstructions `n × M × 3`, when asked for. */
  reconstructions?: Float32Array;
  /** Shape of `reconstructions`: `[n, M, 3]`. */
  reconstructionShape?: [number, number, number];
}

/**
 * Encodes every cloud of `dataset` (in dataset order, no shuffling; resampled as in epoch 0)
 * with the model in evaluation mode, and optionally decodes the features back to clouds. The
 * model's training mode is restored afterwards.
 */
export async function extractFeatures(
  model: Autoencoder,
  dataset: PointCloudDataset,
  options: ExtractFeaturesOptions = {},
): Promise<FeaturesResult> {
  const fn = 'extractFeatures';
  if (!model || typeof model.encode !== 'function' || typeof model.decode !== 'function')
    throw invalidArgument(fn, 'model', 'an Autoencoder (encode, decode)', model);
  if (!(dataset instanceof PointCloudDataset))
    throw invalidArgument(fn, 'dataset', 'a PointCloudDataset', dataset);
  if (options === null || typeof options !== 'object')
    throw invalidArgument(fn, 'options', 'an object', options);
  const batchSize = options.batchSize ?? DEFAULT_EXTRACT_FEATURES_OPTIONS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw invalidArgument(fn, 'options.batchSize', 'a positive integer', batchSize);
  const wantRecon = options.reconstructions ?? DEFAULT_EXTRACT_FEATURES_OPTIONS.reconstructions;

  const n = dataset.length;
  const ids: string[] = [];
  const metadata: Metadata[] = [];
  const featureRows: Float32Array[] = [];
  const reconRows: Float32Array[] = [];
  let numFeatures = 0;
  let reconPoints = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for await (const batch of dataset.batches({ batchSize, shuffle: false, epoch: 0 })) {
      try {
        const [features, recon] = tidy(() => {
          const z = model.encode(batch.points);
          return wantRecon ? [z, model.decode(z)] : [z];
        });
        const shape = features!.shape;
        numFeatures = shape[1] ?? 0;
        featureRows.push(features!.dataSync() as Float32Array);
        features!.dispose();
        if (recon) {
          reconPoints = recon.shape[1] ?? 0;
          reconRows.push(recon.dataSync() as Float32Array);
          recon.dispose();
        }
      } finally {
        batch.points.dispose();
      }
      ids.push(...batch.ids);
      metadata.push(...batch.metadata);
      reportProgress(options.onProgress, {
        phase: 'extract',
        done: ids.length,
        total: n,
        message: `${ids.length}/${n} cells`,
      });
    }
  } finally {
    model.train(wasTraining);
  }
  const result: FeaturesResult = {
    ids,
    metadata,
    features: concat(featureRows, n * numFeatures),
    numFeatures,
  };
  if (wantRecon) {
    result.reconstructions = concat(reconRows, n * reconPoints * 3);
    result.reconstructionShape = [n, reconPoints, 3];
  }
  return result;
}

function concat(parts: Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
