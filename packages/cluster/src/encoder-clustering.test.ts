import { encodeDataset, isAutoencoder, isEncoder } from '@cellshape/engine';
import { LinearTestEncoder } from '@cellshape/engine/test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayDataset } from './array-dataset.js';
import { kmeans } from './kmeans.js';
import { adjustedRandIndex } from './metrics/adjusted-rand-index.js';
import { gaussianBlobs } from './test-utils/blobs.js';
import { trainIdec } from './train-idec.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * An Encoder without a decoder (as a Siamese encoder or a classifier's trunk): z = 2·x[:, :3] + 1,
 * the first three of six input columns, scaled and shifted.
 */
const projectionEncoder = () =>
  new LinearTestEncoder(
    'projection-test',
    Array.from({ length: 6 }, (_, r) => [0, 1, 2].map((c) => (r === c ? 2 : 0))),
    1,
  );

describe('clustering without IDEC: any Encoder → encodeDataset → kmeans', () => {
  it('recovers the planted clusters from an Encoder-only model', async () => {
    const blobs = gaussianBlobs({ k: 4, perCluster: 25, dim: 6, spread: 10, std: 0.5, seed: 5 });
    const ids = Array.from({ length: 100 }, (_, i) => `cell${i}`);
    const dataset = arrayDataset(blobs.points, { ids });
    const encoder = projectionEncoder();
    expect(isEncoder(encoder)).toBe(true);
    expect(isAutoencoder(encoder)).toBe(false);
    const before = tf.memory().numTensors;
    const encoded = await encodeDataset(encoder, dataset, { batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(encoded.ids).toEqual(ids);
    expect(encoded.numFeatures).toBe(3);
    // Row i is 2·x_i[:3] + 1.
    const x = blobs.points.data;
    const expected = Array.from({ length: 300 }, (_, j) => {
      const [i, c] = [Math.floor(j / 3), j % 3];
      return Math.fround(2 * x[i * 6 + c]! + 1);
    });
    expect(Array.from(encoded.features)).toEqual(expected);
    const { labels } = kmeans({ data: encoded.features, shape: [100, 3] }, 4, { seed: 0 });
    expect(adjustedRandIndex(labels, blobs.labels)).toBe(1);
    // IDEC needs a decoder and a reconstruction loss: an Encoder alone is refused.
    await expect(trainIdec(encoder as never, dataset, { numClusters: 4 })).rejects.toThrow(
      /'autoencoder' must be an Autoencoder/,
    );
    encoder.dispose();
  });
});
