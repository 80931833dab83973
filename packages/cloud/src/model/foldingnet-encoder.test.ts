import { resolve } from 'node:path';
import { createRng, IncompatibleError, InvalidArgumentError, shapeSize } from '@cellshape/core';
import {
  type BackendName,
  parameterToTorch,
  type StateDict,
  selectBackend,
} from '@cellshape/engine';
import { expectNoLeaks, expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { readNpz } from '../test-utils/index.js';
import type { EncoderTrace, Implementation } from './dgcnn-encoder.js';
import { FOLDINGNET_DEFAULT_K, FoldingNetEncoder } from './foldingnet-encoder.js';

// Written by scripts/make-foldingnet-fixture.py: a PyTorch re-implementation of cellshape-cloud's
// FoldNetEncoder (B = 2, N = 64, k = 16, F = 16) with the weights of `hashedWeights`, float64.
const FIXTURE = readNpz(resolve(import.meta.dirname, 'fixtures/foldingnet-encoder.npz'));
const array = (key: string) => {
  const a = FIXTURE[key];
  if (!a) throw new Error(`fixture key ${key} missing`);
  return a;
};
const B = 2;
const N = 64;
const K = 16;
const F = 16;

/** The weights of the fixture script (`hashed_state`): murmur3-fmix32 of (i, j), scaled. */
function hashedWeights(template: StateDict): StateDict {
  const out: StateDict = new Map();
  [...template].forEach(([key, { shape }], j) => {
    const size = shapeSize(shape);
    const bound = key.endsWith('.bias') ? 0.1 : Math.sqrt(6 / (size / (shape[0] as number)));
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      let h = (Math.imul(i, 0x9e3779b1) + Math.imul(j + 1, 0x85ebca77)) >>> 0;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b) >>> 0;
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35) >>> 0;
      h ^= h >>> 16;
      data[i] = ((h >>> 0) / 2 ** 32) * 2 - 1;
      data[i] = (data[i] as number) * bound;
    }
    out.set(key, { data, shape: [...shape] });
  });
  return out;
}

function fixtureEncoder(implementation: Implementation): FoldingNetEncoder {
  const encoder = new FoldingNetEncoder(F, K, createRng(0), implementation);
  encoder.loadStateDict(hashedWeights(encoder.stateDict()));
  return encoder;
}

/** Keys whose arrays differ between two state dicts (vitest's deep equality is slow on 10⁶ values). */
function differing(a: StateDict, b: StateDict): string[] {
  return [...a]
    .filter(([key, { data }]) => {
      const other = b.get(key)?.data;
      return other?.length !== data.length || data.some((v, i) => v !== other[i]);
    })
    .map(([key]) => key);
}

