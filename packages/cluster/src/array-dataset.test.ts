import { epochOrder, type NdArray } from '@cellshape/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayDataset } from './array-dataset.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Sample i of shape [2, 3] holds 10·i + 0 … 10·i + 5. */
const n = 7;
const samples: NdArray<Float32Array> = {
  data: Float32Array.from({ length: n * 6 }, (_, j) => 10 * Math.floor(j / 6) + (j % 6)),
  shape: [n, 2, 3],
};

describe('arrayDataset', () => {
  it('is an engine Dataset: ids, metadata, batches of the rows in epochOrder', () => {
    const metadata = Array.from({ length: n }, (_, i) => ({ well: `w${i}`, dose: i }));
    const ids = Array.from({ length: n }, (_, i) => `cell${i}`);
    const dataset = arrayDataset(samples, { ids, metadata });
    expect(dataset.length).toBe(n);
    expect(dataset.ids).toEqual(ids);
    expect(dataset.metadata).toEqual(metadata);
    const options = { batchSize: 3, shuffle: true, seed: 4, epoch: 2, dropLast: false };
    const batches = [...dataset.batches(options)];
    const order = Array.from(epochOrder(n, options));
    expect(batches.map((b) => b.indices)).toEqual([
      order.slice(0, 3),
      order.slice(3, 6),
      order.slice(6),
    ]);
    for (const b of batches) {
      expect(b.ids).toEqual(b.indices.map((i) => `cell${i}`));
      expect(b.input.shape).toEqual([b.indices.length, 2, 3]);
      const rows = b.input.arraySync() as number[][][];
      expect(rows.map((row) => row[0]![0])).toEqual(b.indices.map((i) => 10 * i));
      b.input.dispose();
    }
  });

  it('defaults: ids "0" … "n−1", empty metadata; unshuffled is dataset order; dropLast', () => {
    const dataset = arrayDataset(samples);
    expect(dataset.ids).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(dataset.metadata).toEqual(Array.from({ length: n }, () => ({})));
    const batches = [
      ...dataset.batches({ batchSize: 3, shuffle: false, seed: 9, epoch: 5, dropLast: true }),
    ];
    expect(batches.map((b) => b.indices)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    for (const b of batches) b.input.dispose();
  });

  it('copies its input', () => {
    const data = samples.data.slice();
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const dataset = arrayDataset({ data, shape: samples.shape }, { ids });
    data.fill(-1);
    ids[0] = 'changed';
    const [batch] = [
      ...dataset.batches({ batchSize: n, shuffle: false, seed: 0, epoch: 0, dropLast: false }),
    ];
    expect(Array.from(batch!.input.dataSync())).toEqual(Array.from(samples.data));
    expect(batch!.ids[0]).toBe('a');
    batch!.input.dispose();
  });

  it('rejects bad input', () => {
    expect(() => arrayDataset({ data: new Float32Array(6), shape: [6] })).toThrow(
      /'samples.shape' must be \[n, ...\]/,
    );
    expect(() => arrayDataset({ data: [1, 2] as unknown as Float32Array, shape: [1, 2] })).toThrow(
      /'samples' must be/,
    );
    expect(() => arrayDataset(samples, { ids: ['a'] })).toThrow(/'options.ids' must be 7 strings/);
    expect(() => arrayDataset(samples, { metadata: [{}] })).toThrow(
      /'options.metadata' must be an array of 7 rows/,
    );
    const dataset = arrayDataset(samples);
    expect(() => [
      ...dataset.batches({ batchSize: 0, shuffle: false, seed: 0, epoch: 0, dropLast: false }),
    ]).toThrow(/batchSize' must be an integer ≥ 1/);
  });
});
