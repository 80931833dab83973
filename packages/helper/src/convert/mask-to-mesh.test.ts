import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { meshArea, meshVolume } from '../surface/index.js';
import type { Mesh, Volume } from '../types.js';
import { maskToMesh, maskToPointCloud } from './mask-to-mesh.js';

/** A binary ball of radius r (voxels) centred at c in an n³ grid, value `on`. */
function ball(n: number, r: number, c: number, on = 1): Volume<Uint8Array> {
  const data = new Uint8Array(n * n * n);
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        if ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 <= r * r) data[(z * n + y) * n + x] = on;
  return { data, shape: [n, n, n] };
}

function bounds(mesh: Mesh): { min: number[]; max: number[] } {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < mesh.positions.length; i++) {
    const a = i % 3;
    min[a] = Math.min(min[a]!, mesh.positions[i]!);
    max[a] = Math.max(max[a]!, mesh.positions[i]!);
  }
  return { min, max };
}

describe('maskToMesh', () => {
  it('meshes a voxel ball: closed, outward, area ~8% above 4πr² (staircase)', () => {
    const r = 10;
    const mask = ball(28, r, 13.5);
    const voxels = mask.data.reduce((s, v) => s + v, 0);
    const mesh = maskToMesh(mask);
    expect(meshVolume(mesh)).toBeGreaterThan(0); // outward orientation
    expect(meshVolume(mesh) / voxels).toBeGreaterThan(0.95);
    expect(meshVolume(mesh) / voxels).toBeLessThan(1.02);
    const ratio = meshArea(mesh) / (4 * Math.PI * r * r);
    expect(ratio).toBeGreaterThan(1.0);
    expect(ratio).toBeLessThan(1.15);
  });

  it('treats any non-zero value as inside (0/255 masks, label images)', () => {
    const a = maskToMesh(ball(20, 6, 9.5, 1));
    const b = maskToMesh(ball(20, 6, 9.5, 255));
    expect(b.positions).toEqual(a.positions);
    expect(b.faces).toEqual(a.faces);
  });

  it('keeps the mask frame: padding does not shift positions; spacing scales them', () => {
    // A full box touching every face: the padding closes it, at half a voxel outside.
    const box: Volume = { data: new Uint8Array(4 * 5 * 6).fill(1), shape: [4, 5, 6] };
    const { min, max } = bounds(maskToMesh(box));
    expect(min).toEqual([-0.5, -0.5, -0.5]);
    expect(max).toEqual([5.5, 4.5, 3.5]);
    const wide = bounds(maskToMesh(box, { padding: 3, spacing: [2, 1, 0.5] }));
    expect(wide.min).toEqual([-0.25, -0.5, -1]);
    expect(wide.max).toEqual([2.75, 4.5, 7]);
    const fromVolume = bounds(maskToMesh({ ...box, spacing: [2, 1, 0.5] }));
    expect(fromVolume).toEqual(wide);
  });

  it('smoothing softens the staircase towards the true sphere area without shrinking', () => {
    const r = 10;
    const mask = ball(28, r, 13.5);
    const raw = maskToMesh(mask);
    const smooth = maskToMesh(mask, { smoothing: 10 });
    const analytic = 4 * Math.PI * r * r;
    expect(Math.abs(meshArea(smooth) - analytic)).toBeLessThan(Math.abs(meshArea(raw) - analytic));
    expect(meshVolume(smooth) / meshVolume(raw)).toBeGreaterThan(0.97);
  });

  it('rejects invalid input', () => {
    const mask = ball(8, 2, 3.5);
    expect(() =>
      maskToMesh({ data: new Uint8Array(64), shape: [8, 8] } as unknown as Volume),
    ).toThrow(/maskToMesh: 'mask' must be a 3-D volume/);
    expect(() => maskToMesh({ data: new Uint8Array(10), shape: [2, 2, 2] })).toThrow(/mask.shape/);
    expect(() => maskToMesh({ data: [1, 2], shape: [1, 1, 2] } as unknown as Volume)).toThrow(
      /mask.data/,
    );
    expect(() => maskToMesh(null as unknown as Volume)).toThrow(InvalidArgumentError);
    expect(() => maskToMesh({ data: new Uint8Array(8), shape: [2, 2, 2] })).toThrow(/non-empty/);
    expect(() => maskToMesh({ data: new Float32Array([Number.NaN, 1]), shape: [1, 1, 2] })).toThrow(
      /NaN/,
    );
    expect(() => maskToMesh(mask, { level: 1 })).toThrow(/'level'/);
    expect(() => maskToMesh(mask, { padding: -1 })).toThrow(/'padding'/);
    expect(() => maskToMesh(mask, { smoothing: 1.5 })).toThrow(/'smoothing'/);
    expect(() => maskToMesh(mask, { spacing: [1, 0, 1] })).toThrow(/'spacing'/);
    expect(() => maskToMesh(mask, 3 as unknown as object)).toThrow(/'options'/);
  });
});

describe('maskToPointCloud', () => {
  const mask = ball(28, 10, 13.5);

  it('samples numPoints points on the surface, reproducibly', () => {
    const cloud = maskToPointCloud(mask);
    expect(cloud.shape).toEqual([2048, 3]);
    expect(cloud.data).toHaveLength(2048 * 3);
    for (let i = 0; i < 2048; i++) {
      const d = Math.hypot(
        cloud.data[3 * i]! - 13.5,
        cloud.data[3 * i + 1]! - 13.5,
        cloud.data[3 * i + 2]! - 13.5,
      );
      expect(Math.abs(d - 10)).toBeLessThan(1.2);
    }
    expect(maskToPointCloud(mask).data).toEqual(cloud.data);
    expect(maskToPointCloud(mask, { seed: 1 }).data).not.toEqual(cloud.data);
  });

  it('returns outward normals on request and honours the mesh options', () => {
    const cloud = maskToPointCloud(mask, { numPoints: 100, normals: true, spacing: [2, 1, 1] });
    expect(cloud.shape).toEqual([100, 3]);
    const n = cloud.normals!;
    let outward = 0;
    for (let i = 0; i < 100; i++) {
      const p = [
        cloud.data[3 * i]! - 13.5,
        cloud.data[3 * i + 1]! - 13.5,
        cloud.data[3 * i + 2]! - 27,
      ];
      if (p[0]! * n[3 * i]! + p[1]! * n[3 * i + 1]! + p[2]! * n[3 * i + 2]! > 0) outward++;
    }
    expect(outward).toBe(100);
    // z spacing 2 stretches the ball along z.
    const zs = Array.from({ length: 100 }, (_, i) => cloud.data[3 * i + 2]!);
    expect(Math.max(...zs) - Math.min(...zs)).toBeGreaterThan(30);
  });

  it('rejects invalid input', () => {
    expect(() => maskToPointCloud(mask, { numPoints: 0 })).toThrow(/'numPoints'/);
    expect(() => maskToPointCloud(mask, { seed: Number.NaN })).toThrow(/'seed'/);
    expect(() => maskToPointCloud(mask, { normals: 'yes' as unknown as boolean })).toThrow(
      /'normals'/,
    );
    expect(() => maskToPointCloud({ data: new Uint8Array(8), shape: [2, 2, 2] })).toThrow(
      /non-empty/,
    );
    expect(() => maskToPointCloud(undefined as unknown as Volume)).toThrow(
      /maskToPointCloud: 'mask'/,
    );
  });
});
