import type { Metadata } from '@cellshape/core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * The one dataset contract of cellshape, shared by the training loop, IDEC, feature extraction
 * and every model family: samples with ids and metadata, visited in seeded epoch orders
 * (core's `epochOrder`), batched into the family's model input.
 *
 * ```ts
 * for await (const batch of dataset.batches({ batchSize: 16, shuffle: true, seed: 0, epoch: 3, dropLast: false }))
 *   model.encode(batch.input); // then dispose the batch's tensors
 * ```
 */

/** A batch of a {@link Dataset}: its samples' ids and dataset indices, and the model input. */
export interface DatasetBatch {
  /** Sample ids, in batch order. */
  readonly ids: readonly string[];
  /** Dataset indices 0 … length − 1, in batch order (per-sample state is looked up by these). */
  readonly indices: readonly number[];
  /** The model input, batch first (`[B, N, 3]` points, `[B, D, H, W, 1]` voxels, …); the consumer disposes it. */
  readonly input: Tensor;
}

/** How a {@link Dataset} batches one pass. */
export interface DatasetBatchOptions {
  /** Samples per batch (the last batch may be smaller unless `dropLast`). */
  batchSize: number;
  /** Visit the samples in a shuffled order that depends only on `seed` and `epoch`. */
  shuffle: boolean;
  /** Seed of the order (and of any per-epoch resampling or augmentation). */
  seed: number;
  /** Zero-based epoch: changes the order and any resampling or augmentation. */
  epoch: number;
  /** Leave out the last, smaller batch. */
  dropLast: boolean;
}

/** Samples with ids and metadata, batched for a model (see the module comment). */
export interface Dataset<B extends DatasetBatch = DatasetBatch> {
  /** Number of samples. */
  readonly length: number;
  /** Sample ids, in dataset order. */
  readonly ids: readonly string[];
  /** Metadata per sample, in dataset order (`{}` when there is none). */
  readonly metadata: readonly Metadata[];
  /** The batches of one pass; their tensors belong to the consumer. */
  batches(options: DatasetBatchOptions): AsyncIterable<B> | Iterable<B>;
  /**
   * Optional random access, for a consumer that works on a part of a pass (a queue worker's
   * chunk of an extraction): the batches of `batches(options)` from position `start` of the
   * pass's order on, without reading the samples before it. `start` is a multiple of
   * `options.batchSize`, so these are exactly the whole pass's batches from there. Without it,
   * a consumer walks the pass from the start and drops what it does not need.
   */
  batchesFrom?(start: number, options: DatasetBatchOptions): AsyncIterable<B> | Iterable<B>;
}
