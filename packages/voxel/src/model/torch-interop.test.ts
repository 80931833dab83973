import { resolve } from 'node:path';
import { isCellshapeError } from '@cellshape/core';
import {
  exportStateDictNpz,
  exportTorchCheckpoint,
  readStateDict,
  type StateDict,
  selectBackend,
} from '@cellshape/engine';
import { sameBits } from '@cellshape/engine/test';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURE_DIR, readManifest } from './golden/golden-checks.js';
import { VoxelAutoEncoder } from './voxel-autoencoder.js';

// simple3_state.pt: torch.save(model.state_dict()) of the simple3 reference model with PyTorch's
// own initialisation after one training-mode forward (scripts/make-golden.py).
const PT = resolve(FIXTURE_DIR, 'simple3_state.pt');

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

function expectSameState(actual: StateDict, expected: StateDict): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [key, value] of expected) {
    const ours = actual.get(key);
    expect(ours?.shape, key).toEqual(value.shape);
    expect(sameBits(ours?.data as never, value.data as never), `${key}: same bits`).toBe(true);
  }
}

describe('PyTorch state dicts', () => {
  test('a torch.save(state_dict()) .pt imports, and exports as .pt and .npz, bit for bit', () => {
    const torch = readStateDict(PT);
    expect(torch.get('encoder.bn1.num_batches_tracked')?.data).toEqual(BigInt64Array.of(1n));
    const model = new VoxelAutoEncoder(readManifest().cases.simple3);
    model.loadStateDict(torch);
    expectSameState(model.stateDict(), torch);
    expectSameState(readStateDict(exportTorchCheckpoint(model)), torch);
    expectSameState(readStateDict(exportStateDictNpz(model)), torch);
    model.dispose();
  });

  test('a .pt of another architecture → IncompatibleError naming missing and unexpected keys', () => {
    const model = new VoxelAutoEncoder({
      ...readManifest().cases.simple3,
      numLayers: 4,
      inputShape: [24, 24, 24, 1],
      filters: [4, 6, 8, 8],
    });
    let error: unknown;
    try {
      model.loadStateDict(readStateDict(PT));
    } catch (e) {
      error = e;
    }
    expect(isCellshapeError(error, 'INCOMPATIBLE')).toBe(true);
    expect((error as Error).message).toMatch(/encoder\.conv4\.weight/);
    model.dispose();
  });
});
