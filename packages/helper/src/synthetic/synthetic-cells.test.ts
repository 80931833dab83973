import { deriveSeed, InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { SYNTHETIC_FAMILIES, type SyntheticFamily } from './families.js';
import { fillCavities } from './solid-mask.js';
import { generateSyntheticCells, syntheticCell } from './synthetic-cells.js';

/** Byte equality of two masks (vitest's deep equality is slow on 64³ arrays). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Foreground voxel coordinates as [x, y, z]. */
function voxels(mask: Volume<Uint8Array>): number[][] {
  const [nz, ny, nx] = mask.shape;
  const out: number[][] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) if (mask.data[(z * ny + y) * nx + x]) out.push([x, y, z]);
  return out;
}

/** 6-connected foreground components, counted by flood fill. */
function components(mask: Volume<Uint8Array>): number {
  const [nz, ny, nx] = mask.shape;
  const seen = new Uint8Array(mask.data.length);
  let count = 0;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i] || seen[i]) continue;
    count++;
    const stack = [i];
    seen[i] = 1;
    while (stack.length > 0) {
      const j = stack.pop()!;
      const x = j % nx;
      const y = Math.floor(j / nx) % ny;
      const z = Math.floor(j / (nx * ny));
      const next = [
        x > 0 ? j - 1 : -1,
        x < nx - 1 ? j + 1 : -1,
        y > 0 ? j - nx : -1,
        y < ny - 1 ? j + nx : -1,
        z > 0 ? j - nx * ny : -1,
        z < nz - 1 ? j + nx * ny : -1,
      ];
      for (const k of next) {
        if (k >= 0 && mask.data[k] && !seen[k]) {
          seen[k] = 1;
          stack.push(k);
        }
      }
    }
  }
  return count;
}

/** Eigenvalues (descending) of a symmetric 3 × 3 matrix, by Jacobi rotations. */
function eigenvalues3(m: number[][]): number[] {
  const a = m.map((r) => [...r]);
  for (let it = 0; it < 50; it++) {
    let p = 0;
    let q = 1;
    let max = 0;
    for (let i = 0; i < 3; i++)
      for (let j = i + 1; j < 3; j++)
        if (Math.abs(a[i]![j]!) > max) [max, p, q] = [Math.abs(a[i]![j]!), i, j];
    if (max < 1e-12) break;
    const th = 0.5 * Math.atan2(2 * a[p]![q]!, a[q]![q]! - a[p]![p]!);
    const [c, s] = [Math.cos(th), Math.sin(th)];
    for (const row of a) [row[p], row[q]] = [c * row[p]! - s * row[q]!, s * row[p]! + c * row[q]!];
    const [rp, rq] = [a[p]!, a[q]!];
    for (let k = 0; k < 3; k++) [rp[k], rq[k]] = [c * rp[k]! - s * rq[k]!, s * rp[k]! + c * rq[k]!];
  }
  return [a[0]![0]!, a[1]![1]!, a[2]![2]!].sort((x, y) => y - x);
}

/**
 * Voxels inside the polyhedron cut by the supporting planes of the points in 96 directions
 * (a Fibonacci sphere): a slight over-estimate of the convex-hull volume, the same for every
 * family.
 */
function hullVolume(pts: number[][]): number {
  const dirs: number[][] = [];
  const n = 96;
  for (let i = 0; i < n; i++) {
    const z = 1 - (2 * (i + 0.5)) / n;
    const r = Math.sqrt(1 - z * z);
    const phi = i * Math.PI * (3 - Math.sqrt(5));
    dirs.push([r * Math.cos(phi), r * Math.sin(phi), z]);
  }
  const support = dirs.map((d) =>
    Math.max(...pts.map((p) => d[0]! * p[0]! + d[1]! * p[1]! + d[2]! * p[2]!)),
  );
  const lo = [0, 1, 2].map((k) => Math.min(...pts.map((p) => p[k]!)));
  const hi = [0, 1, 2].map((k) => Math.max(...pts.map((p) => p[k]!)));
  let volume = 0;
  for (let z = lo[2]!; z <= hi[2]!; z++)
    for (let y = lo[1]!; y <= hi[1]!; y++)
      for (let x = lo[0]!; x <= hi[0]!; x++)
        if (dirs.every((d, k) => d[0]! * x + d[1]! * y + d[2]! * z <= support[k]! + 1e-9)) volume++;
  return volume;
}

