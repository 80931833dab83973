import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from '../test-utils/blobs.js';
import { blocksBound, pivotBlocks } from './pivot-blocks.js';

describe('pivotBlocks', () => {
  const { points } = gaussianBlobs({ k: 4, perCluster: 150, dim: 5, spread: 6, std: 1, seed: 3 });
  const [n, d] = points.shape;
  const data = Float64Array.from(points.data);
  const dist = (a: number, b: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += (data[a * d + c]! - data[b * d + c]!) ** 2;
    return Math.sqrt(s);
  };

  it('orders every row once', () => {
    const { order } = pivotBlocks(data, n, d, 32);
    expect(Array.from(order.filter((i) => i >= 0)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
  });

  it('bounds the distance of every pair between two blocks from below', () => {
    const pb = pivotBlocks(data, n, d, 32);
    const { starts } = pb;
    const blocks = starts.length - 1;
    let apart = 0;
    for (let a = 0; a < blocks; a++)
      for (let b = a; b < blocks; b++) {
        if (blocksBound(pb, a, b) <= 4) continue;
        apart++;
        let closest = Number.POSITIVE_INFINITY;
        for (let r = starts[a]!; r < starts[a + 1]!; r++)
          for (let s = starts[b]!; s < starts[b + 1]!; s++)
            if (pb.order[r]! >= 0 && pb.order[s]! >= 0)
              closest = Math.min(closest, dist(pb.order[r]!, pb.order[s]!));
        expect(closest).toBeGreaterThan(4);
      }
    expect(apart).toBeGreaterThan(0); // separated blobs: most cross-blob block pairs are skipped
  });
});
