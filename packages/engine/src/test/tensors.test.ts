import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  expectNoLeaks,
  expectTensorsClose,
  randomNormal,
  sameBits,
  useBackend,
} from './index.js';

beforeAll(() => useBackend('cpu'));

describe('expectTensorsClose', () => {
  it('passes within rtol · max|expected| + atol and fails beyond, naming the worst element', () => {
    const expected = Float32Array.from([10, 1, -2]);
    expectTensorsClose(Float32Array.from([10, 1.0009, -2]), expected, { rtol: 1e-4 });
    expect(() =>
      expectTensorsClose(Float32Array.from([10, 1.002, -2]), expected, { rtol: 1e-4, label: 'y' }),
    ).toThrow(/y: max error 0\.00(19|20)\d* at 1/);
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    expectTensorsClose(t, { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] });
    expect(() => expectTensorsClose(t, { data: new Float32Array(4), shape: [4] })).toThrow(
      /tensor: shape/,
    );
    t.dispose();
  });
});

describe('expectClose', () => {
  it('applies a tolerance per element', () => {
    expectClose([1, 100], [1.0001, 100.01], 1e-4, 0);
    expect(() => expectClose([1, 100], [1.01, 100], 1e-4, 0)).toThrow(/element 0: got 1/);
    expect(() => expectClose([Number.NaN], [0], 1, 1)).toThrow(/element 0: got NaN/);
  });
});

describe('expectNoLeaks', () => {
  it('disposes what the function returns and fails on a leaked tensor', async () => {
    const before = tf.memory().numTensors;
    const kept = await expectNoLeaks(() => tf.tidy(() => tf.add(tf.ones([2]), 1)));
    expect(kept.isDisposed).toBe(true);
    let leaked: tf.Tensor | undefined;
    await expect(
      expectNoLeaks(() => {
        leaked = tf.zeros([3]);
      }, 'leaky'),
    ).rejects.toThrow(/leaky: leaked tensors/);
    leaked?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('sameBits', () => {
  it('compares type, length and bytes, NaN payloads included', () => {
    const a = Float32Array.from([1, Number.NaN, -0]);
    expect(sameBits(a, a.slice())).toBe(true);
    expect(sameBits(a, Float32Array.from([1, Number.NaN, 0]))).toBe(false);
    expect(sameBits(a, Float64Array.from(a))).toBe(false);
    expect(sameBits(a, a.subarray(1))).toBe(false);
    const payload = new Float32Array(new Uint32Array([0x7fc00001]).buffer);
    expect(sameBits(payload, Float32Array.from([Number.NaN]))).toBe(false);
  });
});

describe('randomNormal', () => {
  it('is seeded and scaled', () => {
    const a = randomNormal([100], 3);
    const b = randomNormal([100], 3, 2);
    expectClose(
      b.dataSync(),
      Array.from(a.dataSync(), (v) => 2 * v),
      1e-6,
      0,
    );
    const mean = (a.dataSync() as Float32Array).reduce((s, v) => s + v, 0) / 100;
    expect(Math.abs(mean)).toBeLessThan(0.3);
    tf.dispose([a, b]);
  });
});