/** Shape statistics straight from the voxel coordinates. */
function stats(mask: Volume<Uint8Array>) {
  const pts = voxels(mask);
  const n = pts.length;
  const c = [0, 1, 2].map((k) => pts.reduce((s, p) => s + p[k]!, 0) / n);
  const cov = [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => pts.reduce((s, p) => s + (p[i]! - c[i]!) * (p[j]! - c[j]!), 0) / n),
  );
  const [l1, l2, l3] = eigenvalues3(cov) as [number, number, number];
  const hull = hullVolume(pts);
  // Coefficient of variation of the distance from the centroid to the surface voxels.
  const [, ny, nx] = mask.shape;
  const radii: number[] = [];
  for (const [x, y, z] of pts as [number, number, number][]) {
    const i = (z * ny + y) * nx + x;
    const steps = [1, nx, nx * ny];
    if (steps.some((s) => !mask.data[i + s] || !mask.data[i - s]))
      radii.push(Math.hypot(x - c[0]!, y - c[1]!, z - c[2]!));
  }
  const mean = radii.reduce((s, r) => s + r, 0) / radii.length;
  const sd = Math.sqrt(radii.reduce((s, r) => s + (r - mean) ** 2, 0) / radii.length);
  return {
    n,
    elongation: Math.sqrt(l1 / l2),
    flatness: Math.sqrt(l3 / l2),
    solidity: n / hull,
    radialCv: sd / mean,
  };
}

describe('syntheticCell', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = syntheticCell('protrusive', { seed: 5, size: 40 });
    const b = syntheticCell('protrusive', { seed: 5, size: 40 });
    const c = syntheticCell('protrusive', { seed: 6, size: 40 });
    expect(a.shape).toEqual([40, 40, 40]);
    expect(same(a.data, b.data)).toBe(true);
    expect(same(a.data, c.data)).toBe(false);
  });

  it('gives a binary, solid, single-component mask that keeps off the border', () => {
    for (const family of SYNTHETIC_FAMILIES) {
      for (const seed of [0, 1, 2]) {
        for (const margin of [1, 2, 4]) {
          const mask = syntheticCell(family, { seed, size: 48, margin, noise: 0.2 });
          const [nz, ny, nx] = mask.shape;
          expect(mask.data.every((v) => v === 0 || v === 1)).toBe(true);
          expect(components(mask)).toBe(1);
          expect(fillCavities(mask.data.slice(), mask.shape)).toBe(0);
          for (const [x, y, z] of voxels(mask) as [number, number, number][]) {
            const inside = [x, y, z].every((v, k) => v >= margin && v < [nx, ny, nz][k]! - margin);
            if (!inside) throw new Error(`${family} seed ${seed}: voxel ${x},${y},${z} in margin`);
          }
        }
      }
    }
  });

  it('keeps a round cell near its nominal volume (4/3 π r³)', () => {
    const radius = 12;
    const mask = syntheticCell('round', { size: 64, radius, sizeJitter: 0, noise: 0 });
    const volume = voxels(mask).length;
    expect(volume / ((4 / 3) * Math.PI * radius ** 3)).toBeGreaterThan(0.75);
    expect(volume / ((4 / 3) * Math.PI * radius ** 3)).toBeLessThan(1.3);
  });

  it('scales a large shape down so that it fits the grid', () => {
    const mask = syntheticCell('protrusive', { size: 32, radius: 30, seed: 1 });
    expect(components(mask)).toBe(1);
    expect(voxels(mask).length).toBeGreaterThan(100);
  });

  it('noise changes the surface but not the shape family', () => {
    const smooth = syntheticCell('elongated', { seed: 3, noise: 0 });
    const rough = syntheticCell('elongated', { seed: 3, noise: 0.15 });
    expect(same(rough.data, smooth.data)).toBe(false);
    const a = stats(smooth);
    const b = stats(rough);
    expect(Math.abs(b.n - a.n) / a.n).toBeLessThan(0.25);
    expect(b.elongation).toBeGreaterThan(1.7);
    expect(Math.abs(b.elongation - a.elongation) / a.elongation).toBeLessThan(0.25);
  });

  it('rotate: false draws the same shape, axis-aligned', () => {
    const turned = stats(syntheticCell('elongated', { seed: 4 }));
    const straight = syntheticCell('elongated', { seed: 4, rotate: false });
    expect(stats(straight).elongation).toBeCloseTo(turned.elongation, 0);
    // Unrotated, the long axis is the grid's x axis: extents along x ≫ along y and z.
    const pts = voxels(straight);
    const extent = (k: number) =>
      Math.max(...pts.map((p) => p[k]!)) - Math.min(...pts.map((p) => p[k]!));
    expect(extent(0)).toBeGreaterThan(1.6 * extent(1));
    expect(extent(0)).toBeGreaterThan(1.6 * extent(2));
  });

  it('rejects invalid input', () => {
    expect(() => syntheticCell('cube' as SyntheticFamily)).toThrow(InvalidArgumentError);
    expect(() => syntheticCell('round', { size: 4 })).toThrow(/'size' must be an integer/);
    expect(() => syntheticCell('round', { size: 32.5 })).toThrow(InvalidArgumentError);
    expect(() => syntheticCell('round', { radius: 0 })).toThrow(/'radius'/);
    expect(() => syntheticCell('round', { noise: -1 })).toThrow(/'noise'/);
    expect(() => syntheticCell('round', { noise: Number.NaN })).toThrow(/'noise'/);
    expect(() => syntheticCell('round', { sizeJitter: 0.9 })).toThrow(/'sizeJitter'/);
    expect(() => syntheticCell('round', { margin: 0 })).toThrow(/'margin'/);
    expect(() => syntheticCell('round', { seed: Number.POSITIVE_INFINITY })).toThrow(/'seed'/);
    expect(() => syntheticCell('round', { rotate: 1 as unknown as boolean })).toThrow(/'rotate'/);
  });
});

