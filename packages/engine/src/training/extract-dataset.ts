import {
  checkInteger,
  invalidArgument,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import { tensor2d, tidy } from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset.js';
import { checkDataset, type EncodedDataset, encodeDataset } from './encode-dataset.js';
import { type Autoencoder, type Encoder, isAutoencoder, isEncoder } from './module.js';

/** Options of {@link extractDatasetFeatures} (the model packages' extraction options). */
export interface ExtractDatasetFeaturesOptions {
  /** Samples per forward pass (the caller's default applies when omitted). */
  batchSize?: number;
  /** Also decode the features back (needs an {@link Autoencoder}). */
  reconstructions?: boolean;
  /** Progress per batch (`phase: 'extract'`). */
  onProgress?: ProgressCallback;
}

/** What {@link extractDatasetFeatures} returns: the features and, when asked for, the decodings. */
export interface ExtractedDatasetFeatures extends EncodedDataset {
  /** The decoder's outputs for all samples, concatenated in dataset order, when asked for. */
  reconstructions?: Float32Array;
  /**
   * The decoder's output shape per sample (its output shape without the batch axis), when
   * reconstructions were asked for and the dataset is not empty.
   */
  sampleShape?: number[];
}

/**
 * The feature extraction shared by the model packages (cloud's `extractFeatures`, voxel's
 * `extractVoxelFeatures`), reporting errors as `fn`: validates `model` (an {@link Encoder}),
 * `dataset` and `options` (merged over `defaults`), encodes every sample with
 * {@link encodeDataset} and, when `reconstructions` is set, decodes the feature rows back,
 * `batchSize` rows at a time, with the model in evaluation mode (its training mode is restored
 * afterwards).
 *
 * @throws InvalidArgumentError for a bad model, dataset or option, and for `reconstructions`
 *   with a model that is not an {@link Autoencoder}.
 */
export async function extractDatasetFeatures(
  fn: string,
  model: Encoder,
  dataset: Dataset,
  defaults: { readonly batchSize: number; readonly reconstructions: boolean },
  options: ExtractDatasetFeaturesOptions | undefined,
): Promise<ExtractedDatasetFeatures> {
  if (!isEncoder(model))
    throw invalidArgument(fn, 'model', 'an Encoder (encode, numFeatures, namedParameters)', model);
  checkDataset(fn, 'dataset', dataset);
  const o = withDefaults(fn, defaults, options);
  checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
  if (o.reconstructions && !isAutoencoder(model))
    throw invalidArgument(fn, 'model', 'an Autoencoder (decode) for reconstructions', model);
  const result = await encodeDataset(model, dataset, {
    batchSize: o.batchSize,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  if (!o.reconstructions) return result;
  return { ...result, ...decodeRows(model as Autoencoder, result, o.batchSize) };
}

/** The decoder's outputs for the feature rows, `batchSize` rows at a time, in eval mode. */
function decodeRows(
  model: Autoencoder,
  { features, numFeatures, ids }: EncodedDataset,
  batchSize: number,
): { reconstructions: Float32Array; sampleShape?: number[] } {
  const n = ids.length;
  const parts: Float32Array[] = [];
  let sampleShape: number[] | undefined;
  let length = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const rows = features.subarray(start * numFeatures, end * numFeatures);
      const decoded = tidy(() => model.decode(tensor2d(rows, [end - start, numFeatures])));
      sampleShape = decoded.shape.slice(1);
      const data = decoded.dataSync() as Float32Array;
      parts.push(data);
      length += data.length;
      decoded.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  const reconstructions = new Float32Array(length);
  let offset = 0;
  for (const part of parts) {
    reconstructions.set(part, offset);
    offset += part.length;
  }
  return sampleShape ? { reconstructions, sampleShape } : { reconstructions };
}
