import { createRng, InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Mesh } from '../types.js';
import { marchingCubes } from './marching-cubes.js';
import { meshVolume } from './mesh-measures.js';
import { smoothMesh } from './smooth-mesh.js';
import { unitCube } from './test-meshes.js';

/** A binary (staircase) ball of radius r: rough, so smoothing has work to do. */
function blockyBall(r: number): { mesh: Mesh; centre: number } {
  const n = Math.ceil(2 * r) + 5;
  const centre = (n - 1) / 2;
  const data = new Uint8Array(n * n * n);
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++)
        data[i] = Math.hypot(x - centre, y - centre, z - centre) <= r ? 1 : 0;
  return { mesh: marchingCubes({ data, shape: [n, n, n] }), centre };
}

/** Relative standard deviation of the vertices' distances to the centre. */
function radialSpread(mesh: Mesh, centre: number): number {
  const p = mesh.positions;
  const radii: number[] = [];
  for (let i = 0; i < p.length; i += 3)
    radii.push(Math.hypot(p[i]! - centre, p[i + 1]! - centre, p[i + 2]! - centre));
  const mean = radii.reduce((a, b) => a + b, 0) / radii.length;
  const variance = radii.reduce((a, b) => a + (b - mean) ** 2, 0) / radii.length;
  return Math.sqrt(variance) / mean;
}

describe('smoothMesh', () => {
  const { mesh, centre } = blockyBall(9);
  const volume = meshVolume(mesh);

  it('makes a staircase ball rounder (Laplacian), shrinking it', () => {
    const smooth = smoothMesh(mesh);
    expect(radialSpread(smooth, centre)).toBeLessThan(0.5 * radialSpread(mesh, centre));
    expect(meshVolume(smooth)).toBeLessThan(0.98 * volume);
  });

  it('smooths without shrinking with Taubin', () => {
    const smooth = smoothMesh(mesh, { method: 'taubin', iterations: 10 });
    const laplacian = smoothMesh(mesh, { iterations: 10 });
    expect(radialSpread(smooth, centre)).toBeLessThan(0.6 * radialSpread(mesh, centre));
    expect(Math.abs(meshVolume(smooth) / volume - 1)).toBeLessThan(0.01);
    expect(Math.abs(meshVolume(smooth) - volume)).toBeLessThan(
      0.25 * Math.abs(meshVolume(laplacian) - volume),
    );
  });

  it('moves each vertex lambda of the way to its neighbours mean (one pass)', () => {
    // A fan: vertex 0 at the apex above the square 1..4.
    const fan = {
      positions: Float32Array.of(0, 0, 4, 1, 0, 0, 0, 1, 0, -1, 0, 0, 0, -1, 0),
      faces: Uint32Array.of(0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 1),
    };
    const out = smoothMesh(fan, { iterations: 1, lambda: 0.25 });
    expect(Array.from(out.positions.subarray(0, 3))).toEqual([0, 0, 3]);
    // Vertex 1 has neighbours 0, 2, 4 (mean (0, 0, 4/3)): it moves a quarter of the way there.
    expect(out.positions[0 + 3]).toBeCloseTo(0.75, 6);
    expect(out.positions[2 + 3]).toBeCloseTo(1 / 3, 6);
  });

  it('never yields NaN: isolated vertices stay, degenerate faces are harmless', () => {
    const cube = unitCube();
    const positions = Float32Array.of(...cube.positions, 9, 9, 9, 5, 5, 5);
    const faces = Uint32Array.of(...cube.faces, 8, 8, 8, 0, 0, 1);
    const out = smoothMesh({ positions, faces }, { iterations: 50, method: 'taubin' });
    expect(out.positions.every(Number.isFinite)).toBe(true);
    expect(Array.from(out.positions.subarray(24, 30))).toEqual([9, 9, 9, 5, 5, 5]);
  });

  it('returns new arrays, leaves the input alone, and is the identity for 0 iterations', () => {
    const before = mesh.positions.slice();
    const same = smoothMesh(mesh, { iterations: 0 });
    expect(same.positions).toEqual(mesh.positions);
    expect(same.positions).not.toBe(mesh.positions);
    expect(same.faces).toEqual(mesh.faces);
    expect(same.faces).not.toBe(mesh.faces);
    smoothMesh(mesh, { iterations: 3 });
    expect(mesh.positions).toEqual(before);
  });

  it('keeps a flat grid flat under in-plane noise', () => {
    const rng = createRng(3);
    const n = 6;
    const positions = new Float32Array(3 * n * n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        positions[3 * (j * n + i)] = i + rng.uniform(-0.2, 0.2);
        positions[3 * (j * n + i) + 1] = j + rng.uniform(-0.2, 0.2);
      }
    const faces: number[] = [];
    for (let j = 0; j + 1 < n; j++)
      for (let i = 0; i + 1 < n; i++) {
        const a = j * n + i;
        faces.push(a, a + 1, a + n + 1, a, a + n + 1, a + n);
      }
    const out = smoothMesh({ positions, faces: Uint32Array.from(faces) }, { iterations: 20 });
    for (let v = 0; v < n * n; v++) expect(out.positions[3 * v + 2]).toBe(0);
  });

  const cube = unitCube();
  it.each([
    [
      'negative iterations',
      { iterations: -1 },
      /'options.iterations' must be an integer ≥ 0, got -1/,
    ],
    ['fractional iterations', { iterations: 1.5 }, /'options.iterations' must be an integer ≥ 0/],
    ['null options', null as never, /^smoothMesh: 'options' must be an object, got null/],
    ['lambda 0', { lambda: 0 }, /'options.lambda' must be a number in \(0, 1\], got 0/],
    ['lambda above 1', { lambda: 1.5 }, /'options.lambda' must be a number in \(0, 1\]/],
    ['NaN lambda', { lambda: Number.NaN }, /'options.lambda'/],
    [
      'an unknown method',
      { method: 'gaussian' as never },
      /'options.method' must be 'laplacian' or 'taubin', got "gaussian"/,
    ],
    [
      'a positive mu',
      { method: 'taubin' as const, mu: 0.5 },
      /'options.mu' must be in \[-1, -lambda\)/,
    ],
    ['a mu below -1', { method: 'taubin' as const, mu: -1.5 }, /'options.mu'/],
    [
      'a default mu out of range',
      { method: 'taubin' as const, lambda: 1 },
      /pass mu or a lambda ≤ 0.9/,
    ],
  ])('rejects %s', (_name, options, message) => {
    expect(() => smoothMesh(cube, options)).toThrow(InvalidArgumentError);
    expect(() => smoothMesh(cube, options)).toThrow(message);
  });

  it('rejects a malformed mesh', () => {
    expect(() =>
      smoothMesh({ positions: new Float32Array(3), faces: Uint32Array.of(0, 1, 2) }),
    ).toThrow(/^smoothMesh: 'mesh.faces' must be vertex indices below the vertex count 1/);
  });
});