const fixturePoints = () => tf.tensor3d(array('points').data as Float32Array, [B, N, 3]);

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('FoldingNetEncoder layout (PyTorch names, order, shapes, init)', () => {
  test('19 parameters in named_parameters() order for F = 16; 18 and no embedding for F = 512', () => {
    const encoder = new FoldingNetEncoder(16, FOLDINGNET_DEFAULT_K, createRng(1));
    const state = encoder.stateDict();
    expect([...state.keys()]).toEqual([
      ...[
        'mlp1.0',
        'mlp1.2',
        'mlp1.4',
        'linear1',
        'conv1',
        'linear2',
        'conv2',
        'mlp2.0',
        'mlp2.2',
      ].flatMap((l) => [`encoder.${l}.weight`, `encoder.${l}.bias`]),
      'encoder.embedding.weight',
    ]);
    expect(encoder.namedParameters().map(([name]) => name)).toEqual([...state.keys()]);
    expect(state.get('encoder.mlp1.0.weight')?.shape).toEqual([64, 12, 1]);
    expect(state.get('encoder.linear1.weight')?.shape).toEqual([64, 64]);
    expect(state.get('encoder.conv1.weight')?.shape).toEqual([128, 64, 1]);
    expect(state.get('encoder.linear2.bias')?.shape).toEqual([128]);
    expect(state.get('encoder.conv2.weight')?.shape).toEqual([1024, 128, 1]);
    expect(state.get('encoder.mlp2.0.weight')?.shape).toEqual([512, 1024, 1]);
    expect(state.get('encoder.mlp2.2.bias')?.shape).toEqual([512]);
    expect(state.get('encoder.embedding.weight')?.shape).toEqual([16, 512]);
    // Variables hold weights as [in, out].
    expect(encoder.mlp1[0]?.weight.variable.shape).toEqual([12, 64]);
    // PyTorch default init: weights and biases uniform on ±1/√fan_in.
    const w = state.get('encoder.mlp1.0.weight')?.data as Float32Array;
    const bias = state.get('encoder.conv2.bias')?.data as Float32Array;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(12));
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 / Math.sqrt(12));
    expect(Math.max(...bias.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(128));
    expect(encoder.stateEntries().map((e) => e.key)).toEqual([...state.keys()]);
    encoder.dispose();
    const wide = new FoldingNetEncoder(512, 20, createRng(1));
    expect(wide.namedParameters()).toHaveLength(18);
    expect(wide.embedding).toBeUndefined();
    wide.dispose();
  });

  test('deterministic from the seed', () => {
    const [a, b, c] = [5, 5, 6].map((seed) => new FoldingNetEncoder(8, 4, createRng(seed)));
    const sa = (a as FoldingNetEncoder).stateDict();
    expect(differing(sa, (b as FoldingNetEncoder).stateDict())).toEqual([]);
    expect(differing(sa, (c as FoldingNetEncoder).stateDict())).toHaveLength(sa.size);
    for (const e of [a, b, c]) e?.dispose();
  });
});

describe.each(['cpu', 'wasm'] as BackendName[])('FoldingNetEncoder on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  test.each(['fast', 'plain'] as Implementation[])(
    '%s: kNN graph and features match PyTorch within 1e-4',
    async (implementation) => {
      const encoder = fixtureEncoder(implementation);
      const points = fixturePoints();
      await expectNoLeaks(() => {
        const trace: EncoderTrace = { knn: [], edgeOutputs: [], pooled: undefined as never };
        const features = encoder.forward(points, true, trace);
        expect(Array.from(trace.knn[0]?.dataSync() ?? [])).toEqual(
          Array.from(array('knn').data as Int32Array),
        );
        expect(trace.pooled.shape).toEqual([B, 512]);
        tf.dispose([...trace.knn, trace.pooled]);
        return features;
      });
      const features = encoder.encode(points);
      expectTensorsClose(features, array('features'), { label: 'features' });
      // The two clouds give clearly different features: the input matters.
      const f = features.arraySync() as number[][];
      expect(Math.max(...f[0]!.map((v, i) => Math.abs(v - f[1]![i]!)))).toBeGreaterThan(1);
      tf.dispose([features, points]);
      encoder.dispose();
    },
  );

  test.each(['fast', 'plain'] as Implementation[])(
    '%s: gradients of mean(features²) match PyTorch; an SGD step lowers the loss; no leaks',
    async (implementation) => {
      const encoder = fixtureEncoder(implementation);
      const points = fixturePoints();
      const vars = Object.fromEntries(encoder.namedParameters());
      const lossOf = () => tf.mean(tf.square(encoder.forward(points, true))) as tf.Scalar;
      await expectNoLeaks(() => {
        const { value, grads } = tf.variableGrads(lossOf, Object.values(vars));
        expect(value.dataSync()[0]).toBeCloseTo(Number(array('loss').data[0]), 1);
        for (const key of Object.keys(FIXTURE).filter((k) => k.startsWith('grad.'))) {
          const name = key.slice('grad.'.length);
          const variable = vars[name] as tf.Variable;
          const torch = encoder.stateDict().get(name) as { shape: number[] };
          const entry = encoder.stateEntries().find((e) => e.key === name);
          const grad = (grads[variable.name] as tf.Tensor).dataSync() as Float32Array;
          const data =
            entry?.kind === 'parameter' ? parameterToTorch(entry.parameter, grad).data : grad;
          expect(torch.shape).toEqual(array(key).shape);
          expectTensorsClose(data as Float32Array, array(key), { label: key, rtol: 2e-4 });
        }
        // A small gradient step, sized to lower the loss by about 0.1 % to first order.
        const all = Object.values(grads);
        const norm2 = tf.tidy(() => tf.addN(all.map((g) => tf.sum(tf.square(g)))).dataSync()[0]);
        const rate = (1e-3 * (value.dataSync()[0] as number)) / (norm2 as number);
        tf.tidy(() => {
          for (const variable of Object.values(vars))
            variable.assign(tf.sub(variable, tf.mul(grads[variable.name] as tf.Tensor, rate)));
        });
        const after = tf.tidy(lossOf);
        expect(after.dataSync()[0]).toBeLessThan(value.dataSync()[0] as number);
        return [value, after, ...Object.values(grads)];
      });
      points.dispose();
      encoder.dispose();
    },
  );
});

