import { IncompatibleError, InvalidArgumentError } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { expectNoLeaks, expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { chamferLoss } from '../losses/index.js';
import { CloudAutoEncoder, type CloudAutoEncoderOptions, sourcePoints } from './index.js';

// Small and fast: 16 sphere source points, linear-style decoder.
const TINY: CloudAutoEncoderOptions = {
  numFeatures: 8,
  k: 4,
  decoderType: 'foldingnetbasic',
  shape: 'sphere',
  numSourcePoints: 16,
  seed: 3,
};

function cloud(b: number, n: number, seed = 1): tf.Tensor3D {
  return tf.randomNormal([b, n, 3], 0, 1, 'float32', seed) as tf.Tensor3D;
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('CloudAutoEncoder layout (PyTorch state_dict and parameters)', () => {
  test('69 state keys in PyTorch order for F = 128, conv decoder; 29 parameters', () => {
    const model = new CloudAutoEncoder();
    const state = model.stateDict();
    const keys = [...state.keys()];
    expect(keys).toHaveLength(69);
    expect(keys.slice(0, 6)).toEqual([
      'encoder.bn1.weight',
      'encoder.bn1.bias',
      'encoder.bn1.running_mean',
      'encoder.bn1.running_var',
      'encoder.bn1.num_batches_tracked',
      'encoder.bn2.weight',
    ]);
    expect(keys.slice(25, 32)).toEqual([
      'encoder.conv1.0.weight',
      'encoder.conv1.1.weight',
      'encoder.conv1.1.bias',
      'encoder.conv1.1.running_mean',
      'encoder.conv1.1.running_var',
      'encoder.conv1.1.num_batches_tracked',
      'encoder.conv2.0.weight',
    ]);
    expect(keys.slice(-3)).toEqual([
      'decoder.folding2.4.weight',
      'decoder.folding2.4.bias',
      'decoder.deembedding.weight',
    ]);
    expect(state.get('encoder.conv1.0.weight')?.shape).toEqual([64, 6, 1, 1]);
    expect(state.get('encoder.conv5.0.weight')?.shape).toEqual([512, 512, 1]);
    expect(state.get('encoder.embedding.weight')?.shape).toEqual([128, 512]);
    expect(state.get('decoder.folding1.0.weight')?.shape).toEqual([512, 514, 1]);
    expect(state.get('decoder.deembedding.weight')?.shape).toEqual([512, 128]);
    expect(state.get('encoder.bn3.num_batches_tracked')?.data).toEqual(BigInt64Array.of(0n));
    const names = model.namedParameters().map(([name]) => name);
    expect(names).toHaveLength(29);
    expect(names.slice(0, 3)).toEqual([
      'encoder.bn1.weight',
      'encoder.bn1.bias',
      'encoder.bn2.weight',
    ]);
    expect(names[10]).toBe('encoder.conv1.0.weight');
    expect(names[15]).toBe('encoder.embedding.weight');
    expect(names[16]).toBe('decoder.folding1.0.weight');
    expect(names[28]).toBe('decoder.deembedding.weight');
    // PyTorch default init: |w| ≤ 1/√fan_in, batch norm weight 1 and bias 0.
    const w1 = state.get('encoder.conv1.0.weight')?.data as Float32Array;
    expect(Math.max(...w1.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(6));
    expect(Math.max(...w1.map(Math.abs))).toBeGreaterThan(0.3);
    expect(
      Array.from(state.get('encoder.bn1.weight')?.data as Float32Array).every((v) => v === 1),
    ).toBe(true);
    model.dispose();
  });

  test('67 keys without the embedding linears for F = 512; F = 640 keeps them; basic decoder order', () => {
    const f512 = new CloudAutoEncoder({ numFeatures: 512 });
    const keys = [...f512.stateDict().keys()];
    expect(keys).toHaveLength(67);
    expect(keys.some((k) => k.includes('embedding'))).toBe(false);
    f512.dispose();
    const wide = new CloudAutoEncoder({ ...TINY, numFeatures: 640 });
    const wideState = wide.stateDict();
    expect(wideState.get('encoder.embedding.weight')?.shape).toEqual([640, 512]);
    expect(wideState.get('decoder.deembedding.weight')?.shape).toEqual([512, 640]);
    const decoderKeys = [...wideState.keys()].filter((k) => k.startsWith('decoder.'));
    expect(decoderKeys[0]).toBe('decoder.deembedding.weight');
    expect(decoderKeys[1]).toBe('decoder.folding.folding1.0.weight');
    expect(wideState.get('decoder.folding.folding1.0.weight')?.shape).toEqual([512, 515]);
    expect(wideState.size).toBe(69);
    wide.dispose();
  });

  test('parameterToTorch / parameterFromTorch transpose weights and round-trip', () => {
    const model = new CloudAutoEncoder(TINY);
    const [name, variable] = model
      .namedParameters()
      .find(([n]) => n === 'encoder.conv1.0.weight') as [string, tf.Variable];
    expect(variable.shape).toEqual([6, 64]);
    const torch = model.parameterToTorch(name, variable.dataSync() as Float32Array);
    expect(torch.shape).toEqual([64, 6, 1, 1]);
    expect(torch.data[1]).toBe(variable.dataSync()[64]); // torch [0, 1] = ours [1, 0]
    expect(model.parameterFromTorch(name, torch.data).data).toEqual(variable.dataSync());
    expect(model.torchShape(name)).toEqual([64, 6, 1, 1]);
    expect(() => model.parameterToTorch('nope', torch.data)).toThrow(InvalidArgumentError);
    expect(() => model.parameterToTorch(name, new Float32Array(3))).toThrow(
      /Float32Array of 384 values/,
    );
    model.dispose();
  });
});

describe('CloudAutoEncoder behaviour', () => {
  test('shapes, determinism from the seed, config() rebuilds the same model', () => {
    const a = new CloudAutoEncoder(TINY).eval();
    const b = new CloudAutoEncoder(a.config()).eval();
    const x = cloud(2, 12);
    const out = a.forward(x);
    expect(out.features.shape).toEqual([2, 8]);
    expect(out.reconstruction.shape).toEqual([2, 16, 3]);
    expectTensorsClose(b.forward(x).reconstruction, out.reconstruction, { rtol: 0, atol: 0 });
    expectTensorsClose(a.decode(a.encode(x)), out.reconstruction, { rtol: 1e-6 });
    expect(JSON.parse(JSON.stringify(a.config()))).toEqual(a.config());
    a.dispose();
    b.dispose();
  });

  test('plane source grid: 45 × 45 on [−0.3, 0.3]², first coordinate slowest', () => {
    const grid = sourcePoints('plane', 2025, 0.3, 0, 'product');
    expect(grid.shape).toEqual([2025, 2]);
    expect(Array.from(grid.data.slice(0, 4))).toEqual([
      Math.fround(-0.3),
      Math.fround(-0.3),
      Math.fround(-0.3),
      Math.fround(-0.3 + 0.6 / 44),
    ]);
    expect(Array.from(grid.data.slice(-2))).toEqual([Math.fround(0.3), Math.fround(0.3)]);
    const basic = sourcePoints('plane', 2025, 0.3, 0, 'meshgrid');
    basic.data.forEach((v, i) => {
      expect(Math.abs(v - (grid.data[i] as number))).toBeLessThan(6e-8);
    });
    const sphere = sourcePoints('sphere', 100, 0.3, 5, 'product');
    for (let i = 0; i < 100; i++)
      expect(Math.hypot(...sphere.data.slice(3 * i, 3 * i + 3))).toBeCloseTo(0.3, 6);
    expect(sourcePoints('sphere', 100, 0.3, 5, 'product').data).toEqual(sphere.data);
  });

  test('train mode uses batch statistics and updates running stats; eval does not', () => {
    const model = new CloudAutoEncoder(TINY);
    expect(model.training).toBe(true);
    const x = cloud(2, 12);
    const before = model.stateDict();
    tf.dispose(model.forward(x));
    const after = model.stateDict();
    expect(after.get('encoder.bn1.num_batches_tracked')?.data).toEqual(BigInt64Array.of(1n));
    expect(after.get('encoder.bn1.running_mean')?.data).not.toEqual(
      before.get('encoder.bn1.running_mean')?.data,
    );
    model.eval();
    tf.dispose(model.forward(x));
    expect(model.stateDict().get('encoder.bn5.running_var')?.data).toEqual(
      after.get('encoder.bn5.running_var')?.data,
    );
    model.dispose();
  });

  test('stateDict → loadStateDict reproduces the outputs; either alias name loads a batch norm', () => {
    // Random source points follow the seed (they are not in the state dict): give both the same.
    const points = Array.from(sourcePoints('sphere', 16, 0.3, 7, 'product').data);
    const a = new CloudAutoEncoder({ ...TINY, seed: 1, sourcePoints: points }).eval();
    tf.dispose(a.train().forward(cloud(2, 12, 9)));
    a.eval();
    const b = new CloudAutoEncoder({ ...TINY, seed: 2, sourcePoints: points }).eval();
    const state = a.stateDict();
    for (const key of [...state.keys()]) if (/^encoder\.bn\d\./.test(key)) state.delete(key); // keep convX.1.* only
    b.loadStateDict(state);
    const x = cloud(2, 12);
    expectTensorsClose(b.forward(x).reconstruction, a.forward(x).reconstruction, {
      rtol: 0,
      atol: 0,
    });
    expect(b.stateDict().get('encoder.bn2.num_batches_tracked')?.data).toEqual(
      BigInt64Array.of(1n),
    );
    a.dispose();
    b.dispose();
  });

  test('loadStateDict rejects missing, unexpected, misshapen, conflicting and non-finite entries', () => {
    const model = new CloudAutoEncoder(TINY);
    const good = model.stateDict();
    const without = new Map(good);
    without.delete('encoder.embedding.weight');
    expect(() => model.loadStateDict(without)).toThrow(/missing: encoder.embedding.weight/);
    expect(() => model.loadStateDict(without, { strict: false })).not.toThrow();
    const extra = new Map(good).set('decoder.extra', { data: new Float32Array(1), shape: [1] });
    expect(() => model.loadStateDict(extra)).toThrow(/unexpected: decoder.extra/);
    const bent = new Map(good).set('encoder.conv1.0.weight', {
      data: new Float32Array(384),
      shape: [6, 64],
    });
    expect(() => model.loadStateDict(bent)).toThrow(
      /'encoder.conv1.0.weight' must have shape \[64, 6, 1, 1\], got \[6, 64\]/,
    );
    const conflict = new Map(good).set('encoder.conv2.1.bias', {
      data: new Float32Array(64).fill(3),
      shape: [64],
    });
    expect(() => model.loadStateDict(conflict)).toThrow(/name the same tensor but differ/);
    const nan = new Map(good).set('encoder.bn1.bias', {
      data: new Float32Array(64).fill(Number.NaN),
      shape: [64],
    });
    expect(() => model.loadStateDict(nan)).toThrow(IncompatibleError);
    expect(() => model.loadStateDict(null as never)).toThrow(InvalidArgumentError);
    model.dispose();
  });

  test('invalid inputs and options throw InvalidArgumentError naming the argument', () => {
    expect(() => new CloudAutoEncoder({ numFeatures: 1 })).toThrow(
      /CloudAutoEncoder: 'numFeatures' must be an integer in \[2, 1024\]/,
    );
    expect(() => new CloudAutoEncoder({ numFeatures: 2000 })).toThrow(InvalidArgumentError);
    expect(() => new CloudAutoEncoder({ k: 0 })).toThrow(/'k' must be an integer ≥ 1/);
    expect(() => new CloudAutoEncoder({ decoderType: 'x' as 'foldingnet' })).toThrow(
      /'decoderType'/,
    );
    expect(() => new CloudAutoEncoder({ encoderType: 'pointnet' as 'dgcnn' })).toThrow(
      /'encoderType'/,
    );
    expect(() => new CloudAutoEncoder({ shape: 'cube' as 'plane' })).toThrow(/'shape'/);
    expect(() => new CloudAutoEncoder({ numSourcePoints: 2000 })).toThrow(/perfect square/);
    expect(() => new CloudAutoEncoder({ std: -1 })).toThrow(/'std'/);
    expect(() => new CloudAutoEncoder({ ...TINY, sourcePoints: [1, 2, 3] })).toThrow(
      /'sourcePoints' must be 48 finite numbers/,
    );
    const model = new CloudAutoEncoder(TINY);
    expect(() => model.encode(tf.zeros([2, 12]))).toThrow(
      /CloudAutoEncoder.encode: 'points' must be a tensor of shape \[B, N, 3\]/,
    );
    expect(() => model.forward(tf.zeros([2, 3, 3]))).toThrow(
      /at least k = 4 points per cloud, got 3/,
    );
    expect(() => model.forward(tf.zeros([1, 12, 3], 'int32'))).toThrow(/'points' must be float32/);
    expect(() => model.forward(tf.fill([1, 12, 3], Number.NaN))).toThrow(/'points' must be finite/);
    expect(() => model.encode([[0, 0, 0]] as unknown as tf.Tensor)).toThrow(
      /'points' must be a tf.Tensor/,
    );
    expect(() => model.decode(tf.zeros([2, 7]))).toThrow(
      /CloudAutoEncoder.decode: 'features' must be a tensor of shape \[B, 8\]/,
    );
    expect(() => model.decode(tf.fill([1, 8], Number.POSITIVE_INFINITY))).toThrow(/finite/);
    expect(() => model.train('yes' as unknown as boolean)).toThrow(/'mode' must be a boolean/);
    expect(() => model.trace(cloud(2, 12), { graphs: [] })).toThrow(
      /'options.graphs' must be four int32 tensors/,
    );
    const single = new CloudAutoEncoder({ ...TINY, k: 1 });
    expect(() => single.forward(tf.zeros([1, 1, 3]))).toThrow(/more than one value per channel/);
    expect(() => single.eval().forward(tf.zeros([1, 1, 3]))).not.toThrow();
    single.dispose();
    model.dispose();
  });

  test('memory stays flat: 50 eval forwards and 50 train forward/backward steps', async () => {
    const model = new CloudAutoEncoder(TINY);
    const x = cloud(2, 12);
    await expectNoLeaks(() => {
      model.eval();
      for (let i = 0; i < 50; i++) tf.dispose(model.forward(x));
      model.train();
      for (let i = 0; i < 50; i++) {
        const { value, grads } = tf.variableGrads(() =>
          chamferLoss(x, model.forward(x).reconstruction),
        );
        tf.dispose([value, ...Object.values(grads)]);
      }
    }, 'model');
    model.dispose();
  });
});

describe("CloudAutoEncoder with encoderType 'foldingnet'", () => {
  test('encodes and decodes, round-trips its state and is recognised on import', async () => {
    const { inferCloudAutoEncoderOptions } = await import('../interop/index.js');
    const options: CloudAutoEncoderOptions = { ...TINY, encoderType: 'foldingnet' };
    const model = new CloudAutoEncoder(options);
    const points = cloud(2, 32);
    const features = model.encode(points);
    expect(features.shape).toEqual([2, 8]);
    expect(model.decode(features).shape).toEqual([2, 16, 3]);
    const state = model.stateDict();
    expect(state.get('encoder.mlp1.0.weight')?.shape).toEqual([64, 12, 1]);
    expect([...state.keys()].some((key) => key.startsWith('encoder.bn'))).toBe(false);
    expect(inferCloudAutoEncoderOptions(state)).toMatchObject({
      encoderType: 'foldingnet',
      numFeatures: 8,
    });
    const copy = new CloudAutoEncoder({ ...options, seed: 99 });
    copy.loadStateDict(state);
    expectTensorsClose(copy.encode(points), features, { rtol: 0, atol: 0 });
    expect(() => new CloudAutoEncoder({ ...options, k: 1 })).toThrow(InvalidArgumentError);
    tf.dispose([points, features]);
    model.dispose();
    copy.dispose();
  });
});
