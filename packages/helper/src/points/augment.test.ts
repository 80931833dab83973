import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../types.js';
import { jitter, randomRotation, randomRotationMatrix, randomScaleTranslate } from './augment.js';

function randomCloud(n: number, seed: number): PointCloud {
  const rng = createRng(seed);
  return { data: Float32Array.from({ length: 3 * n }, () => rng.normal()), shape: [n, 3] };
}

const distance = (c: PointCloud, i: number, j: number) =>
  Math.hypot(
    c.data[3 * i]! - c.data[3 * j]!,
    c.data[3 * i + 1]! - c.data[3 * j + 1]!,
    c.data[3 * i + 2]! - c.data[3 * j + 2]!,
  );

describe('augmentations', () => {
  const cloud = randomCloud(200, 5);
  const copy = cloud.data.slice();

  it('randomRotation preserves distances and norms, is seeded, and rotates normals', () => {
    for (const axis of ['so3', 'x', 'y', 'z'] as const) {
      const rotated = randomRotation(cloud, { seed: 7, axis });
      for (const [i, j] of [
        [0, 1],
        [5, 150],
        [42, 199],
      ] as const)
        expect(distance(rotated, i, j)).toBeCloseTo(distance(cloud, i, j), 5);
      expect(randomRotation(cloud, { seed: 7, axis }).data).toEqual(rotated.data);
    }
    expect(randomRotation(cloud, { seed: 1 }).data).not.toEqual(
      randomRotation(cloud, { seed: 2 }).data,
    );
    const z = randomRotation(cloud, { seed: 3, axis: 'z' });
    expect(z.data[2]).toBe(cloud.data[2]);
    const m = randomRotationMatrix({ seed: 9 });
    const det =
      m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
      m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
      m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
    expect(det).toBeCloseTo(1, 10);
    const withNormals = { ...cloud, normals: new Float32Array(600).fill(1 / Math.sqrt(3)) };
    const n = randomRotation(withNormals, { seed: 4 }).normals!;
    expect(Math.hypot(n[0]!, n[1]!, n[2]!)).toBeCloseTo(1, 5);
  });

  it('so3 rotations are uniform: a rotated pole is spread evenly over the sphere', () => {
    // For a uniform rotation, the image of the z axis is uniform on the sphere: its z
    // component is uniform on [−1, 1] (mean 0, variance 1/3).
    let mean = 0;
    let sq = 0;
    const n = 4000;
    for (let s = 0; s < n; s++) {
      const z = randomRotationMatrix({ seed: s })[8]!;
      mean += z / n;
      sq += (z * z) / n;
    }
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(sq).toBeCloseTo(1 / 3, 1);
  });

  it('jitter adds clipped noise of the requested size, seeded', () => {
    const out = jitter(cloud, { sigma: 0.01, clip: 0.02, seed: 1 });
    let sq = 0;
    for (let i = 0; i < out.data.length; i++) {
      const d = out.data[i]! - cloud.data[i]!;
      expect(Math.abs(d)).toBeLessThanOrEqual(0.02 + 1e-6);
      sq += d * d;
    }
    expect(Math.sqrt(sq / out.data.length)).toBeGreaterThan(0.007);
    expect(Math.sqrt(sq / out.data.length)).toBeLessThan(0.011);
    expect(jitter(cloud, { seed: 1 }).data).toEqual(jitter(cloud, { seed: 1 }).data);
  });

  it('randomScaleTranslate scales each axis within range and keeps normals unit length', () => {
    const out = randomScaleTranslate(cloud, { seed: 2 });
    for (let k = 0; k < 3; k++) {
      const s = (out.data[3 + k]! - out.data[k]!) / (cloud.data[3 + k]! - cloud.data[k]!);
      expect(s).toBeGreaterThanOrEqual(2 / 3 - 1e-4);
      expect(s).toBeLessThanOrEqual(3 / 2 + 1e-4);
      const t = out.data[k]! - s * cloud.data[k]!;
      expect(Math.abs(t)).toBeLessThanOrEqual(0.2 + 1e-4);
    }
    const withNormals = { ...cloud, normals: new Float32Array(600).fill(1 / Math.sqrt(3)) };
    const n = randomScaleTranslate(withNormals, { seed: 2 }).normals!;
    expect(Math.hypot(n[0]!, n[1]!, n[2]!)).toBeCloseTo(1, 5);
    expect(cloud.data).toEqual(copy);
  });

  it('keeps the defaults for options given as undefined', () => {
    expect(jitter(cloud, { sigma: undefined, seed: undefined }).data).toEqual(jitter(cloud).data);
    expect(randomRotation(cloud, { axis: undefined }).data).toEqual(randomRotation(cloud).data);
    expect(randomScaleTranslate(cloud, { scale: undefined }).data).toEqual(
      randomScaleTranslate(cloud).data,
    );
  });

  it('rejects invalid options', () => {
    expect(() => randomRotation(cloud, { axis: 'w' as 'x' })).toThrow(
      /randomRotation: 'options.axis' must be 'so3', 'x', 'y' or 'z'/,
    );
    expect(() => randomRotation(cloud, { seed: Number.NaN })).toThrow(
      /'options.seed' must be a finite/,
    );
    expect(() => jitter(cloud, { sigma: -1 })).toThrow(/jitter: 'options.sigma'/);
    expect(() => jitter(cloud, { clip: 0 })).toThrow(/jitter: 'options.clip'/);
    expect(() => randomScaleTranslate(cloud, { scale: [2, 1] })).toThrow(
      /randomScaleTranslate: 'options.scale' must be \[low, high\]/,
    );
    expect(() => randomScaleTranslate(cloud, { translate: -1 })).toThrow(/'options.translate'/);
    expect(() => jitter({ data: new Float32Array(2), shape: [1, 3] })).toThrow(
      /jitter: 'cloud.data'/,
    );
  });
});