describe('FoldingNetEncoder invalid input', () => {
  test('constructor', () => {
    const rng = createRng(0);
    for (const f of [1, 1.5, 1025, Number.NaN])
      expect(() => new FoldingNetEncoder(f, 16, rng)).toThrow(InvalidArgumentError);
    for (const k of [1, 0, 2.5]) expect(() => new FoldingNetEncoder(16, k, rng)).toThrow(/'k'/);
    expect(() => new FoldingNetEncoder(16, 16, rng, 'gpu' as Implementation)).toThrow(
      /'implementation'/,
    );
  });

  test('encode', async () => {
    const encoder = new FoldingNetEncoder(8, 4, createRng(0));
    await expectNoLeaks(() => {
      expect(() => encoder.encode([1, 2, 3] as unknown as tf.Tensor)).toThrow(/'points'/);
      const bad = [
        tf.zeros([4, 3]),
        tf.zeros([1, 8, 4]),
        tf.zeros([0, 8, 3]),
        tf.zeros([1, 8, 3], 'int32'),
        tf.zeros([1, 3, 3]),
        tf.fill([1, 8, 3], Number.NaN),
      ];
      for (const t of bad) expect(() => encoder.encode(t)).toThrow(InvalidArgumentError);
      expect(() => encoder.encode(bad[4] as tf.Tensor)).toThrow(/at least k = 4 points/);
      expect(() => encoder.encode(bad[5] as tf.Tensor)).toThrow(/finite/);
      tf.dispose(bad);
    });
    encoder.dispose();
  });

  test('loadStateDict: strict, all-or-nothing', () => {
    const encoder = new FoldingNetEncoder(8, 4, createRng(0));
    const before = encoder.stateDict();
    const weights = hashedWeights(before);
    const wrong = new Map(weights);
    wrong.delete('encoder.conv2.bias');
    expect(() => encoder.loadStateDict(wrong)).toThrow(/missing: encoder.conv2.bias/);
    const extra = new Map(weights).set('encoder.bn1.weight', {
      data: new Float32Array(1),
      shape: [1],
    });
    expect(() => encoder.loadStateDict(extra)).toThrow(/unexpected: encoder.bn1.weight/);
    const shaped = new Map(weights);
    shaped.set('encoder.linear1.weight', { data: new Float32Array(64 * 64), shape: [64, 64, 1] });
    expect(() => encoder.loadStateDict(shaped)).toThrow(IncompatibleError);
    const nan = new Map(weights);
    nan.set('encoder.mlp2.2.bias', { data: new Float32Array(512).fill(Number.NaN), shape: [512] });
    expect(() => encoder.loadStateDict(nan)).toThrow(/non-finite/);
    expect(() => encoder.loadStateDict(null as never)).toThrow(InvalidArgumentError);
    expect(differing(before, encoder.stateDict())).toEqual([]);
    encoder.dispose();
  });
});
