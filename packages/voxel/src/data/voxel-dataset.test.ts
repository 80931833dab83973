import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { type DatasetWarning, isCellshapeError, mixSeed } from '@cellshape/core';
import { writeVolume } from '@cellshape/helper';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawSymmetry } from './augment.js';
import { transformVolume } from './cube-symmetry.js';
import { ellipsoid } from './test-volumes.js';
import { centreOfMass, foregroundCount } from './volume-geometry.js';
import { VoxelDataset } from './voxel-dataset.js';

let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'voxel-dataset-'));
  await mkdir(join(dir, 'plate1'), { recursive: true });
  await writeVolume(
    join(dir, 'plate1', 'a.tif'),
    ellipsoid([10, 12, 14], [3, 4, 5], [4, 5, 6], 255),
  );
  await writeVolume(join(dir, 'plate1', 'b.tif'), ellipsoid([10, 12, 14], [4, 4, 4], [5, 6, 7]));
  await writeVolume(join(dir, 'c.tif'), ellipsoid([9, 9, 9], [2, 3, 3], [4, 4, 4]));
  // A label image of two objects (labels 3 and 7) and an empty file.
  const labels = ellipsoid([10, 20, 10], [3, 3, 3], [5, 5, 5], 3);
  const second = ellipsoid([10, 20, 10], [2, 4, 2], [5, 14, 5], 7);
  for (let i = 0; i < labels.data.length; i++) labels.data[i] ||= second.data[i]!;
  await mkdir(join(dir, 'labels'));
  await writeVolume(join(dir, 'labels', 'field.tif'), labels);
  await mkdir(join(dir, 'empty'));
  await writeVolume(join(dir, 'empty', 'none.tif'), { data: new Uint8Array(27), shape: [3, 3, 3] });
  await writeFile(join(dir, 'corrupt.tif'), 'not a tiff');
  await symlink(join(dir, 'gone.tif'), join(dir, 'moved.tif')); // a link to nothing
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('VoxelDataset.fromFolder', () => {
  it('reads one object per file, skipping (and reporting) empty, corrupt and label files', async () => {
    const warnings: DatasetWarning[] = [];
    const dataset = await VoxelDataset.fromFolder(dir, {
      cubeSize: 16,
      onWarning: (w) => warnings.push(w),
    });
    expect(dataset.ids).toEqual(['c', 'plate1/a', 'plate1/b']);
    const reasons = Object.fromEntries(dataset.skipped.map((w) => [w.id, w.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['corrupt', 'empty/none', 'labels/field', 'moved']);
    expect(reasons.moved).toMatch(/ENOENT|does not exist|no such file/i);
    expect(reasons['labels/field']).toMatch(/binary mask.*3, 7/);
    expect(reasons['empty/none']).toMatch(/foreground|no object|empty/);
    expect(warnings).toEqual(dataset.skipped);
  });

  it('batches [B, s, s, s, 1] 0/1 cubes, each object centred with all its voxels', async () => {
    const dataset = await VoxelDataset.fromFolder(join(dir, 'plate1'), { cubeSize: 16 });
    const batches = [];
    for await (const batch of dataset.batches({ batchSize: 2 })) batches.push(batch);
    expect(batches.map((b) => b.ids)).toEqual([['a', 'b']]);
    const input = batches[0]!.input;
    expect(input.shape).toEqual([2, 16, 16, 16, 1]);
    expect(input.dtype).toBe('float32');
    const data = input.dataSync();
    input.dispose();
    const a = { data: data.subarray(0, 4096), shape: [16, 16, 16] as [number, number, number] };
    expect(new Set(a.data)).toEqual(new Set([0, 1]));
    expect(foregroundCount(a)).toBe(foregroundCount(ellipsoid([10, 12, 14], [3, 4, 5], [4, 5, 6])));
    for (const c of centreOfMass(a)) expect(Math.abs(c - 7.5)).toBeLessThanOrEqual(0.5);
  });

  it("splits label images into objects '<file>_<label>' and joins metadata by those ids", async () => {
    const csv = join(dir, 'meta.csv');
    await writeFile(csv, 'cell,Treatment\nfield_7,DMSO\nfield_3,Taxol\nfield_9,none\n');
    const dataset = await VoxelDataset.fromFolder(join(dir, 'labels'), {
      objects: 'labels',
      cubeSize: 16,
      metadata: csv,
      idColumn: 'cell',
    });
    expect(dataset.ids).toEqual(['field_7', 'field_3']);
    expect(dataset.metadata.map((m) => m.Treatment)).toEqual(['DMSO', 'Taxol']);
    expect(dataset.skipped.map((w) => w.reason)).toEqual([expect.stringMatching(/no .* file/)]);
    const seven = dataset.cube(0);
    expect(foregroundCount(seven)).toBe(
      foregroundCount(ellipsoid([10, 20, 10], [2, 4, 2], [5, 14, 5])),
    );
  });

  it('joins no row to the objects of files that differ only in extension', async () => {
    // `field.tif` and `field.tiff` both hold objects `field_3` and `field_7`: each row went to
    // the last file's object silently.
    const dupe = join(dir, 'dupe');
    await mkdir(dupe);
    const labels = ellipsoid([10, 20, 10], [3, 3, 3], [5, 5, 5], 3);
    for (const name of ['field.tif', 'field.tiff']) await writeVolume(join(dupe, name), labels);
    await writeVolume(join(dupe, 'other.tif'), labels);
    const csv = join(dir, 'dupe.csv');
    await writeFile(csv, 'cell,Treatment\nfield_3,DMSO\nother_3,Taxol\n');
    const dataset = await VoxelDataset.fromFolder(dupe, {
      objects: 'labels',
      cubeSize: 16,
      metadata: csv,
      idColumn: 'cell',
    });
    expect(dataset.ids).toEqual(['other_3']);
    expect(dataset.skipped.map((w) => w.reason)).toEqual([
      expect.stringMatching(/names 2 files that differ only in extension/),
      'no metadata row',
      'no metadata row',
    ]);
  });

  it('makes anisotropic voxels cubic before centring', async () => {
    const flat = ellipsoid([6, 24, 24], [2, 8, 8], [2.5, 11.5, 11.5]);
    const iso = await VoxelDataset.fromVolumes([flat], { cubeSize: 32, spacing: [3, 1, 1] });
    const raw = await VoxelDataset.fromVolumes([flat], { cubeSize: 32, spacing: 'ignore' });
    const ratio = foregroundCount(iso.cube(0)) / foregroundCount(raw.cube(0));
    expect(ratio).toBeGreaterThan(2.7);
    expect(ratio).toBeLessThan(3.3);
  });

  it('augments shuffled passes only, with the symmetry drawn from (seed, index, epoch)', async () => {
    const object = ellipsoid([12, 12, 12], [2, 3, 5], [4, 5, 6]);
    const dataset = await VoxelDataset.fromVolumes([object, object], {
      cubeSize: 16,
      augment: { rotate: true, flip: true },
      seed: 5,
    });
    const plain = dataset.cube(1);
    for (const epoch of [0, 1, 2]) {
      for await (const batch of dataset.batches({ batchSize: 2, shuffle: true, epoch })) {
        const data = batch.input.dataSync();
        batch.input.dispose();
        batch.indices.forEach((index, b) => {
          const expected = transformVolume(
            plain,
            drawSymmetry({ rotate: true, flip: true }, mixSeed(5, index, epoch)),
          );
          expect(Uint8Array.from(data.subarray(b * 4096, (b + 1) * 4096))).toEqual(expected.data);
        });
      }
      for await (const batch of dataset.batches({ batchSize: 2, epoch })) {
        expect(Uint8Array.from(batch.input.dataSync().subarray(0, 4096))).toEqual(plain.data);
        batch.input.dispose();
      }
    }
  });

  it("refuses objects larger than the cube with fit 'error', naming the option and the file", async () => {
    try {
      await VoxelDataset.fromFolder(join(dir, 'plate1'), { cubeSize: 8, fit: 'error' });
      expect.unreachable();
    } catch (error) {
      expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(/a\.tif.*larger than the cube.*options\.cubeSize/);
    }
  });

  it('keeps the decompression-bomb guard of readVolume unless maxVoxels is set', async () => {
    // 8 pages of 4096 × 4096 1-bit zeros, each in its own Deflate strip: 16 KB that expand to
    // 128 MiB of voxels, more than 64 MiB + 1032 bytes per byte of the file.
    const [pages, side] = [8, 4096];
    const strip = deflateSync(new Uint8Array((side * side) / 8));
    const ifdAt = 8 + pages * strip.length;
    const ifdSize = 2 + 9 * 12 + 4;
    const file = new Uint8Array(ifdAt + pages * ifdSize);
    const view = new DataView(file.buffer);
    view.setUint32(0, 0x49492a00); // "II*\0"
    view.setUint32(4, ifdAt, true);
    for (let p = 0; p < pages; p++) {
      file.set(strip, 8 + p * strip.length);
      const at = ifdAt + p * ifdSize;
      const offset = 8 + p * strip.length;
      const tags = [
        256,
        side,
        257,
        side,
        258,
        1,
        259,
        8,
        262,
        1,
        273,
        offset,
        277,
        1,
        278,
        side,
        279,
        strip.length,
      ];
      view.setUint16(at, tags.length / 2, true);
      for (let i = 0; i < tags.length / 2; i++) {
        view.setUint16(at + 2 + 12 * i, tags[2 * i]!, true);
        view.setUint16(at + 4 + 12 * i, 4, true); // LONG
        view.setUint32(at + 6 + 12 * i, 1, true);
        view.setUint32(at + 10 + 12 * i, tags[2 * i + 1]!, true);
      }
      view.setUint32(at + ifdSize - 4, p + 1 < pages ? at + ifdSize : 0, true);
    }
    const bombs = await mkdtemp(join(tmpdir(), 'voxel-bomb-'));
    await writeFile(join(bombs, 'bits.tif'), file);
    await writeVolume(join(bombs, 'cell.tif'), ellipsoid([9, 9, 9], [2, 3, 3], [4, 4, 4]));
    const guarded = await VoxelDataset.fromFolder(bombs, { cubeSize: 8 });
    expect(guarded.ids).toEqual(['cell']);
    expect(guarded.skipped[0]!.reason).toMatch(
      /bits\.tif.*would expand to 134217728 bytes of 1-bit pixels.*setting options\.maxVoxels lifts this bound/,
    );
    await expect(VoxelDataset.fromFolder(bombs, { cubeSize: 8, maxVoxels: 0 })).rejects.toThrow(
      /'options\.maxVoxels'/,
    );
    await rm(bombs, { recursive: true });
  });

  it('throws typed errors for empty folders, missing folders and bad options', async () => {
    await expect(VoxelDataset.fromFolder(join(dir, 'empty'))).rejects.toThrow(
      /holds no usable mask; 1 skipped/,
    );
    const nothing = await mkdtemp(join(tmpdir(), 'voxel-none-'));
    await expect(VoxelDataset.fromFolder(nothing)).rejects.toThrow(
      /holds no \.tif or \.tiff or \.npy files/,
    );
    await rm(nothing, { recursive: true });
    await expect(VoxelDataset.fromFolder(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    for (const cubeSize of [0, 3, 64.5, Number.NaN])
      await expect(VoxelDataset.fromFolder(dir, { cubeSize })).rejects.toThrow(
        /'options.cubeSize'/,
      );
    await expect(VoxelDataset.fromFolder(dir, { fit: 'squash' as never })).rejects.toThrow(
      /'options.fit'/,
    );
    await expect(VoxelDataset.fromFolder(dir, { spacing: [1, 0, 1] })).rejects.toThrow(
      /'options.spacing'/,
    );
    await expect(VoxelDataset.fromVolumes([])).rejects.toThrow(/'volumes'/);
  });
});
