import {
  checkInteger,
  checkNumber,
  checkObject,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  type Metadata,
  type ProgressCallback,
  reportProgress,
  withDefaults,
} from '@cellshape/core';
import { Tensor, tidy } from '@tensorflow/tfjs-core';
import type { Dataset, DatasetBatch } from './dataset.js';
import { type Encoder, isEncoder } from './module.js';
import { disposeBatch } from './train-loop.js';

/** Options of {@link encodeDataset}. */
export interface EncodeDatasetOptions {
  /** Samples per forward pass. Default 16. */
  batchSize?: number;
  /**
   * The seed handed to `dataset.batches` (the pass is unshuffled; a dataset whose epoch-0 view
   * depends on the seed, e.g. through seeded augmentation, shows that view). Default 0.
   */
  seed?: number;
  /** Progress after every batch (`phase: 'extract'`, `done` / `total` in samples). */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link EncodeDatasetOptions}. */
export const DEFAULT_ENCODE_DATASET_OPTIONS = { batchSize: 16, seed: 0 } as const;

/** The features of every sample of a dataset, in dataset order. */
export interface EncodedDataset {
  /** Sample ids, in dataset order. */
  ids: string[];
  /** Metadata per sample, in dataset order (the dataset's own rows). */
  metadata: Metadata[];
  /** Features, `n × numFeatures`, row-major: row i is sample i. */
  features: Float32Array;
  /** Features per sample F (the encoder's `numFeatures`). */
  numFeatures: number;
}

/** Where a pass writes what it has encoded so far. */
interface PassState {
  readonly ids: string[];
  readonly features: Float32Array;
  readonly seen: Uint8Array;
}

const FN = 'encodeDataset';

/**
 * Feature extraction: encodes every sample of any {@link Dataset} with any {@link Encoder}
 * (an autoencoder, a Siamese encoder, a classifier's trunk), each sample once, in dataset order
 * (no shuffling, dataset epoch 0), with the encoder in evaluation mode (its training mode is
 * restored afterwards). Checks that the batches carry every index once, with the ids of
 * `dataset.ids`, that the encoder returns `[B, F]` for a batch of B and that every feature is
 * finite; the batches' tensors are disposed.
 *
 * ```ts
 * const { ids, features, numFeatures } = await encodeDataset(encoder, dataset, { batchSize: 32 });
 * const { labels } = kmeans({ data: features, shape: [ids.length, numFeatures] }, 5); // @cellshape/cluster
 * ```
 *
 * @throws InvalidArgumentError for a bad encoder, dataset or option, and for non-finite features.
 * @throws IncompatibleError when the batches disagree with `dataset.ids` or the encoder's output
 *   has the wrong shape.
 */
export async function encodeDataset<B extends DatasetBatch>(
  encoder: Encoder,
  dataset: Dataset<B>,
  options?: EncodeDatasetOptions,
): Promise<EncodedDataset> {
  if (!isEncoder(encoder))
    throw invalidArgument(FN, 'encoder', 'an Encoder (encode, numFeatures, parameters)', encoder);
  checkDataset(FN, 'dataset', dataset);
  const o = withDefaults(FN, DEFAULT_ENCODE_DATASET_OPTIONS, options);
  checkInteger(FN, 'options.batchSize', o.batchSize, { min: 1 });
  checkNumber(FN, 'options.seed', o.seed);
  const n = dataset.length;
  const f = encoder.numFeatures;
  const state: PassState = {
    ids: new Array<string>(n),
    features: new Float32Array(n * f),
    seen: new Uint8Array(n),
  };
  let done = 0;
  const wasTraining = encoder.training;
  encoder.eval();
  try {
    const batches = dataset.batches({
      batchSize: o.batchSize,
      shuffle: false,
      seed: o.seed,
      epoch: 0,
      dropLast: false,
    });
    for await (const batch of batches) {
      try {
        encodeBatch(encoder, dataset, batch, state);
      } finally {
        disposeBatch(batch);
      }
      done += batch.indices.length;
      reportProgress(o.onProgress, {
        phase: 'extract',
        done,
        total: n,
        message: `${done}/${n} samples`,
      });
    }
  } finally {
    encoder.train(wasTraining);
  }
  const missing = state.seen.indexOf(0);
  if (missing >= 0)
    throw invalidArgument(
      FN,
      'dataset',
      `a dataset whose batches cover all ${n} indices`,
      `index ${missing} missing`,
    );
  return {
    ids: state.ids,
    metadata: [...dataset.metadata],
    features: state.features,
    numFeatures: f,
  };
}

