import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IncompatibleError } from '@cellshape/core';
import { exportTorchCheckpoint, selectBackend } from '@cellshape/engine';
import { writeVolume } from '@cellshape/helper';
import type { VoxelAutoEncoder } from '@cellshape/voxel';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../report/index.js';
import { cli, tempDir } from '../test-utils/fixtures.js';
import { extractRun } from './extract-run.js';
import { modelPlugin } from './model-registry.js';
import { trainRun } from './train-run.js';
import { DEFAULT_VOXEL_MODEL_SETTINGS } from './voxel-model.js';

/** A 0/1 ellipsoid with semi-axes `r` (z, y, x) centred in a grid of edge `n`. */
function ellipsoid(n: number, r: [number, number, number]): Uint8Array {
  const data = new Uint8Array(n * n * n);
  const c = (n - 1) / 2;
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++)
        if (((z - c) / r[0]) ** 2 + ((y - c) / r[1]) ** 2 + ((x - c) / r[2]) ** 2 <= 1) data[i] = 1;
  return data;
}

/** 4 round and 4 rod-shaped masks (`masks/<kind>_<i>.tif`, 14³ grids) and a metadata CSV. */
async function writeTinyMasks(dir: string): Promise<{ masks: string; metadata: string }> {
  const masks = join(dir, 'masks');
  const rows = ['serialNumber,Treatment'];
  for (let i = 0; i < 4; i++) {
    const n = 14;
    const round = ellipsoid(n, [4 + (i % 2), 4, 4 + (i >> 1)]);
    const rod = ellipsoid(n, [6, 1.5 + (i % 2) * 0.5, 1.5 + (i >> 1) * 0.5]);
    await writeVolume(join(masks, `round_${i}.tif`), { data: round, shape: [n, n, n] });
    await writeVolume(join(masks, `rod_${i}.tif`), { data: rod, shape: [n, n, n] });
    rows.push(`round_${i},${i % 2 ? 'Drug' : 'DMSO'}`, `rod_${i},${i % 2 ? 'Drug' : 'DMSO'}`);
  }
  const metadata = join(dir, 'cells.csv');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(metadata, `${rows.join('\n')}\n`);
  return { masks, metadata };
}

const TINY = { cubeSize: 12, numLayers: 3, filters: '4,8,8', features: 4 };

