import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, test } from 'vitest';
import {
  permuteAxes,
  tfjsToTorchAxes,
  torchToTfjsAxes,
  weightToTfjs,
  weightToTorch,
} from './weight-layout.js';

describe('weight layouts', () => {
  test('permuteAxes: a hand-computed transpose and a 3-D permutation', () => {
    expect(permuteAxes(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0])).toEqual({
      data: Float32Array.of(1, 4, 2, 5, 3, 6),
      shape: [3, 2],
    });
    // a[i][j][k] = 100i + 10j + k, shape [2, 3, 2]; out[k][i][j] = a[i][j][k].
    const a = Int32Array.from({ length: 12 }, (_, n) => {
      const [i, j, k] = [Math.floor(n / 6), Math.floor(n / 2) % 3, n % 2];
      return 100 * i + 10 * j + k;
    });
    const out = permuteAxes(a, [2, 3, 2], [2, 0, 1]);
    expect(out.shape).toEqual([2, 2, 3]);
    expect(Array.from(out.data)).toEqual([0, 10, 20, 100, 110, 120, 1, 11, 21, 101, 111, 121]);
    expect(out.data).toBeInstanceOf(Int32Array);
  });

  test('the PyTorch → tfjs axis orders of every layer', () => {
    expect(torchToTfjsAxes(2)).toEqual([1, 0]); // Linear [out, in] → [in, out]
    expect(torchToTfjsAxes(4)).toEqual([2, 3, 1, 0]); // Conv2d [out, in, kh, kw] → [kh, kw, in, out]
    expect(torchToTfjsAxes(5)).toEqual([2, 3, 4, 1, 0]);
    expect(tfjsToTorchAxes(5)).toEqual([4, 3, 0, 1, 2]);
    // Conv2d weight [out 2, in 1, kh 1, kw 2]: w[o][0][0][x] = 10o + x → filter[0][x][0][o].
    const conv = weightToTfjs({ data: Float32Array.of(0, 1, 10, 11), shape: [2, 1, 1, 2] });
    expect(conv).toEqual({ data: Float32Array.of(0, 10, 1, 11), shape: [1, 2, 1, 2] });
    // ConvTranspose3d [in 2, out 3, 1, 1, 2] → tfjs [1, 1, 2, out 3, in 2].
    expect(weightToTfjs({ data: new Float32Array(12), shape: [2, 3, 1, 1, 2] }).shape).toEqual([
      1, 1, 2, 3, 2,
    ]);
  });

  test('round trip torch → tfjs → torch is the identity, for ranks 2 to 5', () => {
    for (const shape of [
      [3, 4],
      [2, 3, 5],
      [4, 2, 3, 2],
      [2, 3, 2, 3, 2],
    ]) {
      const size = shape.reduce((p, d) => p * d, 1);
      const data = Float32Array.from({ length: size }, (_, i) => i * 0.5 - 3);
      const back = weightToTorch(weightToTfjs({ data, shape }));
      expect(back).toEqual({ data, shape });
    }
  });

  test('invalid permutations and sizes are refused', () => {
    expect(() => permuteAxes(new Float32Array(6), [2, 3], [0, 0])).toThrow(
      /permuteAxes: 'perm' must be a permutation of 0..1/,
    );
    expect(() => permuteAxes(new Float32Array(5), [2, 3], [1, 0])).toThrow(InvalidArgumentError);
    expect(() => torchToTfjsAxes(1)).toThrow(/'rank' must be an integer ≥ 2/);
  });
});