/**
 * Validates a {@link Dataset} argument of `fn`: an object with an integer `length` ≥ `minLength`,
 * a `batches` function, and `ids` and `metadata` arrays of `length` entries. Returns it, typed.
 */
export function checkDataset<D extends Dataset<DatasetBatch>>(
  fn: string,
  arg: string,
  dataset: D,
  minLength = 0,
): D {
  checkObject(fn, arg, dataset);
  const n = checkInteger(fn, `${arg}.length`, dataset.length, { min: minLength });
  if (typeof dataset.batches !== 'function')
    throw invalidArgument(fn, `${arg}.batches`, 'a function (options) => batches', dataset.batches);
  if (!Array.isArray(dataset.ids) || dataset.ids.length !== n)
    throw invalidArgument(fn, `${arg}.ids`, `an array of ${n} ids`, dataset.ids);
  if (!Array.isArray(dataset.metadata) || dataset.metadata.length !== n)
    throw invalidArgument(fn, `${arg}.metadata`, `an array of ${n} rows`, dataset.metadata);
  return dataset;
}

/** Encodes one batch and stores its rows at their dataset indices. */
function encodeBatch(
  encoder: Encoder,
  dataset: Dataset<DatasetBatch>,
  batch: DatasetBatch,
  state: PassState,
): void {
  checkBatch(dataset, batch);
  const size = batch.indices.length;
  const f = encoder.numFeatures;
  const z = tidy(() => encoder.encode(batch.input));
  let values: Float32Array;
  try {
    if (z.rank !== 2 || z.shape[0] !== size || z.shape[1] !== f)
      throw new IncompatibleError(
        `${FN}: the encoder returned features of shape [${z.shape}] for ${size} samples, expected [${size}, ${f}]`,
        { fn: FN, arg: 'encoder' },
      );
    values = z.dataSync() as Float32Array;
  } finally {
    z.dispose();
  }
  batch.indices.forEach((index, b) => {
    if (state.seen[index])
      throw invalidArgument(
        FN,
        'dataset',
        'a dataset whose batches hold every index once',
        `index ${index} twice`,
      );
    state.seen[index] = 1;
    state.ids[index] = batch.ids[b]!;
    for (let c = 0; c < f; c++) {
      const v = values[b * f + c]!;
      if (!Number.isFinite(v))
        throw new InvalidArgumentError(
          `${FN}: the features of sample ${JSON.stringify(batch.ids[b])} are not finite (${v}); check the input and the encoder's weights for NaN`,
          { fn: FN, arg: 'dataset' },
        );
      state.features[index * f + c] = v;
    }
  });
}

/**
 * Validates a batch of a dataset of `n` samples as `fn` receives it: non-empty, equally long
 * `indices` and `ids`, every index an integer in [0, n), and an `input` tensor with one sample
 * per index.
 */
export function checkDatasetBatch(fn: string, batch: DatasetBatch, n: number): void {
  const { indices, ids, input } = batch;
  if (
    !Array.isArray(indices) ||
    !Array.isArray(ids) ||
    indices.length !== ids.length ||
    indices.length === 0
  )
    throw invalidArgument(
      fn,
      'dataset',
      "a dataset whose batches have non-empty, equally long 'indices' and 'ids'",
      batch,
    );
  if (!(input instanceof Tensor) || input.shape[0] !== indices.length)
    throw invalidArgument(
      fn,
      'dataset',
      `a dataset whose batch 'input' tensors have one sample per index (${indices.length})`,
      input instanceof Tensor ? input.shape : input,
    );
  for (const index of indices)
    if (!Number.isInteger(index) || index < 0 || index >= n)
      throw invalidArgument(fn, 'dataset', `a dataset whose batch indices lie in [0, ${n})`, index);
}

/** Validates a batch and that its ids are those `dataset.ids` gives its indices. */
function checkBatch(dataset: Dataset<DatasetBatch>, batch: DatasetBatch): void {
  checkDatasetBatch(FN, batch, dataset.length);
  batch.indices.forEach((index, b) => {
    if (batch.ids[b] !== dataset.ids[index])
      throw new IncompatibleError(
        `${FN}: a batch gives index ${index} the id ${JSON.stringify(batch.ids[b])}, the dataset's ids ${JSON.stringify(dataset.ids[index])}`,
        { fn: FN, arg: 'dataset' },
      );
  });
}
