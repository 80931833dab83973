import { silhouetteScore } from '@cellshape/cluster';
import { selectBackend } from '@cellshape/engine';
import { beforeAll, expect, test } from 'vitest';
import { SiameseEncoder } from '../models/siamese-encoder.js';
import { embedCrops } from './embed-crops.js';
import { drawnCropDataset } from './test-crops.js';
import { trainSiamese } from './train-siamese.js';

beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm');
});

/** Leave-one-out 1-nearest-neighbour accuracy (euclidean) of `labels` from `n × f` features. */
function oneNearestNeighbour(features: Float32Array, f: number, labels: number[]): number {
  const n = labels.length;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    let label = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let k = 0; k < f; k++)
        d += ((features[i * f + k] as number) - (features[j * f + k] as number)) ** 2;
      if (d < best) [best, label] = [d, labels[j] as number];
    }
    if (label === labels[i]) correct++;
  }
  return correct / n;
}

// A few minutes on 2 loaded cores (wasm); prints 1-NN accuracy and silhouette.
test('a Siamese encoder trained with Barlow Twins separates drawn round and elongated cells', async () => {
  const data = drawnCropDataset(96, 32, 7);
  const encoder = new SiameseEncoder({
    inputShape: [32, 32, 1],
    filters: [8, 16, 32],
    numFeatures: 16,
  });
  const result = await trainSiamese(encoder, data, {
    epochs: 15,
    batchSize: 32,
    lr: 3e-3,
    lambda: 0.01,
  });
  const losses = result.history.map((h) => h.loss);
  expect(losses.at(-1) as number).toBeLessThan(losses[0] as number);
  const { features, numFeatures, metadata } = await embedCrops(encoder, data);
  const labels = metadata.map((m) => (m.family === 'long' ? 1 : 0));
  const accuracy = oneNearestNeighbour(features, numFeatures, labels);
  const silhouette = silhouetteScore(
    { data: features, shape: [labels.length, numFeatures] },
    labels,
  );
  console.log(
    `Barlow Twins on drawn cells: loss ${losses[0]?.toFixed(2)} → ${losses.at(-1)?.toFixed(2)}, 1-NN ${accuracy.toFixed(3)}, silhouette ${silhouette.toFixed(3)}`,
  );
  expect(accuracy).toBeGreaterThan(0.75); // chance: 0.5
  encoder.dispose();
}, 600_000);
