import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { selectBackend } from '@cellshape/engine';
import { beforeAll, expect, test } from 'vitest';
import { FIXTURE_DIR } from './golden/golden-checks.js';
import { VoxelAutoEncoder } from './voxel-autoencoder.js';
import type { ResNetBlock, ResNetDepth, ShortcutType } from './voxel-options.js';

// Encoder parameter counts of the PyTorch reference (scripts/make-golden.py, Hara's 3D ResNet
// with the standard stage sizes) at widen factor 1/8, numFeatures 50: every depth with both
// block types (shortcut B), and shortcut A for depths 10 and 50.
const expected = JSON.parse(
  readFileSync(resolve(FIXTURE_DIR, 'resnet-parameters.json'), 'utf8'),
) as {
  widenFactor: number;
  numFeatures: number;
  counts: Record<string, number>;
};

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

test.each(Object.entries(expected.counts))(
  'ResNet %s has the reference parameter count',
  (name, count) => {
    const [depth, block, shortcut] = name.split('-') as [string, ResNetBlock, ShortcutType];
    const model = new VoxelAutoEncoder({
      encoderType: 'resnet',
      resnetDepth: Number(depth) as ResNetDepth,
      resnetBlock: block,
      shortcutType: shortcut,
      widenFactor: expected.widenFactor,
      numFeatures: expected.numFeatures,
      inputShape: [16, 16, 16, 1],
      filters: [1, 1, 1],
    });
    let total = 0;
    for (const [key, variable] of model.namedParameters())
      if (key.startsWith('encoder.')) total += variable.size;
    expect(total).toBe(count);
    model.dispose();
  },
);
