import {
  IncompatibleError,
  InvalidArgumentError,
  type Metadata,
  type ProgressEvent,
} from '@cellshape/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinearTestEncoder } from '../test/index.js';
import type { Dataset, DatasetBatch, DatasetBatchOptions } from './dataset.js';
import { checkDataset, checkDatasetBatch, encodeDataset } from './encode-dataset.js';
import type { Encoder } from './module.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An Encoder without a decoder: z = x·W with a fixed 3 × 2 weight of small integers (exact in float32). */
const integerEncoder = () =>
  new LinearTestEncoder('integer-test', [
    [1, 0],
    [2, -1],
    [0, 3],
  ]);

/** Sample i is the row [i, i + 1, 2 − i]: its features under integerEncoder() are known. */
const N = 7;
const rowOf = (i: number) => [i, i + 1, 2 - i];
const featuresOf = (i: number) => [i + 2 * (i + 1), -(i + 1) + 3 * (2 - i)];

/** A dataset that records the options of its passes. */
interface Recorded extends Dataset {
  calls: DatasetBatchOptions[];
  batches(options: DatasetBatchOptions): Iterable<DatasetBatch>;
}

/** The rows above as a dataset; `change` edits its batches, `order` permutes its samples. */
function rowsDataset(
  change: (batch: DatasetBatch, call: number) => DatasetBatch = (b) => b,
  order: (indices: number[]) => number[] = (i) => i,
): Recorded {
  const ids = Array.from({ length: N }, (_, i) => `cell-${i}`);
  const metadata: Metadata[] = ids.map((_, i) => ({ well: `w${i % 2}`, dose: i }));
  const calls: DatasetBatchOptions[] = [];
  return {
    length: N,
    ids,
    metadata,
    calls,
    *batches(options) {
      calls.push(options);
      const all = order(Array.from({ length: N }, (_, i) => i));
      for (let start = 0; start < N; start += options.batchSize) {
        const indices = all.slice(start, start + options.batchSize);
        const batch = {
          ids: indices.map((i) => ids[i]!),
          indices,
          input: tf.tensor2d(indices.flatMap(rowOf), [indices.length, 3]),
        };
        yield change(batch, calls.length);
      }
    },
  };
}

