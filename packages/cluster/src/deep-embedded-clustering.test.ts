import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudAutoEncoder } from '@cellshape/cloud';
import { IncompatibleError, InvalidArgumentError, parseNpz } from '@cellshape/core';
import { extractStateDict, readTorchCheckpoint, type StateDict } from '@cellshape/engine';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClusteringLayer } from './clustering-layer.js';
import { DeepEmbeddedClustering } from './deep-embedded-clustering.js';
import { goldenPath, matrixOf, maxAbsDiff, SHARED } from './test-utils/fixtures.js';
import { LinearAutoencoder } from './test-utils/linear-autoencoder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function build(seed = 0): DeepEmbeddedClustering {
  return new DeepEmbeddedClustering(
    new LinearAutoencoder(3, 2, seed),
    new ClusteringLayer({ numClusters: 4, numFeatures: 2, seed }),
  );
}

describe('ClusteringLayer', () => {
  it('initialises Xavier-uniform (seeded) or from given centres, and sets centres', () => {
    const a = new ClusteringLayer({ numClusters: 5, numFeatures: 32, seed: 3 });
    const bound = Math.sqrt(6 / 37);
    const w = a.centres();
    expect(w.shape).toEqual([5, 32]);
    expect(w.data.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...w.data.map(Math.abs))).toBeGreaterThan(bound * 0.8);
    const b = new ClusteringLayer({ numClusters: 5, numFeatures: 32, seed: 3 });
    expect(b.centres().data).toEqual(w.data);
    const c = new ClusteringLayer({
      numClusters: 2,
      numFeatures: 1,
      centres: { data: new Float64Array([1, 2]), shape: [2, 1] },
    });
    expect(Array.from(c.centres().data)).toEqual([1, 2]);
    c.setCentres({ data: new Float32Array([3, 4]), shape: [2, 1] });
    expect(Array.from(c.centres().data)).toEqual([3, 4]);
    const q = c.forward(tf.tensor2d([[3]]));
    expect(q.dataSync()[0]).toBeCloseTo(2 / 3, 6);
    for (const l of [a, b, c]) l.dispose();
  });

  it('rejects bad input', () => {
    expect(() => new ClusteringLayer({ numClusters: 0, numFeatures: 2 })).toThrow(/numClusters/);
    expect(() => new ClusteringLayer({ numClusters: 2, numFeatures: 2, alpha: 0 })).toThrow(
      /alpha/,
    );
    expect(
      () =>
        new ClusteringLayer({
          numClusters: 2,
          numFeatures: 2,
          centres: { data: new Float32Array(2), shape: [1, 2] },
        }),
    ).toThrow(/2 rows/);
    const l = new ClusteringLayer({ numClusters: 2, numFeatures: 2 });
    expect(() => l.setCentres({ data: new Float32Array(6), shape: [3, 2] })).toThrow(
      IncompatibleError,
    );
    l.dispose();
  });
});

