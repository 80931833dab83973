import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { radiusNeighbours } from './radius-neighbours.js';

describe('radiusNeighbours', () => {
  it('equals the brute-force neighbourhoods (pruned blocks lose no pair)', () => {
    const { points } = gaussianBlobs({ k: 6, perCluster: 200, dim: 8, spread: 4, std: 1, seed: 1 });
    const [n, d] = points.shape;
    const x = points.data;
    const eps = 3;
    const lists = radiusNeighbours(points, eps, 'euclidean');
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      const expected: number[] = [];
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += (x[i * d + c]! - x[j * d + c]!) ** 2;
        if (s <= eps * eps) expected.push(j);
      }
      pairs += expected.length;
      expect(Array.from(lists[i]!).sort((a, b) => a - b)).toEqual(expected);
    }
    expect(pairs).toBeGreaterThan(n); // not only the samples themselves
  });

  it('counts a sample at exactly eps as a neighbour (≤ eps, as scikit-learn)', () => {
    const X = { data: Float64Array.from([0, 0, 3, 4, 10, 0]), shape: [3, 2] as [number, number] };
    const lists = radiusNeighbours(X, 5, 'euclidean').map((l) => Array.from(l).sort());
    expect(lists).toEqual([[0, 1], [0, 1], [2]]);
  });

  it('cosine: unit rows within 1 − cos ≤ eps, a zero row at distance 1 from all', () => {
    const X = {
      data: Float64Array.from([1, 0, 2, 0, 0, 3, 0, 0]),
      shape: [4, 2] as [number, number],
    };
    const lists = radiusNeighbours(X, 1, 'cosine').map((l) => Array.from(l).sort());
    expect(lists).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
    const tight = radiusNeighbours(X, 0.5, 'cosine').map((l) => Array.from(l).sort());
    expect(tight).toEqual([[0, 1], [0, 1], [2], [3]]);
  });
});
