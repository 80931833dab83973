import type { Metadata, ProgressCallback } from '@cellshape/core';
import { type Dataset, type Encoder, extractDatasetFeatures } from '@cellshape/engine';

/** Options of {@link extractVoxelFeatures}. */
export interface ExtractVoxelFeaturesOptions {
  /** Volumes per forward pass. Default 8. */
  batchSize?: number;
  /** Also return the decoded volumes (needs an `Autoencoder`). Default false. */
  reconstructions?: boolean;
  /** Progress per batch (`phase: 'extract'`). */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ExtractVoxelFeaturesOptions}. */
export const DEFAULT_EXTRACT_VOXEL_FEATURES_OPTIONS = {
  batchSize: 8,
  reconstructions: false,
} as const;

/** Features of every volume of a dataset, in dataset order. */
export interface VoxelFeaturesResult {
  /** Sample ids. */
  ids: string[];
  /** Metadata per sample. */
  metadata: Metadata[];
  /** Features `n × numFeatures`, row-major. */
  features: Float32Array;
  /** Features per sample F. */
  numFeatures: number;
  /** Decoded voxel probabilities `n × D × H × W` (one channel), when asked for. */
  reconstructions?: Float32Array;
  /** Shape of `reconstructions`: `[n, D, H, W, 1]`. */
  reconstructionShape?: [number, number, number, number, number];
}

/**
 * Encodes every volume of `dataset` (dataset order, epoch 0, no shuffling) with the model in
 * evaluation mode (the engine's `encodeDataset`), optionally decoding the features back to
 * voxel probabilities. The model's training mode is restored afterwards.
 */
export async function extractVoxelFeatures(
  model: Encoder,
  dataset: Dataset,
  options: ExtractVoxelFeaturesOptions = {},
): Promise<VoxelFeaturesResult> {
  const { reconstructions, sampleShape, ...result } = await extractDatasetFeatures(
    'extractVoxelFeatures',
    model,
    dataset,
    DEFAULT_EXTRACT_VOXEL_FEATURES_OPTIONS,
    options,
  );
  if (!reconstructions) return result;
  const [d = 0, h = 0, w = 0] = sampleShape ?? [];
  return { ...result, reconstructions, reconstructionShape: [result.ids.length, d, h, w, 1] };
}
