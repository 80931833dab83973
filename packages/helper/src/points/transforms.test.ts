import { createRng, InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../types.js';
import { pcaPose } from './pca-pose.js';
import {
  centre,
  normalisePointCloud,
  pointCloudCentroid,
  scaleFixed,
  scaleToUnitSphere,
  standardisePointCloud,
} from './transforms.js';

/** A skewed, anisotropic cloud (exponential coordinates with spreads 3, 1.5, 0.5). */
function skewedCloud(n: number, seed: number): PointCloud {
  const rng = createRng(seed);
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[3 * i] = 10 - 3 * Math.log(1 - rng.next());
    data[3 * i + 1] = -5 - 1.5 * Math.log(1 - rng.next());
    data[3 * i + 2] = 2 - 0.5 * Math.log(1 - rng.next());
  }
  return { data, shape: [n, 3] };
}

function axisStats(cloud: PointCloud): { mean: number[]; std: number[]; maxNorm: number } {
  const n = cloud.shape[0];
  const mean = [0, 0, 0];
  const sq = [0, 0, 0];
  let maxNorm = 0;
  for (let i = 0; i < n; i++) {
    const p = Array.from(cloud.data.subarray(3 * i, 3 * i + 3));
    p.forEach((v, k) => {
      mean[k]! += v / n;
      sq[k]! += (v * v) / n;
    });
    maxNorm = Math.max(maxNorm, Math.hypot(...p));
  }
  return { mean, std: sq.map((s, k) => Math.sqrt(s - (mean[k] as number) ** 2)), maxNorm };
}

describe('normalising transforms', () => {
  const cloud = skewedCloud(500, 1);
  const copy = cloud.data.slice();

  it('centre gives a zero centroid', () => {
    const { mean } = axisStats(centre(cloud));
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(1e-5);
  });

  it('scaleFixed is (p − centroid) / 20 as the original cellshape', () => {
    const c = pointCloudCentroid(cloud);
    const out = scaleFixed(cloud);
    expect(out.data[4]).toBeCloseTo(((cloud.data[4] as number) - c[1]) / 20, 6);
    expect(scaleFixed(cloud, 5).data[0]).toBeCloseTo(((cloud.data[0] as number) - c[0]) / 5, 5);
  });

  it('scaleToUnitSphere puts the farthest point at distance 1', () => {
    const stats = axisStats(scaleToUnitSphere(cloud));
    expect(stats.maxNorm).toBeCloseTo(1, 5);
    for (const m of stats.mean) expect(Math.abs(m)).toBeLessThan(1e-5);
  });

  it('standardisePointCloud gives unit per-axis std, leaving a flat axis centred', () => {
    for (const s of axisStats(standardisePointCloud(cloud)).std) expect(s).toBeCloseTo(1, 4);
    const flat: PointCloud = { data: new Float32Array([0, 0, 5, 2, 0, 5]), shape: [2, 3] };
    expect(Array.from(standardisePointCloud(flat).data)).toEqual([-1, 0, 0, 1, 0, 0]);
  });

  it('normalisePointCloud applies each preset and never mutates its input', () => {
    expect(Array.from(normalisePointCloud(cloud, 'none').data)).toEqual(Array.from(cloud.data));
    expect(normalisePointCloud(cloud, 'fixed20').data).toEqual(scaleFixed(cloud).data);
    expect(normalisePointCloud(cloud, 'unitSphere').data).toEqual(scaleToUnitSphere(cloud).data);
    expect(normalisePointCloud(cloud, 'standardise').data).toEqual(
      standardisePointCloud(cloud).data,
    );
    expect(normalisePointCloud(cloud, 'pcaPose').shape).toEqual([500, 3]);
    expect(normalisePointCloud(cloud, 'pcaPoseUnitSphere').data).toEqual(
      scaleToUnitSphere(pcaPose(cloud).cloud).data,
    );
    expect(cloud.data).toEqual(copy);
  });

  it('keeps normals', () => {
    const withNormals = { ...cloud, normals: new Float32Array(1500).fill(0.5) };
    expect(centre(withNormals).normals).toEqual(withNormals.normals);
    expect(centre(withNormals).normals).not.toBe(withNormals.normals);
  });

  it('rejects invalid input', () => {
    const empty: PointCloud = { data: new Float32Array(0), shape: [0, 3] };
    expect(() => centre(empty)).toThrow(/centre: 'cloud' must be a cloud of at least 1 points/);
    expect(() => scaleFixed(cloud, 0)).toThrow(/scaleFixed: 'factor' must be a positive/);
    const point: PointCloud = { data: new Float32Array([1, 1, 1, 1, 1, 1]), shape: [2, 3] };
    expect(() => scaleToUnitSphere(point)).toThrow(InvalidArgumentError);
    expect(() =>
      standardisePointCloud({ data: [1, 2, 3], shape: [1, 3] } as unknown as PointCloud),
    ).toThrow(/standardisePointCloud: 'cloud.data' must be a Float32Array/);
    expect(() => normalisePointCloud(cloud, 'big' as 'none')).toThrow(
      /normalisePointCloud: 'preset' must be one of/,
    );
  });
});
