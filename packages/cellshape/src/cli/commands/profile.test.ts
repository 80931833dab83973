import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRecords, parseCsv } from '@cellshape/core';
import { MASK_MEASURES, syntheticExperiment2D } from '@cellshape/profile';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticExperiment } from '../../run/profile-synthetic-files.js';
import { captureIo } from '../io.js';
import { run } from '../run.js';

const dir = mkdtempSync(join(tmpdir(), 'cellshape-profile-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cellshape profile crop | train | embed, then report', () => {
  it('runs the 2-D pipeline on a synthetic plate', async () => {
    const plate = syntheticExperiment2D({
      seed: 4,
      wellsPerTreatment: 1,
      fieldsPerWell: 1,
      size: 96,
      radius: 5,
      cellsPerField: 8,
    });
    const files = await writeSyntheticExperiment(plate, join(dir, 'plate'));
    const crops = join(dir, 'crops');
    const out = join(dir, 'run');
    const steps: string[][] = [
      [
        'profile',
        'crop',
        files.images,
        '--table',
        files.table,
        '--labels',
        files.labels,
        '--size',
        '16',
        '--out',
        crops,
      ],
      [
        'profile',
        'train',
        crops,
        '--out',
        out,
        '--epochs',
        '1',
        '--batch-size',
        '8',
        '--filters',
        '4,8',
        '--features',
        '8',
        '--views',
        'fbr',
        '--clusters',
        '3',
      ],
      ['profile', 'embed', out, '--out', join(dir, 'cells.csv')],
      ['report', out],
    ];
    for (const step of steps) {
      // A link to a moved file, first in the crop folder: training takes the crop size from the
      // next crop, and the dataset leaves it out (it has no index row).
      if (step[1] === 'train')
        symlinkSync(join(dir, 'gone.tif'), join(crops, 'crops', '!moved.tif'));
      const io = captureIo();
      const code = await run([...step, '--json', '--quiet'], io);
      expect(code, io.err()).toBe(0);
      expect(JSON.parse(io.out()).ok).toBe(true);
    }
    const index = csvRecords(parseCsv(readFileSync(join(crops, 'index.csv'), 'utf8')));
    const cells = csvRecords(parseCsv(readFileSync(join(dir, 'cells.csv'), 'utf8')));
    expect(cells.map((c) => c.id).sort()).toEqual(index.map((r) => r.id).sort());
    expect(cells[0]).toHaveProperty('Metadata_Treatment');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect([summary.model, summary.clusters]).toEqual(['siamese', 3]);
    // The classical measures of a 2-D run: the shape of each mask crop, in pixels.
    expect(summary.baseline.classical).toMatchObject({
      source: 'masks',
      units: 'pixels of the crops',
    });
    const classical = parseCsv(readFileSync(join(out, 'classical.csv'), 'utf8'));
    expect(classical.header).toEqual(['id', ...MASK_MEASURES]);
    expect(classical.rows).toHaveLength(index.length);
    for (const row of classical.rows) expect(Number(row[1])).toBeGreaterThan(0); // area
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    // The 2-D family's sections: the crop gallery replaces the 3-D exemplars; the QC summary.
    expect(html).toContain('Crops per cluster');
    expect(html).toContain('id="qc"');
    expect(html.match(/<img src="data:image\/png;base64,/g)!.length).toBeGreaterThan(3);
  }, 120_000);

  it('says which flag is wrong', async () => {
    const io = captureIo();
    expect(
      await run(['profile', 'train', dir, '--out', join(dir, 'x'), '--views', 'sideways'], io),
    ).toBe(2);
    expect(io.err()).toMatch(/--views <kind>.*sideways/);
    const none = captureIo();
    expect(
      await run(['profile', 'crop', join(dir, 'plate', 'images'), '--out', join(dir, 'y')], none),
    ).toBe(2);
    expect(none.err()).toMatch(/table|labels/);
    expect(existsSync(join(dir, 'y', 'index.csv'))).toBe(false);
  });

  it('crops with --max-pixels, and hints at it when an image is refused by the size limit', async () => {
    const plate = syntheticExperiment2D({
      seed: 5,
      wellsPerTreatment: 1,
      fieldsPerWell: 1,
      size: 48,
      radius: 4,
      cellsPerField: 3,
    });
    const files = await writeSyntheticExperiment(plate, join(dir, 'small-plate'));
    const args = (out: string, limit: string) => [
      '--json',
      'profile',
      'crop',
      join(dir, 'small-plate', 'images'),
      '--table',
      files.table,
      '--size',
      '16',
      '--workers',
      '0',
      '--out',
      join(dir, out),
      '--max-pixels',
      limit,
    ];
    const refused = captureIo();
    expect(await run(args('limited', '2000'), refused)).toBe(1);
    expect(refused.err()).toMatch(/48×48 = 2304 pixels, more than maxPixels = 2000/);
    expect(refused.err()).toMatch(/image\(s\) refused by a size limit .*--max-pixels <n>/);
    const read = captureIo();
    expect(await run(args('read', '2304'), read)).toBe(0);
    expect(JSON.parse(read.out())).toMatchObject({ failed: [] });
    expect(read.err()).not.toMatch(/--max-pixels/);
  });
});
