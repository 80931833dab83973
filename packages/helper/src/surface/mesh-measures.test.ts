import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Mesh } from '../types.js';
import { marchingCubes } from './marching-cubes.js';
import { faceAreas, meshArea, meshVolume, vertexNormals } from './mesh-measures.js';
import { unitCube } from './test-meshes.js';

function ballVolume(r: number): { mesh: Mesh; centre: number } {
  const n = Math.ceil(2 * r) + 5;
  const centre = (n - 1) / 2;
  const data = new Float32Array(n * n * n);
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) data[i] = r - Math.hypot(x - centre, y - centre, z - centre);
  return { mesh: marchingCubes({ data, shape: [n, n, n] }, { level: 0 }), centre };
}

describe('mesh measures', () => {
  it('gives the unit cube area 6 and volume 1', () => {
    const cube = unitCube();
    expect(meshArea(cube)).toBeCloseTo(6, 12);
    expect(meshVolume(cube)).toBeCloseTo(1, 12);
    expect(Array.from(faceAreas(cube))).toEqual(new Array(12).fill(0.5));
  });

  it('scales area by s² and volume by s³, independent of position', () => {
    const cube = unitCube(3, [1000, -2000, 500]);
    expect(meshArea(cube)).toBeCloseTo(54, 6);
    expect(meshVolume(cube)).toBeCloseTo(27, 6);
  });

  it('gives a negative volume for inward orientation', () => {
    const cube = unitCube();
    const flipped = { positions: cube.positions, faces: cube.faces.slice() };
    for (let f = 0; f < flipped.faces.length; f += 3) {
      const b = flipped.faces[f + 1]!;
      flipped.faces[f + 1] = flipped.faces[f + 2]!;
      flipped.faces[f + 2] = b;
    }
    expect(meshVolume(flipped)).toBeCloseTo(-1, 12);
  });

  it('approximates a sphere: area 4πr², volume 4/3 πr³, radial unit normals', () => {
    const r = 10.3;
    const { mesh, centre } = ballVolume(r);
    expect(Math.abs(meshArea(mesh) / (4 * Math.PI * r * r) - 1)).toBeLessThan(0.01);
    expect(Math.abs(meshVolume(mesh) / ((4 / 3) * Math.PI * r ** 3) - 1)).toBeLessThan(0.01);
    const normals = vertexNormals(mesh);
    const p = mesh.positions;
    let worst = 1;
    for (let i = 0; i < p.length; i += 3) {
      const radial = [p[i]! - centre, p[i + 1]! - centre, p[i + 2]! - centre];
      const length = Math.hypot(...radial);
      const cos =
        (normals[i]! * radial[0]! + normals[i + 1]! * radial[1]! + normals[i + 2]! * radial[2]!) /
        length;
      expect(Math.hypot(normals[i]!, normals[i + 1]!, normals[i + 2]!)).toBeCloseTo(1, 5);
      worst = Math.min(worst, cos);
    }
    expect(worst).toBeGreaterThan(0.95);
  });

  it('gives zero normals, not NaN, to isolated vertices and degenerate faces', () => {
    const mesh = {
      positions: Float32Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5, 7, 7, 7),
      faces: Uint32Array.of(0, 1, 2, 4, 4, 4),
    };
    const normals = vertexNormals(mesh);
    expect(Array.from(normals)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(meshArea(mesh)).toBeCloseTo(0.5, 12);
    expect(Array.from(faceAreas(mesh))).toEqual([0.5, 0]);
  });

  it('handles a mesh without faces', () => {
    const mesh = { positions: new Float32Array(0), faces: new Uint32Array(0) };
    expect(meshArea(mesh)).toBe(0);
    expect(meshVolume(mesh)).toBe(0);
    expect(vertexNormals(mesh)).toEqual(new Float32Array(0));
  });

  it.each([
    ['faceAreas', faceAreas],
    ['meshArea', meshArea],
    ['meshVolume', meshVolume],
    ['vertexNormals', vertexNormals],
  ] as const)('%s rejects a malformed mesh', (name, fn) => {
    const bad = { positions: Float32Array.of(0, 0, 0), faces: Uint32Array.of(0, 0, 1) };
    expect(() => fn(bad)).toThrow(InvalidArgumentError);
    expect(() => fn(bad)).toThrow(new RegExp(`^${name}: 'mesh.faces' must be vertex indices`));
    expect(() => fn(undefined as never)).toThrow(new RegExp(`^${name}: 'mesh' must be a mesh`));
  });
});
