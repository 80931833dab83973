import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeVolume } from '@cellshape/helper';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../../test-utils/fixtures.js';

describe('cellshape convert <masks>: a folder or a single file', () => {
  const dir = tempDir('convert-input');

  it('converts one mask file alone, leaving its neighbours', async () => {
    const n = 12;
    const data = new Uint8Array(n * n * n);
    for (let z = 3; z < 9; z++)
      for (let y = 3; y < 9; y++) for (let x = 3; x < 9; x++) data[(z * n + y) * n + x] = 1;
    await writeVolume(join(dir, 'masks', 'cube.tif'), { data, shape: [n, n, n] });
    await writeVolume(join(dir, 'masks', 'other.tif'), { data, shape: [n, n, n] });
    const { code, out, err } = await cli([
      '--json',
      'convert',
      join(dir, 'masks', 'cube.tif'),
      join(dir, 'out'),
      '--workers',
      '0',
      '--num-points',
      '16',
    ]);
    expect(err).toMatch(/^convert 1\/1 cube\.tif: converted · 1 objects, \d+\.\d\/s, ETA 0s\n$/); // progress: the one file
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ ok: true, converted: 1, failed: 0, objects: 1 });
    expect(result.files.map((f: { input: string }) => f.input)).toEqual([
      join(dir, 'masks', 'cube.tif'),
    ]);
    // The TIFF carries no voxel size: the summary says so.
    expect(result.filesWithoutSpacing).toEqual(['cube.tif']);
  });

  it('tells in its summary when a file has no voxel size, and not with --spacing', async () => {
    const n = 12;
    const data = new Uint8Array(n * n * n);
    for (let z = 3; z < 9; z++)
      for (let y = 3; y < 9; y++) for (let x = 3; x < 9; x++) data[(z * n + y) * n + x] = 1;
    await writeVolume(join(dir, 'plain', 'cube.tif'), { data, shape: [n, n, n] });
    const args = ['convert', join(dir, 'plain'), '--workers', '0', '--num-points', '16'];
    const plain = await cli([...args.slice(0, 2), join(dir, 'plain-out'), ...args.slice(2)]);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/no voxel size: 1 file\(s\) carry none \(cube\.tif\).*--spacing/);
    const given = await cli([
      ...args.slice(0, 2),
      join(dir, 'spaced-out'),
      ...args.slice(2),
      '--spacing',
      '2,1,1',
    ]);
    expect(given.code).toBe(0);
    expect(given.out).not.toMatch(/no voxel size/);
  });

  it('refuses a file that is not a mask, as a usage error (exit 2)', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const { code, err } = await cli(['convert', join(dir, 'notes.txt'), join(dir, 'out2')]);
    expect(code).toBe(2);
    expect(err).toMatch(/is neither a folder nor a \.tif, \.tiff, \.npy file/);
  });

  it('reads with --max-voxels: larger files fail with a hint, a rerun without it converts them', async () => {
    const cube = (n: number) => {
      const data = new Uint8Array(n * n * n);
      for (let z = 2; z < n - 2; z++)
        for (let y = 2; y < n - 2; y++)
          for (let x = 2; x < n - 2; x++) data[(z * n + y) * n + x] = 1;
      return { data, shape: [n, n, n] as [number, number, number] };
    };
    await writeVolume(join(dir, 'sizes', 'big.tif'), cube(12));
    await writeVolume(join(dir, 'sizes', 'small.tif'), cube(8));
    const args = ['convert', join(dir, 'sizes'), join(dir, 'sizes-out'), '--workers', '0'];
    const limited = await cli([...args, '--num-points', '16', '--max-voxels', '1000']);
    expect(limited.code).toBe(1);
    expect(limited.out).toMatch(
      /^converted 1, already done 0, failed 1 file\(s\); 1 object\(s\)$/m,
    );
    expect(limited.out).toMatch(
      /failed: .*big\.tif: .*12×12×12 = 1728 voxels, more than maxVoxels = 1000/,
    );
    expect(limited.out).toMatch(
      /^1 file\(s\) refused by a size limit .*pass --max-voxels <n> with n ≥ their voxels$/m,
    );
    const again = await cli([...args, '--num-points', '16']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^converted 1, already done 1, failed 0 file\(s\)/m);
    expect(again.out).not.toMatch(/--max-voxels/);
    const bad = await cli([...args, '--max-voxels', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/option '--max-voxels <n>' argument '0' is invalid/);
  });
});
