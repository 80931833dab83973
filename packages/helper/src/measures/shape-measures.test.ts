import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Mesh, Volume } from '../types.js';
import { maskShapeMeasures, meshShapeMeasures } from './shape-measures.js';

/** A binary mask from a predicate on voxel (z, y, x). */
function mask(
  shape: [number, number, number],
  inside: (z: number, y: number, x: number) => boolean,
  spacing?: [number, number, number],
): Volume<Uint8Array> {
  const [nz, ny, nx] = shape;
  const data = new Uint8Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) data[(z * ny + y) * nx + x] = inside(z, y, x) ? 1 : 0;
  return spacing ? { data, shape, spacing } : { data, shape };
}

/**
 * The exact boundary of a mask's voxel cubes (unit cubes centred on integer x, y, z), two
 * outward triangles per exposed voxel face.
 */
function voxelSurface(volume: Volume): Mesh {
  const [nz, ny, nx] = volume.shape;
  const at = (q: number[]) =>
    q[0]! >= 0 && q[1]! >= 0 && q[2]! >= 0 && q[0]! < nx && q[1]! < ny && q[2]! < nz
      ? volume.data[(q[2]! * ny + q[1]!) * nx + q[0]!]! !== 0
      : false;
  const positions: number[] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        if (!at([x, y, z])) continue;
        for (let k = 0; k < 3; k++)
          for (const s of [-1, 1]) {
            const q = [x, y, z];
            q[k]! += s;
            if (at(q)) continue;
            const u = (k + 1) % 3;
            const v = (k + 2) % 3;
            const square = [
              [-1, -1],
              [1, -1],
              [1, 1],
              [-1, 1],
            ];
            if (s < 0) square.reverse();
            const corner = square.map(([du, dv]) => {
              const c = [x, y, z];
              c[k]! += s / 2;
              c[u]! += du! / 2;
              c[v]! += dv! / 2;
              return c;
            });
            for (const i of [0, 1, 2, 0, 2, 3]) positions.push(...corner[i]!);
          }
      }
  return {
    positions: new Float32Array(positions),
    faces: Uint32Array.from({ length: positions.length / 3 }, (_, i) => i),
  };
}

/** A UV-sphere mesh scaled to an ellipsoid with semi-axes (a, b, c), outward faces. */
function ellipsoidMesh(a: number, b: number, c: number, rings = 40, segments = 80): Mesh {
  const positions: number[] = [];
  for (let i = 0; i <= rings; i++) {
    const theta = (Math.PI * i) / rings;
    for (let j = 0; j < segments; j++) {
      const phi = (2 * Math.PI * j) / segments;
      positions.push(
        a * Math.sin(theta) * Math.cos(phi),
        b * Math.sin(theta) * Math.sin(phi),
        c * Math.cos(theta),
      );
    }
  }
  const faces: number[] = [];
  const id = (i: number, j: number) => i * segments + (j % segments);
  for (let i = 0; i < rings; i++)
    for (let j = 0; j < segments; j++) {
      if (i > 0) faces.push(id(i, j), id(i + 1, j), id(i, j + 1));
      if (i < rings - 1) faces.push(id(i, j + 1), id(i + 1, j), id(i + 1, j + 1));
    }
  return { positions: new Float32Array(positions), faces: new Uint32Array(faces) };
}

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / expected;

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number) {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++)
    expect(Math.abs(actual[k]! - expected[k]!)).toBeLessThanOrEqual(tolerance);
}

