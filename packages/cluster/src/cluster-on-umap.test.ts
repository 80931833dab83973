import { describe, expect, it } from 'vitest';
import { clusterOnUmap } from './cluster-on-umap.js';
import { hdbscan } from './density/hdbscan.js';
import { adjustedRandIndex } from './metrics/adjusted-rand-index.js';
import { gaussianBlobs } from './test-utils/blobs.js';

describe('clusterOnUmap', () => {
  const { points, labels } = gaussianBlobs({
    k: 3,
    perCluster: 40,
    dim: 10,
    spread: 6,
    std: 0.5,
    seed: 4,
  });

  it('clusters the seeded 2-D embedding: separated blobs are found, the same seed gives the same result', () => {
    const run = () =>
      clusterOnUmap(points, (e) => hdbscan(e, { minClusterSize: 10 }), { seed: 3, nEpochs: 100 });
    const a = run();
    expect(a.embedding.shape).toEqual([120, 2]);
    expect(adjustedRandIndex(labels, a.clustering.labels)).toBe(1);
    expect(Array.from(run().embedding.data)).toEqual(Array.from(a.embedding.data));
  });

  it('rejects bad input', () => {
    expect(() => clusterOnUmap(points, 3 as never)).toThrow(
      /clusterOnUmap: 'cluster' must be a function/,
    );
    expect(() => clusterOnUmap([[Number.NaN]], (e) => e)).toThrow(
      /clusterOnUmap: 'X' must hold finite/,
    );
  });
});
