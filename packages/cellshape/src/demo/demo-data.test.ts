import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readVolume } from '@cellshape/helper';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import { DEMO_FAMILIES, DEMO_TREATMENTS, generateDemoData } from './demo-data.js';

describe('generateDemoData', () => {
  const dir = tempDir('demo-data');

  it('writes one label TIFF per plate and treatment and a matching metadata CSV, deterministically', async () => {
    const data = await generateDemoData(join(dir, 'a'), {
      plates: 2,
      cellsPerWell: 3,
      cellSize: 16,
      seed: 4,
    });
    expect(data.cells).toHaveLength(2 * DEMO_TREATMENTS.length * 3);
    const volume = readVolume(join(data.masks, 'plate2', 'Drug-A.tif'));
    expect(volume.shape).toEqual([16, 16, 48]);
    const values = new Set(volume.data);
    expect([...values].sort()).toEqual([0, 1, 2, 3]);
    const csv = readFileSync(data.metadata, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('serialNumber,Treatment,PlateNumber,Family');
    expect(csv[1]).toMatch(/^plate1\/Control_1,Control,1,(round|elongated|flat|protrusive)$/);
    expect(csv).toHaveLength(data.cells.length + 1);
    const again = await generateDemoData(join(dir, 'b'), {
      plates: 2,
      cellsPerWell: 3,
      cellSize: 16,
      seed: 4,
    });
    expect(again.cells).toEqual(data.cells);
  });

  it('shifts the family proportions by treatment', async () => {
    const { cells } = await generateDemoData(join(dir, 'c'), {
      plates: 1,
      cellsPerWell: 40,
      cellSize: 16,
      seed: 1,
    });
    const share = (treatment: string, family: string) =>
      cells.filter((c) => c.Treatment === treatment && c.Family === family).length / 40;
    // Drug-A favours round 4:1:1:1 (4/7 ≈ 0.57), the control is balanced (1/4).
    expect(share('Drug-A', 'round')).toBeGreaterThan(0.4);
    expect(share('Drug-B', 'elongated')).toBeGreaterThan(0.4);
    expect(share('Drug-C', 'protrusive')).toBeGreaterThan(0.4);
    expect(share('Control', 'round')).toBeLessThan(0.4);
    expect(new Set(cells.map((c) => c.Family))).toEqual(new Set(DEMO_FAMILIES));
  });

  it('rejects invalid options', async () => {
    await expect(generateDemoData('')).rejects.toThrow(
      "generateDemoData: 'dir' must be a folder path",
    );
    await expect(generateDemoData(dir, { plates: 0 })).rejects.toThrow(/options\.plates/);
    await expect(generateDemoData(dir, { cellSize: 8 })).rejects.toThrow(/options\.cellSize/);
  });
});
