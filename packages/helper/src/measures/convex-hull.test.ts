import { createRng, InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { meshVolume } from '../surface/index.js';
import type { Mesh } from '../types.js';
import { convexHull } from './convex-hull.js';

/** True when every point lies inside or on every face plane of the hull. */
function contains(hull: Mesh, points: Float32Array, tolerance: number): boolean {
  const { positions: p, faces: f } = hull;
  for (let t = 0; t < f.length; t += 3) {
    const [a, b, c] = [f[t]!, f[t + 1]!, f[t + 2]!].map((i) => [
      p[3 * i]!,
      p[3 * i + 1]!,
      p[3 * i + 2]!,
    ]) as [number[], number[], number[]];
    const u = [b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!];
    const v = [c[0]! - a[0]!, c[1]! - a[1]!, c[2]! - a[2]!];
    const n = [
      u[1]! * v[2]! - u[2]! * v[1]!,
      u[2]! * v[0]! - u[0]! * v[2]!,
      u[0]! * v[1]! - u[1]! * v[0]!,
    ];
    const length = Math.hypot(n[0]!, n[1]!, n[2]!);
    for (let i = 0; i < points.length; i += 3) {
      const d =
        (n[0]! * (points[i]! - a[0]!) +
          n[1]! * (points[i + 1]! - a[1]!) +
          n[2]! * (points[i + 2]! - a[2]!)) /
        length;
      if (d > tolerance) return false;
    }
  }
  return true;
}

describe('convexHull', () => {
  it('gives the outward cube of a voxel grid, keeping only hull vertices', () => {
    const grid: number[] = [];
    for (let z = 0; z < 6; z++)
      for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) grid.push(x, y, z);
    const hull = convexHull(new Float32Array(grid));
    expect(meshVolume(hull)).toBeCloseTo(125, 6);
    expect(hull.positions.length).toBe(24);
    expect(hull.faces.length).toBe(36);
  });

  it('encloses random points with outward faces, as a point cloud too', () => {
    const rng = createRng(2);
    const data = Float32Array.from({ length: 3000 }, () => rng.normal());
    const hull = convexHull({ data, shape: [1000, 3] });
    expect(meshVolume(hull)).toBeGreaterThan(0);
    expect(contains(hull, data, 1e-4)).toBe(true);
    // A regular tetrahedron's hull volume is exact.
    const tet = convexHull(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0.1, 0.1, 0.1]));
    expect(meshVolume(tet)).toBeCloseTo(1 / 6, 6);
    expect(tet.positions.length).toBe(12);
  });

  it('rejects points that do not span 3-D and other bad input', () => {
    const plane: number[] = [];
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) plane.push(x, y, 2);
    const cases = [
      new Float32Array(plane),
      new Float32Array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]),
      new Float32Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
      new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]),
    ];
    for (const points of cases)
      expect(() => convexHull(points)).toThrow(/convexHull: 'points' must span 3-D/);
    expect(() => convexHull(new Float32Array(4))).toThrow(InvalidArgumentError);
    expect(() =>
      convexHull(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, Number.NaN])),
    ).toThrow(/must be finite/);
    expect(() => convexHull([1, 2, 3] as unknown as Float32Array)).toThrow(InvalidArgumentError);
  });
});