describe('DeepEmbeddedClustering', () => {
  it('names parameters and state as PyTorch cellshape-cluster and round-trips its state dict', () => {
    const dec = build(1);
    const keys = ['encoder.weight', 'encoder.bias', 'decoder.weight', 'decoder.bias'];
    expect(dec.namedParameters().map(([n]) => n)).toEqual([
      ...keys.map((k) => `autoencoder.${k}`),
      'clustering_layer.weight',
    ]);
    const state = dec.stateDict();
    expect([...state.keys()]).toEqual([
      ...keys.map((k) => `autoencoder.${k}`),
      'clustering_layer.weight',
    ]);
    expect(state.get('clustering_layer.weight')!.shape).toEqual([4, 2]);
    const other = build(2);
    other.loadStateDict(state);
    for (const [k, v] of other.stateDict())
      expect(Array.from(v.data as Float32Array)).toEqual(
        Array.from(state.get(k)!.data as Float32Array),
      );
    expect(dec.config()).toMatchObject({
      type: 'DeepEmbeddedClustering',
      numClusters: 4,
      alpha: 1,
    });
    const out = tf.tidy(() => {
      const f = dec.forward(tf.ones([5, 3]));
      return [f.reconstruction.shape, f.features.shape, f.q.shape];
    });
    expect(out).toEqual([
      [5, 3],
      [5, 2],
      [5, 4],
    ]);
    expect(dec.eval().training).toBe(false);
    dec.dispose();
    other.dispose();
  });

  it('refuses incompatible state dicts', () => {
    const dec = build();
    const state = dec.stateDict();
    const without = new Map(state);
    without.delete('clustering_layer.weight');
    expect(() => dec.loadStateDict(without)).toThrow(/missing key clustering_layer.weight/);
    dec.loadStateDict(without, { strict: false });
    const extra: StateDict = new Map(state).set('optimizer.x', {
      data: new Float32Array(1),
      shape: [1],
    });
    expect(() => dec.loadStateDict(extra)).toThrow(/unexpected keys optimizer.x/);
    const wrong: StateDict = new Map(state).set('clustering_layer.weight', {
      data: new Float32Array(6),
      shape: [3, 2],
    });
    expect(() => dec.loadStateDict(wrong)).toThrow(IncompatibleError);
    const nan: StateDict = new Map(state).set('clustering_layer.weight', {
      data: new Float32Array(8).fill(Number.NaN),
      shape: [4, 2],
    });
    expect(() => dec.loadStateDict(nan)).toThrow(/non-finite/);
    expect(
      () =>
        new DeepEmbeddedClustering(
          new LinearAutoencoder(3, 2),
          new ClusteringLayer({ numClusters: 2, numFeatures: 3 }),
        ),
    ).toThrow(/3 features, the autoencoder 2/);
    expect(
      () =>
        new DeepEmbeddedClustering(
          {} as LinearAutoencoder,
          new ClusteringLayer({ numClusters: 2, numFeatures: 3 }),
        ),
    ).toThrow(InvalidArgumentError);
    dec.dispose();
  });
});

const small = goldenPath('small.npz');
describe.skipIf(!small)('DeepEmbeddedClustering around the golden CloudAutoEncoder (small)', () => {
  it('maps the PyTorch DEC state dict one to one and reproduces eval_q', () => {
    const g = parseNpz(readFileSync(small!));
    const manifest = JSON.parse(
      readFileSync(resolve(SHARED, 'reference/golden/manifest.json'), 'utf8'),
    );
    const { state_dict_keys: keys, parameter_order: order } = manifest.cases.small;
    const weights = extractStateDict(
      readTorchCheckpoint(resolve(SHARED, 'reference/golden/small.pt')),
    );
    const torchState: StateDict = new Map();
    for (const [k, v] of weights) torchState.set(`autoencoder.${k}`, v);
    const centres = matrixOf(g.cluster_weight);
    torchState.set('clustering_layer.weight', {
      data: Float32Array.from(centres.data),
      shape: [5, 32],
    });
    const dec = new DeepEmbeddedClustering(
      new CloudAutoEncoder({ numFeatures: 32, k: 8 }),
      new ClusteringLayer({ numClusters: 5, numFeatures: 32 }),
    );
    dec.loadStateDict(torchState);
    expect([...dec.stateDict().keys()]).toEqual([
      ...keys.map((k: string) => `autoencoder.${k}`),
      'clustering_layer.weight',
    ]);
    expect(dec.namedParameters().map(([n]) => n)).toEqual([
      ...order.map((k: string) => `autoencoder.${k}`),
      'clustering_layer.weight',
    ]);
    dec.eval();
    const input = g.input!;
    const q = tf.tidy(() => {
      // Encoder and clustering layer only: the 2025-point decoder is slow on the cpu backend.
      const z = dec.encode(
        tf.tensor3d(input.data as Float32Array, input.shape as [number, number, number]),
      );
      return dec.clusteringLayer.forward(z).dataSync();
    });
    expect(maxAbsDiff(q, matrixOf(g.eval_q).data)).toBeLessThan(1e-5);
    dec.dispose();
  });
});
