import { createRng, invalidArgument, type NdArray, shapeSize } from '@cellshape/core';
import { type Tensor, tensor } from '@tensorflow/tfjs-core';

/**
 * A batch as IDEC needs it: the dataset index and id of every sample, in batch order, plus the
 * model input — `input`, or `points` for point-cloud datasets (`PointCloudDataset` of
 * `@cellshape/cloud` yields this), or whatever `TrainIdecOptions.input` picks.
 */
export interface ClusterBatch {
  /** Sample ids, in batch order (used to detect a dataset whose order changed). */
  readonly ids: readonly string[];
  /** Dataset indices 0 … length − 1, in batch order (targets are looked up by these). */
  readonly indices: readonly number[];
}

/** Options IDEC passes to {@link ClusterDataset.batches}. */
export interface ClusterBatchOptions {
  /** Samples per batch (the last batch may be smaller unless `dropLast`). */
  batchSize: number;
  /** Shuffle the order, as a function of `seed` and `epoch` only. */
  shuffle: boolean;
  /** Seed of the order. */
  seed: number;
  /** Epoch (changes the order and any resampling). */
  epoch: number;
  /** Leave out the last, smaller batch. */
  dropLast: boolean;
}

/**
 * Any dataset IDEC can train on: a length and seeded batches with sample indices. Point-cloud
 * (`PointCloudDataset`) and voxel datasets fit it; {@link arrayDataset} wraps arrays in memory.
 */
export interface ClusterDataset<B extends ClusterBatch = ClusterBatch> {
  /** Number of samples. */
  readonly length: number;
  /** The batches of one pass; their tensors belong to the consumer. */
  batches(options: ClusterBatchOptions): AsyncIterable<B> | Iterable<B>;
}

/** A batch of {@link arrayDataset}. */
export interface ArrayBatch extends ClusterBatch {
  /** The samples, `[B, ...sampleShape]` (the consumer disposes it). */
  input: Tensor;
}

/** The dataset {@link arrayDataset} returns: synchronous batches and the ids. */
export interface ArrayClusterDataset extends ClusterDataset<ArrayBatch> {
  /** Sample ids by index. */
  readonly ids: readonly string[];
  /** The batches of one pass (synchronous). */
  batches(options: ClusterBatchOptions): Iterable<ArrayBatch>;
}

/** Options of {@link arrayDataset}. */
export interface ArrayDatasetOptions {
  /** Sample ids; default `"0"`, `"1"`, … */
  ids?: string[];
}

/**
 * An in-memory {@link ClusterDataset}: row i of `samples` (`[n, ...sampleShape]`) is sample i.
 * Shuffled orders depend only on (seed, epoch), so runs and resumes are reproducible.
 */
export function arrayDataset(
  samples: NdArray<Float32Array>,
  options: ArrayDatasetOptions = {},
): ArrayClusterDataset {
  const fn = 'arrayDataset';
  if (samples === null || typeof samples !== 'object' || !(samples.data instanceof Float32Array))
    throw invalidArgument(fn, 'samples', '{ data: Float32Array, shape: [n, ...] }', samples);
  const { data, shape } = samples;
  if (
    !Array.isArray(shape) ||
    shape.length < 2 ||
    !shape.every((d) => Number.isInteger(d) && d > 0) ||
    shapeSize(shape) !== data.length
  )
    throw invalidArgument(
      fn,
      'samples.shape',
      `[n, ...] (≥ 2-D) matching data.length ${data.length}`,
      shape,
    );
  const n = shape[0]!;
  const ids = options.ids ?? Array.from({ length: n }, (_, i) => String(i));
  if (!Array.isArray(ids) || ids.length !== n || !ids.every((id) => typeof id === 'string'))
    throw invalidArgument(fn, 'options.ids', `${n} strings`, ids);
  const rowSize = data.length / n;
  const copy = data.slice();
  return {
    length: n,
    ids: [...ids],
    *batches(o: ClusterBatchOptions): Iterable<ArrayBatch> {
      const order = o.shuffle
        ? Array.from(
            createRng((Math.trunc(o.seed) ^ Math.imul(o.epoch + 1, 0x9e3779b1)) >>> 0).permutation(
              n,
            ),
          )
        : Array.from({ length: n }, (_, i) => i);
      const end = o.dropLast ? n - (n % o.batchSize) : n;
      for (let start = 0; start < end; start += o.batchSize) {
        const indices = order.slice(start, Math.min(start + o.batchSize, end));
        const batch = new Float32Array(indices.length * rowSize);
        indices.forEach((i, b) => {
          batch.set(copy.subarray(i * rowSize, (i + 1) * rowSize), b * rowSize);
        });
        yield {
          ids: indices.map((i) => ids[i]!),
          indices,
          input: tensor(batch, [indices.length, ...shape.slice(1)]),
        };
      }
    },
  };
}
