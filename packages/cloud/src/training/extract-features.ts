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
import { tensor2d, tidy } from '@tensorflow/tfjs-core';

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
  const fn = 'extractFeatures';
  if (!isEncoder(model))
    throw invalidArgument(fn, 'model', 'an Encoder (encode, numFeatures, namedParameters)', model);
  checkDataset(fn, 'dataset', dataset);
  const o = withDefaults(fn, DEFAULT_EXTRACT_FEATURES_OPTIONS, options);
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

/** The decoder's reconstructions of feature rows, `batchSize` rows at a time, in eval mode. */
function decodeAll(
  model: Autoencoder,
  { features, numFeatures, ids }: FeaturesResult,
  batchSize: number,
): Pick<FeaturesResult, 'reconstructions' | 'reconstructionShape'> {
  const n = ids.length;
  const rows: Float32Array[] = [];
  let points = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const recon = tidy(() =>
        model.decode(
          tensor2d(features.subarray(start * numFeatures, end * numFeatures), [
            end - start,
            numFeatures,
          ]),
        ),
      );
      points = recon.shape[1] ?? 0;
      rows.push(recon.dataSync() as Float32Array);
      recon.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return { reconstructions: concat(rows, n * points * 3), reconstructionShape: [n, points, 3] };
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
