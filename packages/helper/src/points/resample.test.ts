import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../types.js';
import { resamplePointCloud } from './resample.js';

const cloud: PointCloud = {
  data: Float32Array.from({ length: 30 }, (_, i) => Math.floor(i / 3)),
  shape: [10, 3],
  normals: Float32Array.from({ length: 30 }, (_, i) => -Math.floor(i / 3)),
};
const pointIds = (c: PointCloud) =>
  Array.from({ length: c.shape[0] }, (_, i) => c.data[3 * i] as number);

describe('resamplePointCloud', () => {
  it('subsamples without replacement', () => {
    const out = resamplePointCloud(cloud, 6, { seed: 1 });
    expect(out.shape).toEqual([6, 3]);
    expect(new Set(pointIds(out)).size).toBe(6);
    expect(out.normals?.[0]).toBe(-(out.data[0] as number));
  });

  it('pads by sampling with replacement, keeping every original point', () => {
    const out = resamplePointCloud(cloud, 25, { seed: 1 });
    expect(out.shape).toEqual([25, 3]);
    expect(new Set(pointIds(out)).size).toBe(10);
  });

  it('is seeded and rejects invalid input', () => {
    expect(resamplePointCloud(cloud, 5, { seed: 3 })).toEqual(
      resamplePointCloud(cloud, 5, { seed: 3 }),
    );
    expect(() => resamplePointCloud(cloud, 0)).toThrow(
      /resamplePointCloud: 'n' must be a positive integer/,
    );
    expect(() => resamplePointCloud({ data: new Float32Array(0), shape: [0, 3] }, 3)).toThrow(
      /at least 1 points/,
    );
  });
});
