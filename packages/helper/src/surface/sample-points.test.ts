import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Mesh } from '../types.js';
import { marchingCubes } from './marching-cubes.js';
import { samplePoints } from './sample-points.js';
import { pointTriangleDistance, unitCube } from './test-meshes.js';

function ball(r: number): { mesh: Mesh; centre: number } {
  const n = Math.ceil(2 * r) + 5;
  const centre = (n - 1) / 2;
  const data = new Float32Array(n * n * n);
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) data[i] = r - Math.hypot(x - centre, y - centre, z - centre);
  return { mesh: marchingCubes({ data, shape: [n, n, n] }, { level: 0 }), centre };
}

describe('samplePoints', () => {
  const { mesh, centre } = ball(6.4);

  it('returns n points (default 2048) as an n × 3 cloud', () => {
    const cloud = samplePoints(mesh);
    expect(cloud.shape).toEqual([2048, 3]);
    expect(cloud.data).toBeInstanceOf(Float32Array);
    expect(cloud.data.length).toBe(2048 * 3);
    expect(cloud.normals).toBeUndefined();
    expect(samplePoints(mesh, 5).shape).toEqual([5, 3]);
  });

  it('puts every point on the mesh', () => {
    const cloud = samplePoints(mesh, 150, { seed: 7 });
    const size = 2 * 6.4;
    for (let i = 0; i < 150; i++) {
      const point = [cloud.data[3 * i]!, cloud.data[3 * i + 1]!, cloud.data[3 * i + 2]!] as const;
      let nearest = Number.POSITIVE_INFINITY;
      for (let f = 0; f < mesh.faces.length / 3; f++)
        nearest = Math.min(nearest, pointTriangleDistance(mesh, f, point));
      expect(nearest).toBeLessThan(1e-4 * size);
    }
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const a = samplePoints(mesh, 64, { seed: 42 });
    expect(samplePoints(mesh, 64, { seed: 42 })).toEqual(a);
    expect(samplePoints(mesh, 64, { seed: 43 }).data).not.toEqual(a.data);
    expect(samplePoints(mesh, 64).data).toEqual(samplePoints(mesh, 64, { seed: 0 }).data);
  });

  it('picks faces in proportion to their area (chi-square, 1 dof)', () => {
    // Two disjoint triangles of areas 0.5 (z = 0) and 4.5 (z = 1): expected shares 10% / 90%.
    const two = {
      positions: Float32Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 3, 0, 1, 0, 3, 1),
      faces: Uint32Array.of(0, 1, 2, 3, 4, 5),
    };
    const n = 20000;
    const cloud = samplePoints(two, n, { seed: 1 });
    let small = 0;
    for (let i = 0; i < n; i++) if (cloud.data[3 * i + 2] === 0) small++;
    const expected = [0.1 * n, 0.9 * n];
    const observed = [small, n - small];
    const chi2 = observed.reduce((s, o, k) => s + (o - expected[k]!) ** 2 / expected[k]!, 0);
    expect(chi2).toBeLessThan(10.83); // p = 0.001
  });

  it('spreads points uniformly inside a triangle (mean at the centroid, none outside)', () => {
    const triangle = {
      positions: Float32Array.of(0, 0, 0, 3, 0, 0, 0, 3, 0),
      faces: Uint32Array.of(0, 1, 2),
    };
    const n = 20000;
    const { data } = samplePoints(triangle, n, { seed: 5 });
    let mx = 0;
    let my = 0;
    let belowDiagonal = 0;
    for (let i = 0; i < n; i++) {
      const x = data[3 * i]!;
      const y = data[3 * i + 1]!;
      expect(x >= 0 && y >= 0 && x + y <= 3 + 1e-5).toBe(true);
      mx += x / n;
      my += y / n;
      if (x + y < 1.5) belowDiagonal++;
    }
    expect(mx).toBeCloseTo(1, 1);
    expect(my).toBeCloseTo(1, 1);
    // The triangle x + y < 1.5 holds a quarter of the area.
    expect(belowDiagonal / n).toBeCloseTo(0.25, 1);
  });

  it('returns outward unit face normals on request', () => {
    const cloud = samplePoints(mesh, 300, { seed: 2, normals: true });
    const normals = cloud.normals!;
    expect(normals).toBeInstanceOf(Float32Array);
    expect(normals.length).toBe(900);
    for (let i = 0; i < 300; i++) {
      const n = [normals[3 * i]!, normals[3 * i + 1]!, normals[3 * i + 2]!];
      expect(Math.hypot(...n)).toBeCloseTo(1, 5);
      const radial = [0, 1, 2].map((k) => cloud.data[3 * i + k]! - centre);
      expect(n[0]! * radial[0]! + n[1]! * radial[1]! + n[2]! * radial[2]!).toBeGreaterThan(0);
    }
    // The points do not depend on whether normals are requested.
    expect(samplePoints(mesh, 300, { seed: 2 }).data).toEqual(cloud.data);
  });

  it('never samples zero-area faces', () => {
    const cube = unitCube();
    const positions = Float32Array.of(...cube.positions, 5, 5, 5);
    const faces = Uint32Array.of(8, 8, 8, ...cube.faces, 0, 0, 1);
    const { data, normals } = samplePoints({ positions, faces }, 500, { normals: true });
    expect(normals!.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < 500; i++) expect(data[3 * i]!).toBeLessThanOrEqual(1);
  });

  it.each([
    ['n = 0', () => samplePoints(mesh, 0), /^samplePoints: 'n' must be a positive integer, got 0/],
    ['fractional n', () => samplePoints(mesh, 2.5), /'n' must be a positive integer, got 2.5/],
    ['NaN n', () => samplePoints(mesh, Number.NaN), /'n' must be a positive integer/],
    ['null options', () => samplePoints(mesh, 4, null as never), /'options' must be an object/],
    [
      'a NaN seed',
      () => samplePoints(mesh, 4, { seed: Number.NaN }),
      /'options.seed' must be a finite number/,
    ],
    [
      'non-boolean normals',
      () => samplePoints(mesh, 4, { normals: 1 as never }),
      /'options.normals' must be a boolean/,
    ],
    [
      'a malformed mesh',
      () => samplePoints({ positions: new Float32Array(2), faces: new Uint32Array(0) }),
      /'mesh.positions' must be a Float32Array/,
    ],
    [
      'a zero-area mesh',
      () =>
        samplePoints({
          positions: Float32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2),
          faces: Uint32Array.of(0, 1, 2),
        }),
      /'mesh' must have a positive surface area to sample, got 0 \(1 faces\)/,
    ],
    [
      'a mesh without faces',
      () => samplePoints({ positions: new Float32Array(3), faces: new Uint32Array(0) }),
      /positive surface area/,
    ],
  ])('rejects %s', (_name, call, message) => {
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(message);
  });
});
