import { selectBackend } from '@cellshape/engine';
import { beforeAll, expect, test } from 'vitest';
import { VoxelAutoEncoder } from '../model/index.js';
import { extractVoxelFeatures } from './extract-voxel-features.js';
import { nearestNeighbourAccuracy, shapesDataset } from './shapes-dataset.js';
import { trainVoxelAutoencoder } from './train-voxel-autoencoder.js';

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

test('spheres vs cubes (16³): the loss goes down and 1-NN on the features separates the kinds', async () => {
  const data = shapesDataset(16, 16, 1);
  const model = new VoxelAutoEncoder({
    inputShape: [16, 16, 16, 1],
    filters: [4, 8, 8],
    numFeatures: 4,
    loss: 'dice-bce',
  });
  const result = await trainVoxelAutoencoder(model, data, { epochs: 20, batchSize: 4, lr: 1e-2 });
  const losses = result.history.map((h) => h.loss);
  expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.5);
  const { features, numFeatures } = await extractVoxelFeatures(model, data);
  expect(nearestNeighbourAccuracy(features, numFeatures, data.kinds)).toBeGreaterThanOrEqual(0.8);
  model.dispose();
}, 900_000);
