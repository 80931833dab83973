import {
  checkInteger,
  invalidArgument,
  type Metadata,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import {
  type Autoencoder,
  checkDataset,
  type Dataset,
  type Encoder,
  encodeDataset,
  isAutoencoder,
  isEncoder,
} from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';

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
  const fn = 'extractVoxelFeatures';
  if (!isEncoder(model))
    throw invalidArgument(fn, 'model', 'an Encoder (encode, numFeatures, namedParameters)', model);
  checkDataset(fn, 'dataset', dataset);
  const o = withDefaults(fn, DEFAULT_EXTRACT_VOXEL_FEATURES_OPTIONS, options);
  checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
  if (o.reconstructions && !isAutoencoder(model))
    throw invalidArgument(fn, 'model', 'an Autoencoder (decode) for reconstructions', model);
  const result = await encodeDataset(model, dataset, {
    batchSize: o.batchSize,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  if (!o.reconstructions) return result;
  return { ...result, ...decodeAll(model as Autoencoder, result, o.batchSize) };
}

/** The decoder's volumes for the feature rows, `batchSize` rows at a time, in eval mode. */
function decodeAll(
  model: Autoencoder,
  { features, numFeatures, ids }: VoxelFeaturesResult,
  batchSize: number,
): Pick<VoxelFeaturesResult, 'reconstructions' | 'reconstructionShape'> {
  const n = ids.length;
  let out = new Float32Array(0);
  let shape: [number, number, number, number, number] = [n, 0, 0, 0, 1];
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const rows = features.subarray(start * numFeatures, end * numFeatures);
      const volume = tf.tidy(() => model.decode(tf.tensor2d(rows, [end - start, numFeatures])));
      if (start === 0) {
        const [, d, h, w] = volume.shape as number[];
        shape = [n, d as number, h as number, w as number, 1];
        out = new Float32Array(n * (d as number) * (h as number) * (w as number));
      }
      out.set(volume.dataSync() as Float32Array, (out.length / n) * start);
      volume.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return { reconstructions: out, reconstructionShape: shape };
}
