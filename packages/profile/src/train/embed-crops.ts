import {
  cellTableCsv,
  invalidArgument,
  type Metadata,
  type ProgressCallback,
  writeFileAtomic,
} from '@cellshape/core';
import { type Dataset, type Encoder, extractDatasetFeatures } from '@cellshape/engine';

/** Options of {@link embedCrops}. */
export interface EmbedCropsOptions {
  /** Crops per forward pass. Default 64. */
  batchSize?: number;
  /** Also return the decoded images (needs an `Autoencoder`). Default false. */
  reconstructions?: boolean;
  /** Progress per batch (`phase: 'extract'`). */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link EmbedCropsOptions}. */
export const DEFAULT_EMBED_CROPS_OPTIONS = { batchSize: 64, reconstructions: false } as const;

/** Embeddings of samples (crops or whole images), in order. */
export interface Embeddings {
  /** Sample ids. */
  ids: string[];
  /** Metadata per sample. */
  metadata: Metadata[];
  /** Embeddings, `n × numFeatures`, row-major. */
  features: Float32Array;
  /** Features per sample F. */
  numFeatures: number;
  /** Decoded images `n × H × W × C`, when asked for. */
  reconstructions?: Float32Array;
}

/**
 * The embedding of every crop of a dataset (dataset order, epoch 0) by any image `Encoder`
 * (a trained `SiameseEncoder`, `ConvAutoEncoder2D`, `CnnClassifier`) in evaluation mode, with
 * the engine's `extractDatasetFeatures`; the encoder's training mode is restored afterwards.
 *
 * ```ts
 * const embeddings = await embedCrops(encoder, dataset);
 * await writeEmbeddingsCsv('embeddings.csv', embeddings);
 * ```
 */
export async function embedCrops(
  encoder: Encoder,
  dataset: Dataset,
  options: EmbedCropsOptions = {},
): Promise<Embeddings> {
  const { sampleShape: _, ...result } = await extractDatasetFeatures(
    'embedCrops',
    encoder,
    dataset,
    DEFAULT_EMBED_CROPS_OPTIONS,
    options,
  );
  return result;
}

/**
 * The embeddings as CSV text: `id`, the metadata columns (in order of first appearance), then
 * `f0 … f(F−1)` as float32 in their shortest exact form (core's `cellTableCsv`).
 */
export function embeddingsToCsv(embeddings: Embeddings): string {
  const fn = 'embeddingsToCsv';
  if (embeddings === null || typeof embeddings !== 'object' || !Array.isArray(embeddings.ids))
    throw invalidArgument(fn, 'embeddings', '{ ids, metadata, features, numFeatures }', embeddings);
  const { ids, metadata, features, numFeatures } = embeddings;
  if (!(features instanceof Float32Array) || features.length !== ids.length * numFeatures)
    throw invalidArgument(
      fn,
      'embeddings.features',
      `${ids.length} × ${numFeatures} values`,
      features?.length,
    );
  return cellTableCsv(
    { ids, metadata, features: { data: features, shape: [ids.length, numFeatures] } },
    fn,
  );
}

/** Writes {@link embeddingsToCsv} to `path` atomically (a temporary name, then a rename). */
export async function writeEmbeddingsCsv(path: string, embeddings: Embeddings): Promise<void> {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('writeEmbeddingsCsv', 'path', 'a non-empty file path', path);
  await writeFileAtomic(path, embeddingsToCsv(embeddings));
}
