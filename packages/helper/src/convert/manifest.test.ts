import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRecords, encodeNpy, parseCsv } from '@cellshape/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertDirectory } from './convert-directory.js';
import type { ManifestRow } from './convert-file.js';
import { encodeManifest, MANIFEST_COLUMNS, MANIFEST_MEASURE_COLUMNS } from './manifest.js';

/** A solid ellipsoid with semi-axes (in voxels) az, ay, ax in a 0/1 volume, centred. */
function ellipsoid(shape: [number, number, number], axes: [number, number, number]): Uint8Array {
  const [nz, ny, nx] = shape;
  const data = new Uint8Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const r =
          ((z - (nz - 1) / 2) / axes[0]) ** 2 +
          ((y - (ny - 1) / 2) / axes[1]) ** 2 +
          ((x - (nx - 1) / 2) / axes[2]) ** 2;
        if (r <= 1) data[(z * ny + y) * nx + x] = 1;
      }
  return data;
}

describe('manifest classical measures', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cellshape-manifest-'));
    mkdirSync(join(root, 'in'));
    // A ball of radius 8 voxels, and a ball squashed 2× along z: with spacing z = 2 it is a ball again.
    const ball = ellipsoid([21, 21, 21], [8, 8, 8]);
    writeFileSync(join(root, 'in', 'ball.npy'), encodeNpy({ data: ball, shape: [21, 21, 21] }));
    const squashed = ellipsoid([11, 21, 21], [4, 8, 8]);
    writeFileSync(
      join(root, 'in', 'squashed.npy'),
      encodeNpy({ data: squashed, shape: [11, 21, 21] }),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function manifestRows(options: Parameters<typeof convertDirectory>[2]) {
    const out = join(root, `out-${Math.random().toString(36).slice(2)}`);
    const result = await convertDirectory(join(root, 'in'), out, {
      numPoints: 64,
      workers: 0,
      ...options,
    });
    const table = parseCsv(readFileSync(result.manifest, 'utf8'), { source: 'manifest.csv' });
    expect(table.header).toEqual([...MANIFEST_COLUMNS]);
    return table.rows.map(
      (fields) =>
        Object.fromEntries(table.header.map((c, i) => [c, fields[i]!])) as Record<string, string>,
    );
  }

  it('records the classical measures in voxels, and that no spacing was known', async () => {
    const rows = await manifestRows({});
    const ball = rows.find((r) => r.id === 'ball_1')!;
    expect(ball.spacing_from).toBe('none');
    expect([ball.spacing_z, ball.spacing_y, ball.spacing_x]).toEqual(['1', '1', '1']);
    // The level-0.5 surface of a voxelised ball of radius 8: volume within 3 % of 4/3 π 8³,
    // principal axes 2r, elongation and flatness 1, convex (solidity near 1), sphericity < 1
    // only by the staircase.
    const volume = (4 / 3) * Math.PI * 8 ** 3;
    expect(Number(ball.volume) / volume).toBeGreaterThan(0.97);
    expect(Number(ball.volume) / volume).toBeLessThan(1.03);
    for (const axis of ['axis_major', 'axis_intermediate', 'axis_minor'])
      expect(Math.abs(Number(ball[axis]) - 16) / 16).toBeLessThan(0.05);
    expect(Number(ball.elongation)).toBeGreaterThan(0.98);
    expect(Number(ball.flatness)).toBeGreaterThan(0.98);
    // The staircase surface is not convex: a voxelised ball of radius 8 has solidity ≈ 0.93.
    expect(Number(ball.solidity)).toBeGreaterThan(0.9);
    expect(Number(ball.solidity)).toBeLessThanOrEqual(1);
    expect(Number(ball.sphericity)).toBeGreaterThan(0.85);
    expect(Number(ball.sphericity)).toBeLessThanOrEqual(1);
    expect(Number(ball.convex_hull_volume)).toBeGreaterThanOrEqual(Number(ball.volume));
    for (const [column] of MANIFEST_MEASURE_COLUMNS) expect(ball[column]).not.toBe('');
    const squashed = rows.find((r) => r.id === 'squashed_1')!;
    // In voxels the squashed ball is an oblate spheroid: flatness near 1/2.
    expect(Number(squashed.flatness)).toBeCloseTo(0.5, 1);
  });

  it('measures in physical units with the spacing given', async () => {
    const rows = await manifestRows({ spacing: [2, 1, 1] });
    const squashed = rows.find((r) => r.id === 'squashed_1')!;
    expect(squashed.spacing_from).toBe('option');
    expect(squashed.spacing_z).toBe('2');
    // z spacing 2 makes it a ball of radius 8 again.
    expect(Number(squashed.flatness)).toBeGreaterThan(0.9);
    expect(Number(squashed.extent_z)).toBeCloseTo(Number(squashed.extent_x), -0.5);
    const ball = rows.find((r) => r.id === 'ball_1')!;
    // The same voxels at twice the z spacing: twice the volume.
    expect(Number(ball.volume) / (2 * (4 / 3) * Math.PI * 8 ** 3)).toBeCloseTo(1, 1);
  });
});

describe('encodeManifest numbers', () => {
  it('writes integers whole and other numbers with 9 significant digits', () => {
    // pandas 1.5.3 read the label 4294967295 of the old manifest as 4294967300 and the voxel
    // count 1234567891 as 1234567890 (numbers were all cut to 9 digits).
    const row = {
      id: 'a/b_4294967295',
      source: 'a/b.tif',
      label: 4294967295,
      voxelCount: 1234567891,
      centroid: [1.5, 2.25, 1 / 3],
      vertices: 10,
      faces: 16,
      area: 12.5,
      mesh: 'a/b_4294967295.ply',
      points: 'a/b_4294967295_points.ply',
      spacing: [1, 0.5, 0.5],
      spacingFrom: 'file',
      measures: null,
    } as unknown as ManifestRow;
    const [back] = csvRecords(parseCsv(encodeManifest([row])));
    expect(back!.label).toBe('4294967295');
    expect(back!.voxel_count).toBe('1234567891');
    expect(back!.centroid_x).toBe('0.333333333');
    expect(back!.volume).toBe('');
  });
});
