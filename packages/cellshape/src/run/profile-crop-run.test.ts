import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRecords, InvalidArgumentError, parseCsv } from '@cellshape/core';
import { syntheticExperiment2D } from '@cellshape/profile';
import { afterAll, describe, expect, it } from 'vitest';
import { PROFILE_CROP_LAYOUT, profileCrop } from './profile-crop-run.js';
import { readCropFolder } from './profile-crop-set.js';
import { writeSyntheticExperiment } from './profile-synthetic-files.js';

const dir = mkdtempSync(join(tmpdir(), 'cellshape-profile-crop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const experiment = syntheticExperiment2D({
  seed: 3,
  wellsPerTreatment: 1,
  fieldsPerWell: 1,
  size: 128,
  radius: 7,
  cellsPerField: 8,
  edgeCells: 2,
});

describe('profileCrop', () => {
  it('crops every cell of a CellProfiler table centred on its own label, skipping edge cells', async () => {
    const files = await writeSyntheticExperiment(experiment, join(dir, 'plate'));
    // A broken image among good ones is reported and skipped.
    writeFileSync(join(files.images, 'broken.tif'), 'not a tiff');
    const out = join(dir, 'crops');
    const notes: string[] = [];
    const result = await profileCrop([files.images], out, {
      table: files.table,
      labels: files.labels,
      size: 32,
      onNote: (t) => notes.push(t),
    });
    expect(result.failed.map((f) => f.image)).toEqual([join(files.images, 'broken.tif')]);
    expect(notes.length).toBe(1);
    const index = csvRecords(parseCsv(readFileSync(join(out, PROFILE_CROP_LAYOUT.index), 'utf8')));
    const skipped = csvRecords(
      parseCsv(readFileSync(join(out, PROFILE_CROP_LAYOUT.skipped), 'utf8')),
    );
    expect(index.length + skipped.length).toBe(experiment.cells.length);
    expect(skipped.every((s) => s.reason === 'edge')).toBe(true);
    // Only cells within a half crop (16 px, and a pixel of rounding) of the border are skipped.
    const near = (c: { x: number; y: number }): boolean =>
      Math.min(c.x, c.y, 127 - c.x, 127 - c.y) < 17;
    for (const s of skipped) {
      const cell = experiment.cells.find(
        (c) =>
          `${experiment.fields[c.imageNumber - 1]!.name}.tif` === s.image &&
          String(c.objectNumber) === s.cell_id,
      )!;
      expect(near(cell)).toBe(true);
    }
    expect(skipped.length).toBeGreaterThan(0);
    expect(index[0]).toMatchObject({ Metadata_Treatment: 'control', Metadata_Well: 'A01' });
    const { crops, skipped: left } = await readCropFolder(join(out, PROFILE_CROP_LAYOUT.crops), {
      metadata: join(out, PROFILE_CROP_LAYOUT.index),
      idColumn: 'id',
      normalise: 'zscore',
    });
    expect(crops.ids.length).toBe(index.length);
    expect(left).toEqual([]);
    expect(crops.shape).toEqual([index.length, 32, 32, 1]);
    // The mask crop keeps the cell's own label, which lies under the crop centre.
    const plane = 32 * 32;
    for (let i = 0; i < crops.ids.length; i++)
      expect(crops.masks![i * plane + 16 * 32 + 16]).toBe(1);
    // Z-scored crops: mean 0 per crop.
    let mean = 0;
    for (let p = 0; p < plane; p++) mean += crops.data[p]! / plane;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    const qc = parseCsv(readFileSync(join(out, PROFILE_CROP_LAYOUT.qc), 'utf8'));
    expect(qc.rows.length).toBe(experiment.fields.length);
  });

  it('crops from label images alone', async () => {
    const files = await writeSyntheticExperiment(experiment, join(dir, 'plate2'));
    const result = await profileCrop([files.images], join(dir, 'crops2'), {
      labels: files.labels,
      size: 24,
      qc: false,
    });
    expect(result.crops + result.skipped).toBe(experiment.cells.length);
    expect(result.failed).toEqual([]);
  });

  it('takes the unit of a table that states none (a TrackMate table without its units row)', async () => {
    const files = await writeSyntheticExperiment(experiment, join(dir, 'plate3'));
    const first = experiment.fields[0]!;
    const image = join(files.images, `${first.name}.tif`);
    const cells = experiment.cells.filter((c) => c.imageNumber === first.imageNumber);
    const table = join(dir, 'spots.csv');
    writeFileSync(
      table,
      ['ID,POSITION_X,POSITION_Y,FRAME', ...cells.map((c, i) => `${i + 1},${c.x},${c.y},0`)].join(
        '\n',
      ),
    );
    const options = { table, size: 16, edge: 'pad' as const, qc: false, workers: 0 };
    await expect(profileCrop([image], join(dir, 'spots-none'), options)).rejects.toThrow(
      /is a TrackMate table without its units row .*options\.unit/,
    );
    const result = await profileCrop([image], join(dir, 'spots'), { ...options, unit: 'pixel' });
    expect(result.crops).toBe(cells.length);
  });

  it('needs a table or label images', async () => {
    await expect(profileCrop([dir], join(dir, 'x'))).rejects.toThrow(InvalidArgumentError);
  });
});
