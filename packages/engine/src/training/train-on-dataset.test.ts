import { InvalidArgumentError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { LinearTestEncoder } from '../test/linear-encoder.js';
import type { Dataset, DatasetBatch, DatasetBatchOptions } from './dataset.js';
import { trainLoop } from './train-loop.js';
import {
  checkDatasetTrainingOptions,
  type ResolvedDatasetTraining,
  stepsPerEpoch,
  trainOnDataset,
} from './train-on-dataset.js';

/** 10 samples of 3 values; records the options of every `batches` call. */
function dataset(): Dataset & { calls: DatasetBatchOptions[] } {
  const n = 10;
  const rows = Array.from({ length: n }, (_, i) => [i / n, 1 - i / n, (i % 3) / 3]);
  const calls: DatasetBatchOptions[] = [];
  return {
    length: n,
    ids: rows.map((_, i) => `s${i}`),
    metadata: rows.map(() => ({})),
    calls,
    *batches(o: DatasetBatchOptions): Iterable<DatasetBatch> {
      calls.push(o);
      // A seeded order that depends on (seed, epoch) only, as exact resume needs.
      const order = rows.map((_, i) => (i * 7 + o.epoch * 3 + o.seed) % n);
      for (let b = 0; b < n; b += o.batchSize) {
        const indices = order.slice(b, b + o.batchSize);
        if (o.dropLast && indices.length < o.batchSize) break;
        yield {
          input: tf.tensor2d(indices.map((i) => rows[i]!)),
          indices,
          ids: indices.map((i) => `s${i}`),
        };
      }
    },
  };
}

const encoder = () =>
  new LinearTestEncoder('test', [
    [0.5, -0.2],
    [0.1, 0.3],
    [-0.4, 0.2],
  ]);
const loss = (m: unknown, batch: DatasetBatch) =>
  tf.tidy(() => tf.mean(tf.square((m as LinearTestEncoder).encode(batch.input))) as tf.Scalar);

const base: ResolvedDatasetTraining = {
  epochs: 2,
  batchSize: 4,
  dropLast: true,
  lr: 0.01,
  seed: 5,
  weightDecay: 0,
};

describe('trainOnDataset', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('counts the steps of an epoch with and without the last, smaller batch', () => {
    expect(stepsPerEpoch(10, 4, true)).toBe(2);
    expect(stepsPerEpoch(10, 4, false)).toBe(3);
    expect(stepsPerEpoch(8, 4, false)).toBe(2);
  });

  it('asks the dataset for shuffled, seeded epochs and equals the trainLoop it stands for', async () => {
    const data = dataset();
    const ours = encoder();
    const o = { ...base, betas: [0.8, 0.99] as [number, number], eps: 1e-6 };
    const result = await trainOnDataset(data, o, { module: ours, loss });
    expect(result.epochs).toBe(2);
    expect(result.step).toBe(4); // 2 full batches of 4 per epoch
    expect(data.calls).toEqual(
      [0, 1].map((epoch) => ({ batchSize: 4, shuffle: true, seed: 5, epoch, dropLast: true })),
    );
    // The same run written out with trainLoop gives the same weights to the last bit.
    const reference = encoder();
    const again = dataset();
    await trainLoop({
      module: reference,
      loss,
      epochs: 2,
      seed: 5,
      data: (epoch) =>
        again.batches({ batchSize: 4, shuffle: true, seed: 5, epoch, dropLast: true }),
      adam: { lr: 0.01, weightDecay: 0, betas: [0.8, 0.99], eps: 1e-6 },
    });
    expect(Array.from(ours.weight.dataSync())).toEqual(Array.from(reference.weight.dataSync()));
    expect(Array.from(ours.weight.dataSync())).not.toEqual(
      [0.5, -0.2, 0.1, 0.3, -0.4, 0.2].map(Math.fround),
    );
  });

  it('names the trainer and the option it refuses', () => {
    const bad: Array<[Partial<ResolvedDatasetTraining>, RegExp]> = [
      [{ epochs: -1 }, /myTrainer: 'options.epochs'/],
      [{ batchSize: 0 }, /myTrainer: 'options.batchSize'/],
      [{ dropLast: 'yes' as unknown as boolean }, /myTrainer: 'options.dropLast'/],
      [{ lr: 0 }, /myTrainer: 'options.lr'/],
      [{ weightDecay: -1 }, /myTrainer: 'options.weightDecay'/],
      [{ seed: Number.NaN }, /myTrainer: 'options.seed'/],
      [{ eps: 0 }, /myTrainer: 'options.eps'/],
      [{ betas: [0.9, 1] }, /myTrainer: 'options.betas' must be two numbers in \[0, 1\)/],
    ];
    for (const [change, message] of bad) {
      const call = () => checkDatasetTrainingOptions('myTrainer', { ...base, ...change });
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(message);
    }
    expect(() => checkDatasetTrainingOptions('myTrainer', base)).not.toThrow();
  });
});
