import { describe, expect, it } from 'vitest';
import { chooseK } from './choose-k.js';
import { gaussianBlobs } from './test-utils/blobs.js';

describe('chooseK', () => {
  it('finds the number of blobs from the k-means elbow', () => {
    const { points } = gaussianBlobs({ k: 4, perCluster: 25, dim: 4, spread: 8, std: 1, seed: 5 });
    const r = chooseK(points, { range: [1, 9], restarts: 4 });
    expect(r.ks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 1; i < r.inertias.length; i++)
      expect(r.inertias[i]).toBeLessThanOrEqual(r.inertias[i - 1]! + 1e-9);
    expect(r.k).toBe(4);
  });

  it('rejects bad input', () => {
    const m = {
      data: new Float64Array(20).map((_, i) => i * i),
      shape: [10, 2] as [number, number],
    };
    expect(() => chooseK(m, { range: [2, 3] })).toThrow(/range/);
    expect(() => chooseK(m, { range: [2, 15] })).toThrow(/max ≤ 10 rows/);
    expect(() => chooseK(m, { range: [0, 5] })).toThrow(/range/);
  });
});