describe('meshShapeMeasures', () => {
  it('measures a 2 × 3 × 4 box exactly', () => {
    const box = voxelSurface(mask([4, 3, 2], () => true));
    const m = meshShapeMeasures(box);
    expect(m.volume).toBeCloseTo(24, 5);
    expect(m.surfaceArea).toBeCloseTo(52, 5);
    expect(m.extents).toEqual([2, 3, 4]);
    expect(m.centroid.map((v) => v.toFixed(6))).toEqual(['0.500000', '1.000000', '1.500000']);
    // A solid box of side s has variance s²/12 along it: lengths sqrt(20 s² / 12).
    const expected = [4, 3, 2].map((s) => Math.sqrt((20 * s * s) / 12));
    expectClose(m.principalAxisLengths, expected, 1e-5);
    expect(m.elongation).toBeCloseTo(3 / 4, 5);
    expect(m.flatness).toBeCloseTo(2 / 3, 5);
    expect(m.convexHullVolume).toBeCloseTo(24, 5);
    expect(m.solidity).toBeCloseTo(1, 6);
    expect(m.sphericity).toBeCloseTo((Math.cbrt(Math.PI) * 144 ** (2 / 3)) / 52, 6);
  });

  it('gives the full axes of a solid ellipsoid and sphericity 1 for a sphere', () => {
    // The inscribed 40 × 80 polyhedron falls short of the smooth surface by ~0.3%.
    const m = meshShapeMeasures(ellipsoidMesh(3, 2, 1));
    expect(relative(m.volume, (4 / 3) * Math.PI * 6)).toBeLessThan(5e-3);
    for (const [k, l] of [6, 4, 2].entries())
      expect(relative(m.principalAxisLengths[k]!, l)).toBeLessThan(5e-3);
    expect(relative(m.convexHullVolume, m.volume)).toBeLessThan(1e-6);
    const sphere = meshShapeMeasures(ellipsoidMesh(5, 5, 5));
    expect(relative(sphere.sphericity, 1)).toBeLessThan(5e-3);
    expect(relative(sphere.surfaceArea, 4 * Math.PI * 25)).toBeLessThan(5e-3);
  });

  it('gives an L-shaped prism its solidity 12/14', () => {
    const l = meshShapeMeasures(voxelSurface(mask([3, 4, 4], (_, y, x) => x < 2 || y < 2)));
    expect(l.volume).toBeCloseTo(36, 5);
    expect(l.convexHullVolume).toBeCloseTo(42, 5);
    expect(l.solidity).toBeCloseTo(6 / 7, 6);
  });

  it('rejects open, inverted and malformed meshes', () => {
    const box = voxelSurface(mask([1, 1, 1], () => true));
    const inverted = { ...box, faces: box.faces.slice().reverse() };
    expect(() => meshShapeMeasures(inverted)).toThrow(
      /meshShapeMeasures: 'mesh' must be closed with outward faces/,
    );
    expect(() =>
      meshShapeMeasures({ positions: new Float32Array(0), faces: new Uint32Array(0) }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      meshShapeMeasures({ positions: new Float32Array(3), faces: new Uint32Array([0, 0, 1]) }),
    ).toThrow(/meshShapeMeasures: 'mesh.faces'/);
  });
});

describe('maskShapeMeasures', () => {
  it('matches the exact voxel-cube surface moments, shifted by the voxels’ own variance', () => {
    const blob = mask(
      [6, 7, 8],
      (z, y, x) => (x - 3.5) ** 2 / 9 + (y - 3) ** 2 / 6 + (z - 2.5) ** 2 / 4 <= 1,
    );
    const fromMask = maskShapeMeasures(blob);
    const fromMesh = meshShapeMeasures(voxelSurface(blob));
    expect(fromMask.volume).toBeCloseTo(fromMesh.volume, 4);
    expectClose(fromMask.centroid, fromMesh.centroid, 1e-4);
    expect(fromMask.extents).toEqual(fromMesh.extents);
    expect(fromMask.convexHullVolume).toBeCloseTo(fromMesh.convexHullVolume, 3);
  });

  it('measures boxes with anisotropic spacing, solidity 1, and an L with solidity 6/7', () => {
    const box = maskShapeMeasures(mask([5, 4, 3], () => true, [2, 1, 0.5]));
    expect(box.volume).toBeCloseTo(60 * 1, 6);
    expect(box.extents).toEqual([1.5, 4, 10]);
    expect(box.centroid).toEqual([0.5, 1.5, 4]);
    expect(box.solidity).toBeCloseTo(1, 6);
    const l = maskShapeMeasures(mask([3, 4, 4], (_, y, x) => x < 2 || y < 2));
    expect(l.solidity).toBeCloseTo(6 / 7, 6);
  });

  it('agrees with scikit-image regionprops and marching_cubes on a small mask', () => {
    // Reference from /usr/bin/python3, scikit-image 0.19:
    //   z, y, x = np.mgrid[0:11, 0:15, 0:17]
    //   m = ((z-5)/3.5)**2 + ((y-7)/5)**2 + ((x-8)/6.5)**2 <= 1
    //   m |= (z>=4)&(z<=6)&(y>=6)&(y<=8)&(x>=13)&(x<=16)
    //   p = regionprops(m.astype(np.uint8))[0]
    //   area 507, centroid (5.0, 7.0, 8.266272189349113), bbox (2, 2, 2, 9, 13, 17),
    //   major_axis_length 14.232575428603301, minor_axis_length 7.2269493456216685,
    //   sqrt(20 λ) of the covariance: [14.23257543, 9.6035825, 7.22694935];
    //   mesh_surface_area(marching_cubes(np.pad(m, 1), 0.5)) = 358.4066467285156,
    //   and with spacing=(2, 1, 0.5): 378.1910775772343.
    const inside = (z: number, y: number, x: number) =>
      ((z - 5) / 3.5) ** 2 + ((y - 7) / 5) ** 2 + ((x - 8) / 6.5) ** 2 <= 1 ||
      (z >= 4 && z <= 6 && y >= 6 && y <= 8 && x >= 13 && x <= 16);
    const m = maskShapeMeasures(mask([11, 15, 17], inside));
    expect(m.volume).toBe(507);
    expect(m.centroid[0]).toBeCloseTo(8.266272189349113, 10);
    expect(m.centroid[1]).toBeCloseTo(7, 10);
    expect(m.centroid[2]).toBeCloseTo(5, 10);
    expect(m.extents).toEqual([15, 11, 7]);
    expectClose(m.principalAxisLengths, [14.232575428603301, 9.6035825, 7.2269493456216685], 1e-6);
    expect(relative(m.surfaceArea, 358.4066467285156)).toBeLessThan(1e-3);
    const anisotropic = maskShapeMeasures(mask([11, 15, 17], inside, [2, 1, 0.5]));
    expect(relative(anisotropic.surfaceArea, 378.1910775772343)).toBeLessThan(1e-3);
    expect(anisotropic.volume).toBe(507);
  });

  it('rejects empty, NaN and malformed masks', () => {
    expect(() => maskShapeMeasures(mask([2, 2, 2], () => false))).toThrow(
      /maskShapeMeasures: 'volume' must be a mask with at least one foreground/,
    );
    const nan: Volume = { data: new Float32Array([1, Number.NaN]), shape: [1, 1, 2] };
    expect(() => maskShapeMeasures(nan)).toThrow(/'volume.data' must be free of NaN/);
    expect(() => maskShapeMeasures({ data: new Uint8Array(3), shape: [1, 1, 2] })).toThrow(
      /maskShapeMeasures: 'volume.shape'/,
    );
  });
});
