import { createRng, InvalidArgumentError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose, randomNormal, useBackend } from '../test/index.js';
import { Linear } from './linear.js';
import { torchFlatten, torchUnflatten } from './torch-flatten.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('Linear', () => {
  test('y = x·Wᵀ + b over the last axis of any rank, PyTorch state and init', () => {
    const fc = new Linear(createRng(0), { inFeatures: 4, outFeatures: 3 });
    expect(fc.stateEntries('head').map((e) => e.key)).toEqual(['head.weight', 'head.bias']);
    expect(fc.weight.torchShape).toEqual([3, 4]);
    expect(fc.weight.variable.shape).toEqual([4, 3]);
    const x = randomNormal([2, 5, 4], 1);
    const expected = tf.add(
      tf.matMul(tf.reshape(x, [10, 4]), fc.weight.variable),
      fc.bias!.variable,
    );
    const y = fc.forward(x);
    expect(y.shape).toEqual([2, 5, 3]);
    expectClose(y.dataSync(), expected.dataSync(), 1e-6, 1e-6);
    const bound = 1 / Math.sqrt(4);
    for (const v of [...fc.weight.variable.dataSync(), ...fc.bias!.variable.dataSync()])
      expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    const noBias = new Linear(createRng(0), { inFeatures: 4, outFeatures: 3, bias: false });
    expect(noBias.bias).toBeUndefined();
    expect(noBias.stateEntries('')).toHaveLength(1);
    // Same seed, same weights: the weight is drawn first.
    expect(noBias.weight.variable.dataSync()).toEqual(fc.weight.variable.dataSync());
    tf.dispose([x, y, expected]);
    fc.dispose();
    noBias.dispose();
  });

  test('invalid options and inputs', () => {
    expect(() => new Linear(createRng(0), { inFeatures: 0, outFeatures: 2 })).toThrow(
      /Linear: 'options.inFeatures' must be an integer ≥ 1/,
    );
    expect(
      () => new Linear(createRng(0), { inFeatures: 2, outFeatures: 2, bias: 1 as never }),
    ).toThrow(/'options.bias' must be a boolean/);
    const fc = new Linear(createRng(0), { inFeatures: 2, outFeatures: 2 });
    expect(() => fc.forward(tf.zeros([3, 3]))).toThrow(
      /Linear.forward: 'x' must be a float32 tensor of shape \[..., 2\]/,
    );
    expect(() => fc.forward([1, 2] as never)).toThrow(InvalidArgumentError);
    fc.dispose();
  });
});

describe('torchFlatten / torchUnflatten', () => {
  test("PyTorch's flatten(1) order of the channels-first tensor, and back", () => {
    // channels-last [1, 2 (H), 3 (C)]: value 10·h + c; PyTorch flattens [C, H]: c slowest.
    const x = tf.tensor3d([
      [
        [0, 1, 2],
        [10, 11, 12],
      ],
    ]);
    const flat = torchFlatten(x);
    expect(Array.from(flat.dataSync())).toEqual([0, 10, 1, 11, 2, 12]);
    const back = torchUnflatten(flat, [3, 2]);
    expect(back.shape).toEqual([1, 2, 3]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => torchUnflatten(flat, [4, 2])).toThrow(
      /'torchShape' must be \[C, …spatial\] of 6 values/,
    );
    expect(() => torchFlatten(tf.zeros([3]))).toThrow(/torchFlatten: 'x'/);
    tf.dispose([x, flat, back]);
  });
});
