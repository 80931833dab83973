import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCellshapeError } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VoxelAutoEncoder } from '../model/index.js';
import { extractVoxelFeatures } from './extract-voxel-features.js';
import { shapesDataset } from './shapes-dataset.js';
import { trainVoxelAutoencoder } from './train-voxel-autoencoder.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'voxel-train-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SMALL = { inputShape: [16, 16, 16, 1] as const, filters: [4, 8, 8], numFeatures: 4 };

describe('trainVoxelAutoencoder', () => {
  test('the loss goes down; progress per batch; features and reconstructions extracted', async () => {
    const data = shapesDataset(8, 12, 1);
    const model = new VoxelAutoEncoder({ ...SMALL, inputShape: [12, 12, 12, 1], loss: 'dice-bce' });
    const events: string[] = [];
    const result = await trainVoxelAutoencoder(model, data, {
      epochs: 4,
      batchSize: 4,
      lr: 1e-2,
      onProgress: (p) => events.push(p.phase),
    });
    const losses = result.history.map((h) => h.loss);
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.9);
    expect(events).toContain('batch');
    const { features, numFeatures, reconstructions, reconstructionShape } =
      await extractVoxelFeatures(model, data, { reconstructions: true });
    expect(features.length).toBe(8 * numFeatures);
    expect(reconstructionShape).toEqual([8, 12, 12, 12, 1]);
    expect(reconstructions?.length).toBe(8 * 12 ** 3);
    model.dispose();
  });

  test('resuming from the checkpoint of epoch 1 gives the weights of an uninterrupted run', async () => {
    const data = shapesDataset(6, 12, 2);
    const options = { inputShape: [12, 12, 12, 1] as const, filters: [2, 2, 2], numFeatures: 2 };
    const run = async (dir: string, epochs: number, resume: boolean): Promise<VoxelAutoEncoder> => {
      const model = new VoxelAutoEncoder(options);
      await trainVoxelAutoencoder(model, data, {
        epochs,
        batchSize: 4,
        checkpointDir: dir,
        resume,
      });
      return model;
    };
    const straight = await run(tempDir(), 2, false);
    const dir = tempDir();
    (await run(dir, 1, false)).dispose();
    const resumed = await run(dir, 2, true);
    const a = straight.stateDict();
    for (const [key, value] of resumed.stateDict())
      expect(value.data, key).toEqual(a.get(key)?.data);
    straight.dispose();
    resumed.dispose();
  });

  test('bad options are typed errors naming the option', async () => {
    const data = shapesDataset(2, 12);
    const model = new VoxelAutoEncoder({ inputShape: [12, 12, 12, 1], filters: [2, 2, 2] });
    for (const [options, arg] of [
      [{ loss: 'mse' }, 'options.loss'],
      [{ batchSize: 0 }, 'options.batchSize'],
    ] as const) {
      const error = await trainVoxelAutoencoder(model, data, options as never).catch((e) => e);
      expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(arg);
    }
    model.dispose();
  });
});
