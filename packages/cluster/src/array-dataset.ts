import {
  checkInteger,
  checkObject,
  epochOrder,
  invalidArgument,
  type Metadata,
  type NdArray,
  shapeSize,
} from '@cellshape/core';
import type { Dataset, DatasetBatch, DatasetBatchOptions } from '@cellshape/engine';
import { tensor } from '@tensorflow/tfjs-core';

/** The dataset {@link arrayDataset} returns: the engine's `Dataset`, with synchronous batches. */
export interface ArrayDataset extends Dataset<DatasetBatch> {
  /** The batches of one pass (synchronous); `input` is `[B, ...sampleShape]`. */
  batches(options: DatasetBatchOptions): Iterable<DatasetBatch>;
}

/** Options of {@link arrayDataset}. */
export interface ArrayDatasetOptions {
  /** Sample ids; default `"0"`, `"1"`, … */
  ids?: readonly string[];
  /** Metadata per sample; default `{}` for each. */
  metadata?: readonly Metadata[];
}

/**
 * An in-memory `Dataset` of `@cellshape/engine`: row i of `samples` (`[n, ...sampleShape]`,
 * copied) is sample i. Shuffled orders are core's `epochOrder(n, { seed, epoch })`, the order of
 * every cellshape dataset, so runs and resumes are reproducible.
 *
 * ```ts
 * const dataset = arrayDataset({ data: features, shape: [n, 64] }, { ids });
 * const result = await trainIdec(autoencoder, dataset, { numClusters: 5 });
 * ```
 */
export function arrayDataset(
  samples: NdArray<Float32Array>,
  options: ArrayDatasetOptions = {},
): ArrayDataset {
  const fn = 'arrayDataset';
  const { data, shape } = checkSamples(fn, samples);
  checkObject(fn, 'options', options);
  const n = shape[0]!;
  const given = options.ids ?? Array.from({ length: n }, (_, i) => String(i));
  if (!Array.isArray(given) || given.length !== n || !given.every((id) => typeof id === 'string'))
    throw invalidArgument(fn, 'options.ids', `${n} strings`, given);
  const ids: readonly string[] = [...given];
  const metadata = options.metadata ?? ids.map(() => ({}));
  if (!Array.isArray(metadata) || metadata.length !== n)
    throw invalidArgument(fn, 'options.metadata', `an array of ${n} rows`, metadata);
  const rowSize = data.length / n;
  const copy = data.slice();
  return {
    length: n,
    ids,
    metadata: metadata.map((row) => ({ ...row })),
    *batches(o: DatasetBatchOptions): Iterable<DatasetBatch> {
      checkInteger(fn, 'batches: options.batchSize', o.batchSize, { min: 1 });
      const order = Array.from(epochOrder(n, o));
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

/** `samples` as `{ data: Float32Array, shape: [n, ...] }` with at least two dimensions. */
function checkSamples(fn: string, samples: NdArray<Float32Array>): NdArray<Float32Array> {
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
  return samples;
}
