import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { kmeans } from './kmeans.js';
import { adjustedRandIndex } from './metrics/adjusted-rand-index.js';
import { gaussianBlobs } from './test-utils/blobs.js';

describe('kmeans', () => {
  it('recovers well separated blobs, reports inertia, and is seeded', () => {
    const { points, labels } = gaussianBlobs({
      k: 4,
      perCluster: 30,
      dim: 5,
      spread: 10,
      std: 1,
      seed: 1,
    });
    const a = kmeans(points, 4, { seed: 3, restarts: 5 });
    expect(adjustedRandIndex(a.labels, labels)).toBe(1);
    expect(a.centres.shape).toEqual([4, 5]);
    // Inertia is the sum of squared distances to the assigned centre.
    let inertia = 0;
    for (let i = 0; i < 120; i++)
      for (let d = 0; d < 5; d++)
        inertia += (points.data[i * 5 + d]! - a.centres.data[a.labels[i]! * 5 + d]!) ** 2;
    expect(a.inertia).toBeCloseTo(inertia, 6);
    const b = kmeans(points, 4, { seed: 3, restarts: 5 });
    expect(Array.from(b.centres.data)).toEqual(Array.from(a.centres.data));
  });

  it('k = 1 gives the mean and the total sum of squares', () => {
    const r = kmeans({ data: new Float64Array([0, 0, 2, 0, 4, 6]), shape: [3, 2] }, 1, {
      restarts: 2,
    });
    expect(Array.from(r.centres.data)).toEqual([2, 2]);
    expect(r.inertia).toBeCloseTo(4 + 4 + 4 + 4 + 0 + 16, 10);
  });

  it('rejects bad input', () => {
    const m = { data: new Float64Array([0, 1, 2, 3]), shape: [2, 2] as [number, number] };
    expect(() => kmeans(m, 3)).toThrow(/'k' must be an integer in \[1, 2\]/);
    expect(() => kmeans(m, 0)).toThrow(InvalidArgumentError);
    expect(() => kmeans({ data: new Float64Array([1, 1, 1, 1]), shape: [2, 2] }, 2)).toThrow(
      /only 1 distinct rows/,
    );
    expect(() => kmeans({ data: new Float64Array([Number.NaN, 1]), shape: [1, 2] }, 1)).toThrow(
      /finite/,
    );
    expect(() => kmeans(m, 1, { restarts: 0 })).toThrow(/restarts/);
  });
});
