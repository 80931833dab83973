import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../types.js';
import { randomRotation, randomRotationMatrix } from './augment.js';
import { pcaPose } from './pca-pose.js';

/** A skewed cloud with distinct spreads (3, 1.5, 0.5) along tilted axes. */
function skewedCloud(n: number, seed: number): PointCloud {
  const rng = createRng(seed);
  const tilt = randomRotationMatrix({ seed: seed + 100 });
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const p = [3, 1.5, 0.5].map((s) => -s * Math.log(1 - rng.next()));
    for (let r = 0; r < 3; r++)
      data[3 * i + r] =
        [4, -2, 7][r]! +
        (tilt[3 * r] as number) * p[0]! +
        tilt[3 * r + 1]! * p[1]! +
        tilt[3 * r + 2]! * p[2]!;
  }
  return { data, shape: [n, 3] };
}

function covariance(cloud: PointCloud): number[][] {
  const n = cloud.shape[0];
  const c = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < n; i++)
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++)
        c[a]![b]! += (cloud.data[3 * i + a]! * cloud.data[3 * i + b]!) / n;
  return c;
}

function det(m: Float64Array): number {
  return (
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
    m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
    m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!)
  );
}

describe('pcaPose', () => {
  const cloud = skewedCloud(2000, 3);

  it('gives a centred cloud with diagonal covariance in decreasing variance', () => {
    const pose = pcaPose(cloud);
    const c = covariance(pose.cloud);
    expect(Math.abs(c[0]![1]!) + Math.abs(c[0]![2]!) + Math.abs(c[1]![2]!)).toBeLessThan(1e-4);
    expect(c[0]![0]!).toBeGreaterThan(c[1]![1]!);
    expect(c[1]![1]!).toBeGreaterThan(c[2]![2]!);
    expect(c[0]![0]!).toBeCloseTo(pose.variances[0], 3);
    expect(det(pose.rotation)).toBeCloseTo(1, 10);
  });

  it('makes the skewness along the first two axes positive', () => {
    const { cloud: posed } = pcaPose(cloud);
    for (const k of [0, 1]) {
      let skew = 0;
      for (let i = 0; i < 2000; i++) skew += posed.data[3 * i + k]! ** 3;
      expect(skew).toBeGreaterThan(0);
    }
  });

  it('is invariant to a rotation of the input (within 1e-4)', () => {
    const base = pcaPose(cloud).cloud;
    for (const seed of [1, 2, 3]) {
      const rotated = pcaPose(randomRotation(cloud, { seed })).cloud;
      let maxDiff = 0;
      for (let i = 0; i < base.data.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(base.data[i]! - rotated.data[i]!));
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it('rotates normals with the points and rejects bad input', () => {
    const withNormals = {
      ...cloud,
      normals: new Float32Array(6000).fill(0).map((_, i) => (i % 3 === 0 ? 1 : 0)),
    };
    const pose = pcaPose(withNormals);
    expect(Array.from(pose.cloud.normals!.subarray(0, 3)).map((v) => v.toFixed(5))).toEqual(
      [0, 3, 6].map((r) => pose.rotation[r]!.toFixed(5)),
    );
    expect(() => pcaPose({ data: new Float32Array(0), shape: [0, 3] })).toThrow(
      /pcaPose: 'cloud' must be a cloud of at least 1 points/,
    );
  });
});
