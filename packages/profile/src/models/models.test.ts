import { isCellshapeError } from '@cellshape/core';
import {
  exportStateDictNpz,
  isAutoencoder,
  isEncoder,
  readStateDict,
  selectBackend,
} from '@cellshape/engine';
import { expectNoLeaks, randomNormal } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { CnnClassifier } from './cnn-classifier.js';
import { ConvAutoEncoder2D } from './conv-autoencoder-2d.js';
import { SiameseEncoder } from './siamese-encoder.js';

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

describe('2D image models', () => {
  test('SiameseEncoder: shapes, PyTorch names and shapes, an Encoder', () => {
    const net = new SiameseEncoder({ inputShape: [16, 16, 2], filters: [4, 8], numFeatures: 6 });
    expect(isEncoder(net)).toBe(true);
    const x = randomNormal([3, 16, 16, 2], 1);
    const z = net.encode(x);
    expect(z.shape).toEqual([3, 6]);
    expect(net.torchShape('blocks.0.conv.weight')).toEqual([4, 2, 3, 3]);
    expect(net.torchShape('blocks.1.conv.weight')).toEqual([8, 4, 3, 3]);
    expect(net.torchShape('fc.weight')).toEqual([6, 8]);
    expect([...net.stateDict().keys()]).toContain('bn.running_var');
    expect([...net.stateDict().keys()]).toContain('blocks.1.norm.num_batches_tracked');
    tf.dispose([x, z]);
    net.dispose();
  });

  test('ConvAutoEncoder2D: F = code size, reconstruction of the input shape, an Autoencoder', () => {
    const net = new ConvAutoEncoder2D({ inputShape: [32, 16, 1], filters: [2, 3, 4] });
    expect(isAutoencoder(net)).toBe(true);
    expect(net.numFeatures).toBe(4 * 2);
    const x = randomNormal([2, 32, 16, 1], 2);
    const { features, reconstruction } = net.forward(x);
    expect(features.shape).toEqual([2, 8]);
    expect(reconstruction.shape).toEqual([2, 32, 16, 1]);
    expect(net.torchShape('decoder.0.up.weight')).toEqual([4, 4, 2, 2]);
    expect(net.torchShape('decoder.2.up.weight')).toEqual([3, 2, 2, 2]);
    expect(net.torchShape('head.weight')).toEqual([1, 2, 1, 1]);
    const loss = net.reconstructionLoss(x, reconstruction);
    const direct = tf.tidy(() => tf.mean(tf.square(tf.sub(x, reconstruction))));
    expect(loss.dataSync()[0]).toBeCloseTo(direct.dataSync()[0] as number, 6);
    tf.dispose([x, features, reconstruction, loss, direct]);
    net.dispose();
  });

  test('CnnClassifier: logits [B, K], the embedding is the penultimate layer', () => {
    const net = new CnnClassifier({
      numClasses: 3,
      inputShape: [8, 8, 1],
      filters: [4],
      numFeatures: 5,
    });
    net.eval();
    const x = randomNormal([2, 8, 8, 1], 3);
    const logits = net.logits(x);
    expect(logits.shape).toEqual([2, 3]);
    expect(net.encode(x).shape).toEqual([2, 5]);
    expect(net.torchShape('head.weight')).toEqual([3, 5]);
    tf.dispose([x, logits]);
    net.dispose();
  });

  test('state dicts round-trip; evaluation mode is deterministic, no tensors leak', async () => {
    const a = new SiameseEncoder({ inputShape: [8, 8, 1], filters: [3], numFeatures: 4, seed: 1 });
    const b = new SiameseEncoder({ inputShape: [8, 8, 1], filters: [3], numFeatures: 4, seed: 2 });
    b.loadStateDict(a.stateDict());
    const x = randomNormal([2, 8, 8, 1], 4);
    a.eval();
    b.eval();
    await expectNoLeaks(() => {
      const za = a.encode(x);
      const zb = b.encode(x);
      expect(Array.from(za.dataSync())).toEqual(Array.from(zb.dataSync()));
      tf.dispose([za, zb]);
    });
    x.dispose();
    a.dispose();
    b.dispose();
  });

  test('an .npz state dict (PyTorch names and layouts) rebuilds the same autoencoder', () => {
    const options = { inputShape: [16, 16, 1] as const, filters: [2, 3], codeChannels: 2 };
    const a = new ConvAutoEncoder2D({ ...options, seed: 1 }).eval();
    const b = new ConvAutoEncoder2D({ ...options, seed: 9 }).eval();
    const npz = exportStateDictNpz(a);
    const read = readStateDict(npz);
    expect(read.get('decoder.1.up.weight')?.shape).toEqual([3, 2, 2, 2]);
    b.loadStateDict(read);
    const x = randomNormal([2, 16, 16, 1], 6);
    const [ra, rb] = [a.forward(x).reconstruction, b.forward(x).reconstruction];
    expect(Array.from(rb.dataSync())).toEqual(Array.from(ra.dataSync()));
    tf.dispose([x, ra, rb]);
    a.dispose();
    b.dispose();
  });

  test('dropout masks repeat after reseeding; evaluation mode has none', () => {
    const net = new SiameseEncoder({
      inputShape: [8, 8, 1],
      filters: [3],
      numFeatures: 4,
      dropout: 0.5,
    });
    const x = randomNormal([4, 8, 8, 1], 5);
    net.reseedDropout(7);
    const z1 = net.encode(x);
    const z2 = net.encode(x);
    net.reseedDropout(7);
    const z3 = net.encode(x);
    expect(Array.from(z3.dataSync())).toEqual(Array.from(z1.dataSync()));
    expect(Array.from(z2.dataSync())).not.toEqual(Array.from(z1.dataSync()));
    tf.dispose([x, z1, z2, z3]);
    net.dispose();
  });

  test('bad options and inputs are typed errors naming the argument', () => {
    for (const [make, arg] of [
      [() => new SiameseEncoder({ inputShape: [12, 12, 1] }), 'options.inputShape'],
      [() => new SiameseEncoder({ filters: [] }), 'options.filters'],
      [() => new SiameseEncoder({ dropout: 1 }), 'options.dropout'],
      [() => new ConvAutoEncoder2D({ codeChannels: 0 }), 'options.codeChannels'],
      [() => new CnnClassifier({ numClasses: 1 }), 'options.numClasses'],
    ] as const) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isCellshapeError(error, 'INVALID_ARGUMENT'), arg).toBe(true);
      expect((error as Error).message).toContain(arg);
    }
    const net = new SiameseEncoder({ inputShape: [8, 8, 1], filters: [2], numFeatures: 2 });
    const wrong = tf.zeros([2, 8, 8, 3]);
    expect(() => net.encode(wrong)).toThrow(/images/);
    wrong.dispose();
    net.dispose();
  });
});
