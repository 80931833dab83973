import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readVolume, writeVolume } from '@cellshape/helper';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../../test-utils/fixtures.js';

/** A label image with a 4 × 4 × 4 box (label 2) and a 3 × 6 × 3 box (label 5). */
async function writeLabels(path: string): Promise<void> {
  const [nz, ny, nx] = [12, 20, 12];
  const data = new Uint16Array(nz * ny * nx);
  const box = (label: number, lo: number[], hi: number[]) => {
    for (let z = lo[0]!; z < hi[0]!; z++)
      for (let y = lo[1]!; y < hi[1]!; y++)
        for (let x = lo[2]!; x < hi[2]!; x++) data[(z * ny + y) * nx + x] = label;
  };
  box(2, [2, 2, 2], [6, 6, 6]);
  box(5, [3, 10, 3], [6, 16, 6]);
  await writeVolume(path, { data, shape: [nz, ny, nx] });
}

describe('cellshape convert --cube', () => {
  const dir = tempDir('convert-cubes');

  it('writes one binary cube per object, centred, listed in the manifest', async () => {
    await writeLabels(join(dir, 'masks', 'plate', 'field.tif'));
    const out = join(dir, 'out');
    const args = [
      '--json',
      'convert',
      join(dir, 'masks'),
      out,
      '--workers',
      '0',
      '--num-points',
      '16',
    ];
    const first = await cli([...args, '--cube', '16']);
    expect(first.err).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out).cubes).toEqual({ written: 2, failed: [] });
    const manifest = readFileSync(join(out, 'manifest.csv'), 'utf8').trim().split('\n');
    expect(manifest[0]!.split(',').at(-1)).toBe('cube');
    expect(manifest.slice(1).map((l) => l.split(',').at(-1))).toEqual([
      'cubes/plate/field_2.tif',
      'cubes/plate/field_5.tif',
    ]);
    const five = readVolume(join(out, 'cubes', 'plate', 'field_5.tif'));
    expect(five.shape).toEqual([16, 16, 16]);
    expect(five.data).toBeInstanceOf(Uint8Array);
    expect(new Set(five.data)).toEqual(new Set([0, 1]));
    expect(Array.from(five.data).reduce((a, b) => a + b, 0)).toBe(3 * 6 * 3);
    // The 6-voxel axis (y) spans 5 … 10 around the cube centre 7.5.
    const ys = new Set<number>();
    five.data.forEach((v, i) => {
      if (v) ys.add(Math.floor(i / 16) % 16);
    });
    expect([...ys].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10]);

    // A re-run with the same settings keeps the cubes; another size writes them again.
    const before = statSync(join(out, 'cubes', 'plate', 'field_2.tif')).mtimeMs;
    const again = await cli([...args, '--cube', '16']);
    expect(JSON.parse(again.out).cubes.written).toBe(0);
    expect(statSync(join(out, 'cubes', 'plate', 'field_2.tif')).mtimeMs).toBe(before);
    const bigger = await cli([...args, '--cube', '20']);
    expect(JSON.parse(bigger.out).cubes.written).toBe(2);
    expect(readVolume(join(out, 'cubes', 'plate', 'field_2.tif')).shape).toEqual([20, 20, 20]);
  });

  it('reports objects larger than the cube with --cube-fit error and exits 1', async () => {
    await writeLabels(join(dir, 'masks2', 'field.tif'));
    const result = await cli([
      '--json',
      'convert',
      join(dir, 'masks2'),
      join(dir, 'out2'),
      '--workers',
      '0',
      '--num-points',
      '16',
      '--cube',
      '5',
      '--cube-fit',
      'error',
    ]);
    expect(result.code).toBe(1);
    const { cubes } = JSON.parse(result.out);
    expect(cubes.failed).toEqual([
      { source: 'field.tif', error: expect.stringMatching(/larger than the cube/) },
    ]);
    expect(readFileSync(join(dir, 'out2', 'manifest.csv'), 'utf8')).toMatch(/,cube\n.*,\n/);
  });

  it('refuses a cube size below 4 as a usage error', async () => {
    const result = await cli(['convert', join(dir, 'masks'), join(dir, 'out3'), '--cube', '2']);
    expect(result.code).toBe(2);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/--cube/);
  });
});