describe('encodeDataset', () => {
  const encoder = integerEncoder();
  afterAll(() => encoder.dispose());

  it('encodes every sample once, in dataset order, in evaluation mode, without leaking', async () => {
    const before = tf.memory().numTensors;
    const dataset = rowsDataset();
    const events: ProgressEvent[] = [];
    const result = await encodeDataset(encoder, dataset, {
      batchSize: 3,
      seed: 4,
      onProgress: (e) => events.push(e),
    });
    expect(result.ids).toEqual(dataset.ids);
    expect(result.metadata).toEqual(dataset.metadata);
    expect(result.numFeatures).toBe(2);
    expect(Array.from(result.features)).toEqual(
      Array.from({ length: N }, (_, i) => featuresOf(i)).flat(),
    );
    expect(dataset.calls).toEqual([
      { batchSize: 3, shuffle: false, seed: 4, epoch: 0, dropLast: false },
    ]);
    expect(encoder.modes).toEqual([false, false, false]);
    expect(encoder.training).toBe(true);
    expect(events.map((e) => [e.phase, e.done, e.total])).toEqual([
      ['extract', 3, N],
      ['extract', 6, N],
      ['extract', 7, N],
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('puts each row at its dataset index whatever order the batches come in', async () => {
    const reversed = rowsDataset(undefined, (i) => i.reverse());
    const result = await encodeDataset(encoder.eval(), reversed, { batchSize: 2 });
    expect(result.ids).toEqual(reversed.ids);
    expect(Array.from(result.features)).toEqual(
      Array.from({ length: N }, (_, i) => featuresOf(i)).flat(),
    );
    // It was in evaluation mode and stays there.
    expect(encoder.training).toBe(false);
    encoder.train();
  });

  it('an explicit undefined option keeps its default (16 per batch, seed 0)', async () => {
    const dataset = rowsDataset();
    await encodeDataset(encoder, dataset, { batchSize: undefined, seed: undefined });
    expect(dataset.calls[0]).toMatchObject({ batchSize: 16, seed: 0 });
  });

  it('rejects bad input, restoring the mode and disposing every batch', async () => {
    const before = tf.memory().numTensors;
    /** The batch with only its first `k` samples (a new input tensor; the old one disposed). */
    const first = (b: DatasetBatch, k: number): DatasetBatch => {
      b.input.dispose();
      const indices = b.indices.slice(0, k);
      return {
        ids: b.ids.slice(0, k),
        indices,
        input: tf.tensor2d(indices.flatMap(rowOf), [k, 3]),
      };
    };
    const nan = (b: DatasetBatch): DatasetBatch => {
      b.input.dispose();
      return { ...b, input: tf.fill([b.indices.length, 3], Number.NaN) };
    };
    const cases: Array<[Dataset, RegExp]> = [
      [rowsDataset(nan), /the features of sample "cell-0" are not finite \(NaN\)/],
      [
        rowsDataset((b) => ({ ...b, ids: b.ids.map((id) => `${id}x`) })),
        /a batch gives index 0 the id "cell-0x", the dataset's ids "cell-0"/,
      ],
      [rowsDataset((b) => ({ ...b, ids: b.ids.slice(1) })), /equally long 'indices' and 'ids'/],
      [
        rowsDataset((b) => ({ ...b, indices: b.indices.map((i) => i + N) })),
        /batch indices lie in \[0, 7\)/,
      ],
      [
        rowsDataset((b) => ({
          ...b,
          indices: b.indices.map(() => 0),
          ids: b.ids.map(() => 'cell-0'),
        })),
        /index 0 twice/,
      ],
      [rowsDataset((b) => first(b, 1)), /batches cover all 7 indices, got "index 1 missing"/],
    ];
    for (const [dataset, expected] of cases) {
      await expect(encodeDataset(encoder, dataset, { batchSize: 4 })).rejects.toThrow(expected);
      expect(encoder.training).toBe(true);
    }
    await expect(
      encodeDataset(
        encoder,
        rowsDataset((b) => ({ ...b, ids: b.ids.map((id) => `${id}x`) })),
      ),
    ).rejects.toThrow(IncompatibleError);
    // One sample per index, but the input holds one row more.
    const long = rowsDataset((b) => {
      b.input.dispose();
      return { ...b, input: tf.zeros([b.indices.length + 1, 3]) };
    });
    await expect(encodeDataset(encoder, long)).rejects.toThrow(
      /'input' tensors have one sample per index \(7\), got \[8, 3\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks the encoder, the dataset and the options', async () => {
    const dataset = rowsDataset();
    await expect(encodeDataset({} as Encoder, dataset)).rejects.toThrow(
      /'encoder' must be an Encoder/,
    );
    const wide = integerEncoder();
    Object.defineProperty(wide, 'numFeatures', { value: 3 });
    await expect(encodeDataset(wide, dataset)).rejects.toThrow(
      /features of shape \[7,2\] for 7 samples, expected \[7, 3\]/,
    );
    wide.dispose();
    await expect(encodeDataset(encoder, { ...dataset, ids: [] })).rejects.toThrow(
      /'dataset.ids' must be an array of 7 ids/,
    );
    await expect(
      encodeDataset(encoder, { ...dataset, metadata: undefined as never }),
    ).rejects.toThrow(/'dataset.metadata'/);
    await expect(encodeDataset(encoder, dataset, { batchSize: 0 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(encodeDataset(encoder, dataset, { batchSize: 0 })).rejects.toThrow(
      /'options.batchSize' must be an integer ≥ 1/,
    );
  });

  it('checkDataset names the caller and the part of the contract that is missing', () => {
    const dataset = rowsDataset();
    expect(checkDataset('trainIdec', 'dataset', dataset, 1)).toBe(dataset);
    expect(() =>
      checkDataset('trainIdec', 'dataset', { ...dataset, length: 0, ids: [], metadata: [] }, 1),
    ).toThrow(/trainIdec: 'dataset.length' must be an integer ≥ 1, got 0/);
    expect(() => checkDataset('f', 'data', null as never)).toThrow(/f: 'data' must be an object/);
    expect(() => checkDataset('f', 'data', { ...dataset, batches: undefined as never })).toThrow(
      /'data.batches' must be a function/,
    );
  });

  it('checkDatasetBatch checks one batch for its caller', () => {
    const [batch] = [
      ...rowsDataset().batches({
        batchSize: 2,
        shuffle: false,
        seed: 0,
        epoch: 0,
        dropLast: false,
      }),
    ];
    expect(() => checkDatasetBatch('trainIdec', batch!, 7)).not.toThrow();
    expect(() => checkDatasetBatch('trainIdec', batch!, 1)).toThrow(
      /trainIdec: 'dataset' must be a dataset whose batch indices lie in \[0, 1\), got 1/,
    );
    batch!.input.dispose();
  });
});
