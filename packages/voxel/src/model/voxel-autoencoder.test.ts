import { createRng, isCellshapeError } from '@cellshape/core';
import { exportStateDictNpz, readStateDict, selectBackend } from '@cellshape/engine';
import { expectNoLeaks } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { VoxelAutoEncoder } from './voxel-autoencoder.js';
import { VoxelDecoder } from './voxel-decoder.js';
import { encoderSizes, minimumCubeSize, resolveVoxelOptions } from './voxel-options.js';

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

const TINY = { filters: [2, 2, 2, 2, 2], numFeatures: 3 };

describe('VoxelAutoEncoder shapes', () => {
  // Output equals input for the cube sizes of the paper's comparisons and the default 64³:
  // every layer's PyTorch output-size formula for all, a real decode for the small ones.
  test.each([32, 48, 64, 96, 128])('decoder output equals the %i³ input', (n) => {
    for (const numLayers of [3, 4, 5]) {
      if (n < minimumCubeSize(numLayers)) continue;
      const options = resolveVoxelOptions({ ...TINY, inputShape: [n, n, n, 1], numLayers });
      const decoder = new VoxelDecoder(options, createRng(0));
      const shapes = decoder.layerShapes(2);
      expect(shapes.at(-1), `${numLayers} layers`).toEqual([2, n, n, n, 1]);
      const sizes = encoderSizes(n, numLayers).reverse();
      expect(shapes.map((s) => s[1])).toEqual(sizes);
      if (n <= 48) {
        const out = tf.tidy(() => decoder.forward(tf.zeros([1, 3]), false).shape);
        expect(out).toEqual([1, n, n, n, 1]);
      }
      decoder.dispose();
    }
  });

  test('encoder sizes follow the strided layers: ⌈n/2⌉ per 5³ layer, ⌊(m − 1)/2⌋ for the last', () => {
    expect(encoderSizes(64, 3)).toEqual([64, 32, 16, 7]);
    expect(encoderSizes(48, 4)).toEqual([48, 24, 12, 6, 2]);
    expect(encoderSizes(33, 5)).toEqual([33, 17, 9, 5, 3, 1]);
    expect(minimumCubeSize(3)).toBe(9);
  });

  test('forward: features [B, F], probabilities in (0, 1) of the input shape, no leaks', async () => {
    const model = new VoxelAutoEncoder({ ...TINY, inputShape: [16, 16, 16, 1] });
    const x = tf.tidy(() =>
      tf.cast(tf.greater(tf.randomUniform([2, 16, 16, 16, 1], 0, 1, 'float32', 1), 0.5), 'float32'),
    );
    await expectNoLeaks(() => {
      const { features, reconstruction } = model.forward(x);
      expect(features.shape).toEqual([2, 3]);
      expect(reconstruction.shape).toEqual([2, 16, 16, 16, 1]);
      const r = reconstruction.dataSync();
      expect(r.every((v) => v > 0 && v < 1)).toBe(true);
      tf.dispose([features, reconstruction]);
    });
    x.dispose();
    model.dispose();
  });
});

describe('VoxelAutoEncoder options', () => {
  test.each([
    [{ inputShape: [64, 64, 32, 1] }, 'inputShape'],
    [{ inputShape: [8, 8, 8, 1] }, 'inputShape'],
    [{ inputShape: [32, 32, 32, 2] }, 'inputShape'],
    [{ numLayers: 6 }, 'numLayers'],
    [{ numLayers: 5, inputShape: [32, 32, 32, 1] }, 'inputShape'],
    [{ filters: [4, 4] }, 'filters'],
    [{ encoderType: 'vgg' }, 'encoderType'],
    [{ resnetDepth: 20 }, 'resnetDepth'],
    [{ shortcutType: 'C' }, 'shortcutType'],
    [{ loss: 'mse' }, 'loss'],
    [{ widenFactor: 0.001 }, 'widenFactor'],
  ])('%j → InvalidArgumentError naming %s', (options, arg) => {
    let error: unknown;
    try {
      new VoxelAutoEncoder(options as never);
    } catch (e) {
      error = e;
    }
    expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(`'${arg}'`);
  });

  test('the inputShape error names the sizes allowed', () => {
    expect(() => new VoxelAutoEncoder({ inputShape: [8, 8, 8, 1] })).toThrow(/n an integer ≥ 9/);
  });

  test('encode refuses volumes of another shape, naming the model input', () => {
    const model = new VoxelAutoEncoder({ ...TINY, inputShape: [16, 16, 16, 1] });
    const x = tf.zeros([1, 16, 16, 8, 1]);
    expect(() => model.encode(x)).toThrow(/\[B, 16, 16, 16, 1\]/);
    x.dispose();
    model.dispose();
  });

  test('config() rebuilds the same architecture; the resnet block follows the depth', () => {
    const model = new VoxelAutoEncoder({
      ...TINY,
      encoderType: 'resnet',
      resnetDepth: 50,
      widenFactor: 0.0625,
      inputShape: [16, 16, 16, 1],
    });
    const config = model.config();
    expect(config.resnetBlock).toBe('bottleneck');
    const again = VoxelAutoEncoder.fromConfig(JSON.parse(JSON.stringify(config)));
    expect([...again.stateDict().keys()]).toEqual([...model.stateDict().keys()]);
    model.dispose();
    again.dispose();
  });
});

describe('VoxelAutoEncoder state dicts', () => {
  test('the original key names; npz round trip is bit for bit', () => {
    const a = new VoxelAutoEncoder({ ...TINY, inputShape: [16, 16, 16, 1], seed: 1 });
    const keys = [...a.stateDict().keys()];
    expect(keys).toContain('encoder.conv1.weight');
    expect(keys).toContain('encoder.bn2.running_var');
    expect(keys).toContain('encoder.embedding.weight');
    expect(keys).toContain('decoder.debedding.weight');
    expect(keys).toContain('decoder.deconv3.weight');
    expect(keys).toContain('decoder.bn2.num_batches_tracked');
    const b = new VoxelAutoEncoder({ ...TINY, inputShape: [16, 16, 16, 1], seed: 2 });
    b.loadStateDict(readStateDict(exportStateDictNpz(a)));
    const sa = a.stateDict();
    for (const [key, value] of b.stateDict()) expect(value.data, key).toEqual(sa.get(key)?.data);
    a.dispose();
    b.dispose();
  });

  test('a state dict of another architecture → IncompatibleError naming the keys', () => {
    const simple = new VoxelAutoEncoder({ ...TINY, inputShape: [16, 16, 16, 1] });
    const resnet = new VoxelAutoEncoder({
      ...TINY,
      inputShape: [16, 16, 16, 1],
      encoderType: 'resnet',
      widenFactor: 0.0625,
    });
    let error: unknown;
    try {
      simple.loadStateDict(resnet.stateDict());
    } catch (e) {
      error = e;
    }
    expect(isCellshapeError(error, 'INCOMPATIBLE')).toBe(true);
    expect((error as Error).message).toMatch(/encoder\.embedding\.weight|encoder\.layer1/);
    simple.dispose();
    resnet.dispose();
  });
});