describe('the voxel model family', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('resolves its settings with typed errors naming the setting', () => {
    const voxel = modelPlugin('voxel');
    expect(voxel.resolveSettings({})).toEqual(DEFAULT_VOXEL_MODEL_SETTINGS);
    expect(() => voxel.resolveSettings({ cubeSize: 8 })).toThrow(
      "voxelModel.resolveSettings: 'cubeSize' must be an integer ≥ 9 for 3 layers",
    );
    expect(() => voxel.resolveSettings({ numLayers: 5, cubeSize: 32 })).toThrow(/'cubeSize'.*≥ 33/);
    expect(() => voxel.resolveSettings({ filters: '8,16' })).toThrow(
      /'filters' must be at least 3/,
    );
    expect(() => voxel.resolveSettings({ encoder: 'dgcnn' })).toThrow(/'encoder'/);
    expect(() => voxel.resolveSettings({ loss: 'sum' })).toThrow(/'loss'/);
  });

  it("imports a cellshape-voxel state dict (.pt) of the settings' architecture, and refuses another", async () => {
    const dir = tempDir('voxel-import');
    const voxel = modelPlugin('voxel');
    const settings = voxel.resolveSettings(TINY);
    const source = voxel.createModel(settings, 3) as VoxelAutoEncoder;
    const pt = join(dir, 'voxel.pt');
    writeFileSync(pt, exportTorchCheckpoint(source));
    const imported = voxel.importModel!(pt, settings, 0) as VoxelAutoEncoder;
    const expected = source.stateDict();
    for (const [key, value] of imported.stateDict())
      expect(Array.from(value.data as Float32Array), key).toEqual(
        Array.from(expected.get(key)!.data as Float32Array),
      );
    const other = voxel.resolveSettings({ ...TINY, features: 6 });
    expect(() => voxel.importModel!(pt, other, 0)).toThrow(IncompatibleError);
    source.dispose();
    imported.dispose();
  });

  describe('trainRun, extractRun and the report on 8 tiny masks', () => {
    const dir = tempDir('voxel-run');
    const run = join(dir, 'run');
    let data: { masks: string; metadata: string };

    beforeAll(async () => {
      data = await writeTinyMasks(dir);
    });

    it('writes the run directory of the DFN: features with an id column, assignments, exemplars', async () => {
      const { summary } = await trainRun(data.masks, run, {
        model: { family: 'voxel', settings: TINY },
        data: { metadata: data.metadata, batchSize: 8 },
        pretrain: { epochs: 1, lr: 1e-3 },
        idec: { clusters: 2, epochs: 1, kmeansRestarts: 2, batchNorm: 'eval' },
        runtime: { seed: 1, backend: 'cpu' },
      });
      expect(summary).toMatchObject({ model: 'voxel', clustering: 'idec', cells: 8, clusters: 2 });
      expect(summary.pretrain.epochs).toBe(1);
      expect(Number.isFinite(summary.pretrain.finalLoss)).toBe(true);
      expect(summary.idec.epochs).toBe(1);
      for (const file of ['config.json', 'pretrain/last.ckpt', 'idec/last.ckpt', 'summary.json'])
        expect(existsSync(join(run, file)), file).toBe(true);
      const features = readFileSync(join(run, 'features.csv'), 'utf8').trim().split('\n');
      expect(features[0]).toBe('id,serialNumber,Treatment,f0,f1,f2,f3');
      expect(
        features
          .slice(1)
          .map((l) => l.split(',')[0])
          .sort(),
      ).toEqual(['rod_0', 'rod_1', 'rod_2', 'rod_3', 'round_0', 'round_1', 'round_2', 'round_3']);
      for (const line of features.slice(1))
        expect(
          line
            .split(',')
            .slice(3)
            .every((v) => Number.isFinite(Number(v))),
        ).toBe(true);
      const assignments = readFileSync(join(run, 'assignments.csv'), 'utf8').trim().split('\n');
      expect(assignments[0]).toBe('id,serialNumber,Treatment,cluster,q0,q1');
      const exemplars = JSON.parse(readFileSync(join(run, 'exemplars.json'), 'utf8'));
      const first = exemplars.clusters.find((c: { size: number }) => c.size > 0).exemplars[0];
      // Surface voxels of a 12³ cube, as x, y, z rows.
      expect(first.points.length).toBeGreaterThan(10);
      for (const p of first.points) for (const v of p) expect(v >= 0 && v < 12).toBe(true);
      // Middle slices, input above reconstruction: 3 panels of 12 voxels × 4 pixels, 2 rows.
      const png = Buffer.from(first.image.replace('data:image/png;base64,', ''), 'base64');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([3 * 48 + 2, 2 * 48 + 1]);
    });

    it('shows the slices in the report beside the point view', async () => {
      const html = readFileSync(await writeReport(run), 'utf8');
      expect(html).toContain('<img class="slices" src="data:image/png;base64,');
      expect(html).toContain('the input cube above, the autoencoder’s reconstruction below');
    });

    it('extracts the features again with the clustered model', async () => {
      const out = join(dir, 'cells.csv');
      const result = await extractRun(run, out, { backend: 'cpu' });
      expect(result).toMatchObject({ cells: 8, clusters: 2, features: 4 });
      const header = readFileSync(out, 'utf8').split('\n')[0];
      expect(header).toBe('id,serialNumber,Treatment,cluster,q0,q1,f0,f1,f2,f3');
    });
  });

  it('cellshape train --model voxel on an empty folder exits 2 with one line', async () => {
    const dir = tempDir('voxel-empty');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'empty'));
    const result = await cli([
      'train',
      join(dir, 'empty'),
      '--out',
      join(dir, 'run'),
      '--model',
      'voxel',
    ]);
    expect(result.code).toBe(2);
    const lines = result.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/holds no \.tif or \.tiff or \.npy files/);
  });
});
