import { describe, expect, it } from 'vitest';
import { prepareRows } from '../metrics/pairwise-distance.js';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { coreDistances } from './core-distances.js';

describe('coreDistances', () => {
  it('equals the k-th smallest distance of each row (skipped blocks lose none)', () => {
    const { points } = gaussianBlobs({ k: 5, perCluster: 200, dim: 6, spread: 6, std: 1, seed: 2 });
    const [n, d] = points.shape;
    const x = points.data;
    const k = 4;
    const core = coreDistances(prepareRows(points, 'euclidean'), k);
    for (let i = 0; i < n; i++) {
      const dist: number[] = [];
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += (x[i * d + c]! - x[j * d + c]!) ** 2;
        dist.push(Math.sqrt(s));
      }
      dist.sort((a, b) => a - b);
      expect(core[i]).toBeCloseTo(dist[k - 1]!, 9);
    }
  });
});
