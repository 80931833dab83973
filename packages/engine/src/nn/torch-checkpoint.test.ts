import { createRng, IncompatibleError, InvalidArgumentError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { Adam } from '../optim/adam.js';
import { sameBits, useBackend } from '../test/index.js';
import { readTorchCheckpoint } from '../torch/read-checkpoint.js';
import type { TorchDict, TorchTensor } from '../torch/types.js';
import { BatchNorm } from './batch-norm.js';
import { Conv2d } from './conv.js';
import { ModuleState } from './module-state.js';
import { optimizerStateFromTorch, optimizerStateToTorch } from './optimizer-state.js';
import { readStateDictFile } from './state-dict-file.js';
import { exportTorchCheckpoint, torchTrainingState } from './torch-checkpoint.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** A Conv2d(2 → 3, k 2) and a batch norm, as a TorchLayoutModule with a state dict. */
function model(seed: number) {
  const conv = new Conv2d(createRng(seed), { inChannels: 2, outChannels: 3, kernelSize: 2 });
  const norm = new BatchNorm(3);
  const state = new ModuleState('Tiny', [...conv.stateEntries('conv'), ...norm.stateEntries('bn')]);
  return state;
}

describe('PyTorch training checkpoints', () => {
  test('export → read: weights, Adam state (moments in PyTorch layout in the file), epoch, loss', () => {
    const state = model(1);
    const adam = new Adam(state.namedParameters(), { lr: 1e-3 });
    const grads = new Map(
      state
        .namedParameters()
        .map(([name, v]) => [name, tf.randomNormal(v.shape, 0, 1, 'float32', 3)]),
    );
    adam.step(grads);
    tf.dispose([...grads.values()]);
    const bytes = exportTorchCheckpoint(state, { optimizer: adam, epoch: 2, loss: 0.75 });
    const file = readStateDictFile(bytes);
    expect(file.format).toBe('pt');
    const restored = model(2);
    restored.loadStateDict(file.state);
    for (const [key, array] of state.stateDict())
      expect(sameBits(restored.stateDict().get(key)!.data, array.data), key).toBe(true);
    const training = torchTrainingState(file.checkpoint, restored);
    expect([training.epoch, training.loss]).toEqual([2, 0.75]);
    const original = adam.stateDict();
    for (const [index, entry] of Object.entries(original.state))
      expect(
        sameBits(training.optimizerState!.state[Number(index)]!.exp_avg.data, entry.exp_avg.data),
      ).toBe(true);
    // In the file the conv weight's moment has PyTorch's shape [out, in, kh, kw].
    const saved = (readTorchCheckpoint(bytes) as TorchDict).get(
      'optimizer_state_dict',
    ) as TorchDict;
    const first = (saved.get('state') as TorchDict).get(0) as TorchDict;
    expect((first.get('exp_avg') as TorchTensor).shape).toEqual([3, 2, 2, 2]);
    // Without a model (an optimizer over more than the model), no optimizer state.
    expect(torchTrainingState(file.checkpoint).optimizerState).toBeUndefined();
    expect(torchTrainingState(undefined)).toEqual({});
    state.dispose();
    restored.dispose();
  });

  test('errors name the argument', () => {
    const state = model(0);
    expect(() => exportTorchCheckpoint({} as never)).toThrow(InvalidArgumentError);
    expect(() => exportTorchCheckpoint(state, { epoch: -1 })).toThrow(
      /'options.epoch' must be an integer ≥ 0/,
    );
    expect(() => exportTorchCheckpoint(state, { loss: '1' as never })).toThrow(/'options.loss'/);
    const adam = new Adam([]).stateDict();
    const stray = {
      ...adam,
      state: {
        9: {
          step: 1,
          exp_avg: { data: new Float32Array(1), shape: [1] },
          exp_avg_sq: { data: new Float32Array(1), shape: [1] },
        },
      },
    };
    expect(() => optimizerStateToTorch(state, stray)).toThrow(IncompatibleError);
    expect(() => optimizerStateToTorch({} as never, adam)).toThrow(
      /'model' must be a model with namedParameters/,
    );
    // Adam state of a model whose conv has another kernel: the moments do not fit.
    const other = new Conv2d(createRng(0), { inChannels: 2, outChannels: 3, kernelSize: 3 });
    const otherState = new ModuleState('Other', [
      ...other.stateEntries('conv'),
      ...new BatchNorm(3).stateEntries('bn'),
    ]);
    const otherAdam = new Adam(otherState.namedParameters());
    const ones = new Map(otherState.namedParameters().map(([name, v]) => [name, tf.onesLike(v)]));
    otherAdam.step(ones);
    tf.dispose([...ones.values()]);
    const bytes = exportTorchCheckpoint(otherState, { optimizer: otherAdam });
    const saved = (readTorchCheckpoint(bytes) as TorchDict).get('optimizer_state_dict');
    expect(() => optimizerStateFromTorch(otherState, saved as never)).not.toThrow();
    expect(() => torchTrainingState(readStateDictFile(bytes).checkpoint, state)).toThrow(
      IncompatibleError,
    );
    otherState.dispose();
    state.dispose();
  });
});
