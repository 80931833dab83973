import { createRng, InvalidArgumentError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../test/index.js';
import {
  biasParameter,
  fanIn,
  matrixWeight,
  parameterFromTorch,
  parameterToTorch,
  torchParameter,
  weightParameter,
} from './parameter.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('PyTorch parameters', () => {
  test("fan_in is weight.size(1)·∏k, also for a transposed convolution's [in, out, k…]", () => {
    expect(fanIn([8, 256])).toBe(256);
    expect(fanIn([4, 1, 3, 3, 3])).toBe(27);
    expect(fanIn([4, 2, 3, 3])).toBe(18); // ConvTranspose2d(4 → 2): out·k² as PyTorch
    expect(() => fanIn([5])).toThrow(InvalidArgumentError);
  });

  test('init: uniform on ±1/√fan_in, drawn in PyTorch row-major order, held in tfjs layout', () => {
    const torchShape = [3, 2, 2, 2]; // Conv2d(2 → 3, k = 2): fan_in 8
    const w = weightParameter(createRng(4), torchShape);
    expect(w.variable.shape).toEqual([2, 2, 2, 3]);
    expect(w.variable.trainable).toBe(true);
    const rng = createRng(4);
    const bound = 1 / Math.sqrt(8);
    const expected = Float32Array.from({ length: 24 }, () => rng.uniform(-bound, bound));
    const torch = parameterToTorch(w, w.variable.dataSync() as Float32Array);
    expect(torch).toEqual({ data: expected, shape: torchShape });
    expect(Math.max(...expected.map(Math.abs))).toBeLessThanOrEqual(bound);
    const b = biasParameter(createRng(1), 1000, 8);
    const values = b.variable.dataSync() as Float32Array;
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    tf.dispose([w.variable, b.variable]);
  });

  test('a matrix weight holds a 1×1 convolution as [in, out]; conversions round-trip', () => {
    const w = matrixWeight(createRng(0), [5, 3, 1, 1]);
    expect(w.variable.shape).toEqual([3, 5]);
    const data = w.variable.dataSync() as Float32Array;
    const torch = parameterToTorch(w, data);
    expect(torch.shape).toEqual([5, 3, 1, 1]);
    // torch[o][i] = variable[i][o]
    expect(torch.data[1 * 3 + 2]).toBe(data[2 * 5 + 1]);
    expect(parameterFromTorch(w, torch.data)).toEqual({ data, shape: [3, 5] });
    const v = torchParameter(tf.variable(tf.ones([4])));
    expect(parameterToTorch(v, Float32Array.of(1, 2, 3, 4))).toEqual({
      data: Float32Array.of(1, 2, 3, 4),
      shape: [4],
    });
    tf.dispose([w.variable, v.variable]);
    expect(() => weightParameter(createRng(0), [2, 3], [7])).toThrow(/'variableShape'/);
  });
});
