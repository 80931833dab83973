import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCellshapeError } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CnnClassifier } from '../models/cnn-classifier.js';
import { ConvAutoEncoder2D } from '../models/conv-autoencoder-2d.js';
import { SiameseEncoder } from '../models/siamese-encoder.js';
import { drawnCropDataset } from './test-crops.js';
import { trainAutoencoder2D } from './train-autoencoder-2d.js';
import { trainClassifier } from './train-classifier.js';
import { trainSiamese } from './train-siamese.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-train-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SIAMESE = { inputShape: [16, 16, 1] as const, filters: [4, 8], numFeatures: 8, dropout: 0.2 };

describe('trainSiamese', () => {
  test('resuming from the checkpoint of epoch 1 gives the weights of an uninterrupted run (views and dropout included)', async () => {
    const data = drawnCropDataset(12, 16, 2);
    const run = async (dir: string, epochs: number, resume: boolean): Promise<SiameseEncoder> => {
      const encoder = new SiameseEncoder(SIAMESE);
      await trainSiamese(encoder, data, {
        epochs,
        batchSize: 4,
        checkpointDir: dir,
        resume,
        seed: 3,
        warmup: 0.3,
      });
      return encoder;
    };
    const straight = await run(tempDir(), 2, false);
    // A run of 1 epoch has another cosine schedule; interrupt a 2-epoch run instead.
    const interrupted = tempDir();
    const first = new SiameseEncoder(SIAMESE);
    await trainSiamese(first, data, {
      epochs: 2,
      batchSize: 4,
      checkpointDir: interrupted,
      seed: 3,
      warmup: 0.3,
      onProgress: (p) => {
        if (p.phase === 'epoch' && p.done === 1) throw new Error('interrupted');
      },
    }).catch((e: Error) => expect(e.message).toBe('interrupted'));
    first.dispose();
    const resumed = await run(interrupted, 2, true);
    const a = straight.stateDict();
    for (const [key, value] of resumed.stateDict())
      expect(value.data, key).toEqual(a.get(key)?.data);
    straight.dispose();
    resumed.dispose();
  });

  test('bad options are typed errors naming the option', async () => {
    const data = drawnCropDataset(8, 16);
    const encoder = new SiameseEncoder(SIAMESE);
    for (const [options, arg] of [
      [{ lambda: -1 }, 'options.lambda'],
      [{ batchSize: 0 }, 'options.batchSize'],
      [{ batchSize: 16 }, 'dataset.length'],
      [
        {
          views: (() => [new Float32Array(3), new Float32Array(3)]) as never,
          epochs: 1,
          batchSize: 4,
        },
        'options.views',
      ],
    ] as const) {
      const error = await trainSiamese(encoder, data, options as never).catch((e) => e);
      expect(isCellshapeError(error, 'INVALID_ARGUMENT'), arg).toBe(true);
      expect((error as Error).message).toContain(arg);
    }
    encoder.dispose();
  });
});

describe('trainAutoencoder2D and trainClassifier', () => {
  test('trainClassifier: an unknown label column or a class count the model lacks are typed errors', async () => {
    const data = drawnCropDataset(8, 16, 5);
    const net = new CnnClassifier({ numClasses: 3, inputShape: [16, 16, 1], filters: [2] });
    for (const [options, arg] of [
      [{ labelColumn: 'well' }, 'options.labelColumn'],
      [{ labelColumn: 'family' }, 'options.labelColumn'],
      [{ labelColumn: 'family', classes: ['round'] }, 'options.classes'],
    ] as const) {
      const error = await trainClassifier(net, data, { ...options, epochs: 1, batchSize: 4 }).catch(
        (e) => e,
      );
      expect(isCellshapeError(error, 'INVALID_ARGUMENT'), arg).toBe(true);
      expect((error as Error).message).toContain(arg);
    }
    net.dispose();
  });

  test('trainAutoencoder2D: resume equals the uninterrupted run', async () => {
    const data = drawnCropDataset(16, 16, 4);
    const options = {
      inputShape: [16, 16, 1] as const,
      filters: [4, 4],
      convsPerLevel: 1,
      codeChannels: 2,
    };
    const straight = new ConvAutoEncoder2D(options);
    await trainAutoencoder2D(straight, data, { epochs: 2, batchSize: 8, seed: 1 });
    const dir = tempDir();
    const first = new ConvAutoEncoder2D(options);
    await trainAutoencoder2D(first, data, {
      epochs: 2,
      batchSize: 8,
      seed: 1,
      checkpointDir: dir,
      onProgress: (p) => {
        if (p.phase === 'epoch' && p.done === 1) throw new Error('interrupted');
      },
    }).catch(() => undefined);
    first.dispose();
    const resumed = new ConvAutoEncoder2D(options);
    await trainAutoencoder2D(resumed, data, {
      epochs: 2,
      batchSize: 8,
      seed: 1,
      checkpointDir: dir,
      resume: true,
    });
    const a = straight.stateDict();
    for (const [key, value] of resumed.stateDict())
      expect(value.data, key).toEqual(a.get(key)?.data);
    straight.dispose();
    resumed.dispose();
  });
});
