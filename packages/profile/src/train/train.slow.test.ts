import { selectBackend } from '@cellshape/engine';
import { beforeAll, describe, expect, test } from 'vitest';
import { CnnClassifier } from '../models/cnn-classifier.js';
import { ConvAutoEncoder2D } from '../models/conv-autoencoder-2d.js';
import { SiameseEncoder } from '../models/siamese-encoder.js';
import { drawnCropDataset } from './test-crops.js';
import { trainAutoencoder2D } from './train-autoencoder-2d.js';
import { trainClassifier } from './train-classifier.js';
import { trainSiamese } from './train-siamese.js';

// Short trainings whose losses must fall (tens of seconds on cpu).
beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

const SIAMESE = { inputShape: [16, 16, 1] as const, filters: [4, 8], numFeatures: 8, dropout: 0.2 };

describe('training on drawn cells', () => {
  test('the Barlow Twins loss falls; progress reports the loss and its terms', async () => {
    const data = drawnCropDataset(32, 16, 1);
    const encoder = new SiameseEncoder(SIAMESE);
    const metrics: Array<Record<string, number>> = [];
    const result = await trainSiamese(encoder, data, {
      epochs: 6,
      batchSize: 16,
      lr: 1e-2,
      onProgress: (p) => {
        if (p.phase === 'batch' && p.metrics) metrics.push(p.metrics as Record<string, number>);
      },
    });
    const losses = result.history.map((h) => h.loss);
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.8);
    expect(metrics[0]).toHaveProperty('onDiagonal');
    expect(metrics[0]).toHaveProperty('offDiagonal');
    expect(result.step).toBe(6 * 2);
    encoder.dispose();
  });

  test('trainAutoencoder2D: the reconstruction error falls', async () => {
    const data = drawnCropDataset(16, 16, 4);
    const options = {
      inputShape: [16, 16, 1] as const,
      filters: [4, 4],
      convsPerLevel: 1,
      codeChannels: 2,
    };
    const model = new ConvAutoEncoder2D(options);
    const result = await trainAutoencoder2D(model, data, { epochs: 8, batchSize: 8, lr: 1e-2 });
    const losses = result.history.map((h) => h.loss);
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.7);
    model.dispose();
  });

  test('the classifier learns the shape family from the metadata column; classes are sorted', async () => {
    const data = drawnCropDataset(32, 16, 5);
    const net = new CnnClassifier({
      inputShape: [16, 16, 1],
      filters: [4, 8],
      numFeatures: 4,
      dropout: 0,
    });
    const result = await trainClassifier(net, data, {
      labelColumn: 'family',
      epochs: 20,
      batchSize: 16,
      lr: 2e-2,
    });
    expect(result.classes).toEqual(['long', 'round']);
    const losses = result.history.map((h) => h.loss);
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.7);
    net.dispose();
  });
});
