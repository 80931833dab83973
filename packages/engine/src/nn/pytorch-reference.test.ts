import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRng, type NdArray, parseNpz } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectClose, sameBits, TEST_BACKENDS, useBackend } from '../test/index.js';
import {
  extractStateDict,
  readTorchCheckpoint,
  type TorchDict,
  type TorchTensor,
} from '../torch/index.js';
import type { StateDict } from '../training/module.js';
import { BatchNorm } from './batch-norm.js';
import { Conv3d } from './conv.js';
import { ConvTranspose3d } from './conv-transpose.js';
import { Linear } from './linear.js';
import { ModuleState } from './module-state.js';
import { readStateDict } from './state-dict-file.js';
import { torchFlatten, torchUnflatten } from './torch-flatten.js';

// Fixtures written by packages/engine/scripts/make-conv-fixture.py (torch 1.13).
const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const PT = resolve(FIXTURES, 'conv-model.pt');
const IO = parseNpz(readFileSync(resolve(FIXTURES, 'conv-model-io.npz')));

/**
 * The fixture's `ConvModel` from the engine's blocks, with PyTorch's module names:
 * encoder.0 Conv3d(1→4, k3, s2, p1) → encoder.1 BatchNorm3d → LeakyReLU(0.2) → flatten →
 * embedding Linear(256→8) → deembedding Linear(8→256) → [4, 4, 4, 4] →
 * decoder ConvTranspose3d(4→1, k3, s2, p1, op1) → sigmoid. Channels-last.
 */
class ConvModel {
  readonly conv: Conv3d;
  readonly norm = new BatchNorm(4);
  readonly embedding: Linear;
  readonly deembedding: Linear;
  readonly decoder: ConvTranspose3d;
  readonly state: ModuleState;

  constructor(seed: number) {
    const rng = createRng(seed);
    this.conv = new Conv3d(rng, {
      inChannels: 1,
      outChannels: 4,
      kernelSize: 3,
      stride: 2,
      padding: 1,
    });
    this.embedding = new Linear(rng, { inFeatures: 256, outFeatures: 8 });
    this.deembedding = new Linear(rng, { inFeatures: 8, outFeatures: 256 });
    this.decoder = new ConvTranspose3d(rng, {
      inChannels: 4,
      outChannels: 1,
      kernelSize: 3,
      stride: 2,
      padding: 1,
      outputPadding: 1,
    });
    this.state = new ModuleState('ConvModel', [
      ...this.conv.stateEntries('encoder.0'),
      ...this.norm.stateEntries('encoder.1'),
      ...this.embedding.stateEntries('embedding'),
      ...this.deembedding.stateEntries('deembedding'),
      ...this.decoder.stateEntries('decoder'),
    ]);
  }

  /** `[B, 8, 8, 8, 1]` → `[B, 8, 8, 8, 1]`. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      const h = tf.leakyRelu(this.norm.apply(this.conv.forward(x), training), 0.2);
      const code = this.deembedding.forward(this.embedding.forward(torchFlatten(h)));
      return tf.sigmoid(this.decoder.forward(torchUnflatten(code, [4, 4, 4, 4])));
    });
  }

  dispose(): void {
    this.state.dispose();
  }
}

/** PyTorch's channels-first `[B, C, D, H, W]` array as a channels-last tensor. */
function channelsLast(array: NdArray): tf.Tensor {
  return tf.tidy(() =>
    tf.transpose(tf.tensor(array.data as Float32Array, array.shape), [0, 2, 3, 4, 1]),
  );
}

function channelsFirstValues(t: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.transpose(t, [0, 4, 1, 2, 3])).dataSync() as Float32Array;
}

function expectSameState(actual: StateDict, expected: StateDict): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [key, e] of expected) {
    const a = actual.get(key) as NdArray<never>;
    expect(a.shape, key).toEqual(e.shape);
    expect(sameBits(a.data, e.data), key).toBe(true);
  }
}

describe('a PyTorch Conv3d / BatchNorm3d / Linear / ConvTranspose3d model', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test('its state dict round-trips bit for bit: keys, order, shapes, dtypes (int64 counter)', () => {
    const checkpoint = readTorchCheckpoint(PT) as TorchDict;
    const saved = extractStateDict(checkpoint);
    const model = new ConvModel(1);
    expect(model.state.keys()).toEqual([...saved.keys()]);
    model.state.loadStateDict(saved);
    const state = model.state.stateDict();
    expectSameState(state, saved);
    // Same typed-array types as the file's dtypes (sameBits compares them): float32 and int64.
    const dtype = (key: string) => (checkpoint.get(key) as TorchTensor).dtype;
    expect(dtype('encoder.1.num_batches_tracked')).toBe('int64');
    expect(dtype('decoder.weight')).toBe('float32');
    expect(state.get('encoder.1.num_batches_tracked')?.data).toEqual(BigInt64Array.of(3n));
    expect(saved.get('decoder.weight')?.shape).toEqual([4, 1, 3, 3, 3]);
    // The NumPy copy of the same state dict loads to the same state.
    const fromNpz = new ConvModel(2);
    fromNpz.state.loadStateDict(readStateDict(resolve(FIXTURES, 'conv-model-state.npz')));
    expectSameState(fromNpz.state.stateDict(), saved);
    model.dispose();
    fromNpz.dispose();
  });

  describe.each(TEST_BACKENDS)('on %s', (backend) => {
    let model: ConvModel;
    beforeAll(async () => {
      await useBackend(backend);
      model = new ConvModel(0);
      model.state.loadStateDict(readStateDict(PT));
    });
    afterAll(() => model.dispose());

    test('the eval forward matches PyTorch within 1e-5', () => {
      const x = channelsLast(IO.input as NdArray);
      const y = model.forward(x, false);
      expect(y.shape).toEqual([2, 8, 8, 8, 1]);
      expectClose(channelsFirstValues(y), IO.eval_output?.data as Float32Array, 0, 1e-5);
      tf.dispose([x, y]);
    });

    test('a train-mode forward matches PyTorch and updates the running statistics as it does', () => {
      const before = model.state.stateDict();
      const x = channelsLast(IO.input as NdArray);
      const y = model.forward(x, true);
      expectClose(channelsFirstValues(y), IO.train_output?.data as Float32Array, 0, 1e-5);
      const after = model.state.stateDict();
      const data = (key: string) => after.get(`encoder.1.${key}`)?.data as Float32Array;
      expectClose(data('running_mean'), IO.train_running_mean?.data as Float32Array, 1e-6, 1e-7);
      expectClose(data('running_var'), IO.train_running_var?.data as Float32Array, 1e-6, 1e-7);
      expect(after.get('encoder.1.num_batches_tracked')?.data).toEqual(BigInt64Array.of(4n));
      model.state.loadStateDict(before); // back to the file's state for the other tests
      tf.dispose([x, y]);
    });
  });
});