describe('generateSyntheticCells', () => {
  const { cells, families } = generateSyntheticCells({ count: 4, seed: 11, noise: 0 });
  const byFamily = (f: SyntheticFamily) =>
    cells.filter((c) => c.family === f).map((c) => stats(c.mask));

  it('draws count cells per family, labelled by family index, with stable ids', () => {
    expect(families).toEqual([...SYNTHETIC_FAMILIES]);
    expect(cells).toHaveLength(4 * SYNTHETIC_FAMILIES.length);
    cells.forEach((cell, i) => {
      expect(cell.label).toBe(Math.floor(i / 4));
      expect(cell.family).toBe(SYNTHETIC_FAMILIES[cell.label]);
      expect(cell.id).toBe(`${cell.family}-${i % 4}`);
      expect(cell.mask.shape).toEqual([64, 64, 64]);
    });
  });

  it('draws each cell from its own seed, independent of the other families', () => {
    const only = generateSyntheticCells({ count: 2, seed: 11, noise: 0, families: ['blebbed'] });
    expect(only.cells[1]!.label).toBe(0);
    expect(same(only.cells[1]!.mask.data, cells.find((c) => c.id === 'blebbed-1')!.mask.data)).toBe(
      true,
    );
    const direct = syntheticCell('blebbed', { seed: deriveSeed(11, 'blebbed', 1), noise: 0 });
    expect(same(direct.data, only.cells[1]!.mask.data)).toBe(true);
  });

  it('makes families whose shapes measurably differ', () => {
    const round = byFamily('round');
    const max = (xs: number[]) => Math.max(...xs);
    const min = (xs: number[]) => Math.min(...xs);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    // Principal moments: elongated ≫ round along the first axis, flat ≪ round along the last.
    expect(max(round.map((s) => s.elongation))).toBeLessThan(1.3);
    expect(min(byFamily('elongated').map((s) => s.elongation))).toBeGreaterThan(1.7);
    expect(min(round.map((s) => s.flatness))).toBeGreaterThan(0.85);
    expect(max(byFamily('flat').map((s) => s.flatness))).toBeLessThan(0.6);
    // Protrusions leave most of the convex hull empty.
    expect(max(byFamily('protrusive').map((s) => s.solidity))).toBeLessThan(
      0.7 * min(round.map((s) => s.solidity)),
    );
    // Blebs make the radius vary over the surface far more than on a smooth round cell.
    expect(mean(byFamily('blebbed').map((s) => s.radialCv))).toBeGreaterThan(
      1.5 * mean(round.map((s) => s.radialCv)),
    );
  });

  it('keeps the defaults for options given as undefined', () => {
    const given = generateSyntheticCells({ count: 1, families: ['round'], size: 24, seed: 3 });
    const withUndefined = generateSyntheticCells({
      count: 1,
      families: ['round'],
      size: 24,
      seed: 3,
      noise: undefined,
      rotate: undefined,
      margin: undefined,
    });
    expect(same(withUndefined.cells[0]!.mask.data, given.cells[0]!.mask.data)).toBe(true);
    const byDefault = syntheticCell('flat', { size: 24 });
    const undefinedSeed = syntheticCell('flat', {
      size: 24,
      seed: undefined,
      sizeJitter: undefined,
    });
    expect(same(undefinedSeed.data, byDefault.data)).toBe(true);
  });

  it('rejects invalid input', () => {
    expect(() => generateSyntheticCells({ count: 0 })).toThrow(/'count'/);
    expect(() => generateSyntheticCells({ count: 1.5 })).toThrow(/'count'/);
    expect(() => generateSyntheticCells({ families: [] })).toThrow(/'families'/);
    expect(() => generateSyntheticCells({ families: ['round', 'round'] })).toThrow(/duplicates/);
    expect(() => generateSyntheticCells({ families: ['oval' as SyntheticFamily] })).toThrow(
      /'family'/,
    );
    expect(() => generateSyntheticCells(null as unknown as object)).toThrow(InvalidArgumentError);
  });
});
