import {
  type Encoder,
  encodeDataset,
  isAutoencoder,
  isEncoder,
  type StateDict,
} from '@cellshape/engine';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adjustedRandIndex } from './adjusted-rand-index.js';
import { arrayDataset } from './array-dataset.js';
import { kmeans } from './kmeans.js';
import { gaussianBlobs } from './test-utils/blobs.js';
import { trainIdec } from './train-idec.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * An Encoder without a decoder (as a Siamese encoder or a classifier's trunk): z = 2·x[:, :3] + 1,
 * the first three of six input columns, scaled and shifted.
 */
class ProjectionEncoder implements Encoder {
  readonly family = 'projection-test';
  readonly numFeatures = 3;
  training = true;
  readonly weight = tf.variable(
    tf.tensor2d(
      Array.from({ length: 18 }, (_, i) => (i % 4 === 0 && i < 12 ? 2 : 0)),
      [6, 3],
    ),
  );

  encode(input: tf.Tensor): tf.Tensor2D {
    return tf.add(tf.matMul(input as tf.Tensor2D, this.weight), 1);
  }
  namedParameters(): Array<[string, tf.Variable]> {
    return [['weight', this.weight]];
  }
  stateDict(): StateDict {
    return new Map([['weight', { data: this.weight.dataSync() as Float32Array, shape: [6, 3] }]]);
  }
  loadStateDict(): void {}
  train(mode = true): this {
    this.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  config(): Record<string, unknown> {
    return { type: 'ProjectionEncoder' };
  }
  dispose(): void {
    this.weight.dispose();
  }
}

describe('clustering without IDEC: any Encoder → encodeDataset → kmeans', () => {
  it('recovers the planted clusters from an Encoder-only model', async () => {
    const blobs = gaussianBlobs({ k: 4, perCluster: 25, dim: 6, spread: 10, std: 0.5, seed: 5 });
    const ids = Array.from({ length: 100 }, (_, i) => `cell${i}`);
    const dataset = arrayDataset(blobs.points, { ids });
    const encoder = new ProjectionEncoder();
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
