import type { Metadata, ProgressCallback } from '@cellshape/core';
import { type Dataset, type Encoder, extractDatasetFeatures } from '@cellshape/engine';

/** Options of {@link extractFeatures}. */
export interface ExtractFeaturesOptions {
  /** Clouds per forward pass. Default 16. */
  batchSize?: number;
  /** Also return the reconstructions (needs an `Autoencoder`). Default false. */
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
 * Encodes every cloud of `dataset` (any engine `Dataset`, e.g. a `PointCloudDataset`; in dataset
 * order, no shuffling, resampled as in epoch 0) with the model in evaluation mode, and optionally
 * decodes the features back to clouds. The model's training mode is restored afterwards.
 */
export async function extractFeatures(
  model: Encoder,
  dataset: Dataset,
  options: ExtractFeaturesOptions = {},
): Promise<FeaturesResult> {
  const { reconstructions, sampleShape, ...result } = await extractDatasetFeatures(
    'extractFeatures',
    model,
    dataset,
    DEFAULT_EXTRACT_FEATURES_OPTIONS,
    options,
  );
  if (!reconstructions) return result;
  const n = result.ids.length;
  const points = sampleShape?.[0] ?? 0;
  return { ...result, reconstructions, reconstructionShape: [n, points, 3] };
}
