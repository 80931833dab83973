import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from './test-utils/blobs.js';
import { umap2d } from './umap.js';

describe('umap2d', () => {
  const { points, labels } = gaussianBlobs({
    k: 2,
    perCluster: 20,
    dim: 6,
    spread: 10,
    std: 0.5,
    seed: 2,
  });

  it('is seeded and keeps separated clusters apart', () => {
    const a = umap2d(points, { seed: 1, nNeighbors: 5, nEpochs: 100 });
    const b = umap2d(points, { seed: 1, nNeighbors: 5, nEpochs: 100 });
    expect(a.shape).toEqual([40, 2]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(a.data.every(Number.isFinite)).toBe(true);
    // Each point's nearest embedded neighbour is from its own cluster.
    for (let i = 0; i < 40; i++) {
      let best = -1;
      let bestD = Number.POSITIVE_INFINITY;
      for (let j = 0; j < 40; j++) {
        if (j === i) continue;
        const d =
          (a.data[i * 2]! - a.data[j * 2]!) ** 2 + (a.data[i * 2 + 1]! - a.data[j * 2 + 1]!) ** 2;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      expect(labels[best]).toBe(labels[i]);
    }
  });

  it('rejects bad input', () => {
    expect(() => umap2d(points, { nNeighbors: 40 })).toThrow(/more rows than nNeighbors/);
    expect(() => umap2d(points, { nNeighbors: 1 })).toThrow(/nNeighbors/);
    expect(() => umap2d(points, { minDist: -1 })).toThrow(/minDist/);
  });
});
