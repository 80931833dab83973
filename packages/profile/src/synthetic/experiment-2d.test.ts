import { csvRecords, InvalidArgumentError, parseCsv } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { CENTROID_TABLE_COLUMNS, centroidTableCsv } from './centroid-table.js';
import {
  type SyntheticExperiment2DOptions,
  syntheticExperiment2D,
  wellName,
} from './experiment-2d.js';

const small: SyntheticExperiment2DOptions = {
  wellsPerTreatment: 1,
  fieldsPerWell: 1,
  size: 128,
  radius: 9,
  cellsPerField: 8,
  edgeCells: 2,
};

const same = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

/** Mean absolute 4-neighbour Laplacian of channel 0: high-frequency energy, lower when blurred. */
function sharpness(data: Uint16Array, size: number, channels: number): number {
  let acc = 0;
  for (let y = 1; y < size - 1; y++)
    for (let x = 1; x < size - 1; x++) {
      const at = (yy: number, xx: number): number => data[(yy * size + xx) * channels]!;
      acc += Math.abs(4 * at(y, x) - at(y - 1, x) - at(y + 1, x) - at(y, x - 1) - at(y, x + 1));
    }
  return acc / (size - 2) ** 2;
}

describe('syntheticExperiment2D', () => {
  it('is reproducible; another seed gives other fields', () => {
    const a = syntheticExperiment2D({ ...small, seed: 3 });
    const b = syntheticExperiment2D({ ...small, seed: 3 });
    const c = syntheticExperiment2D({ ...small, seed: 4 });
    a.fields.forEach((field, i) => {
      expect(same(field.image.data, b.fields[i]!.image.data)).toBe(true);
      expect(same(field.labels.data, b.fields[i]!.labels.data)).toBe(true);
      expect(same(field.labels.data, c.fields[i]!.labels.data)).toBe(false);
    });
    expect(a.cells).toEqual(b.cells);
  });

  it('keeps a field unchanged when more wells are added', () => {
    const one = syntheticExperiment2D({ ...small, seed: 2 });
    const two = syntheticExperiment2D({ ...small, seed: 2, wellsPerTreatment: 2 });
    const field = two.fields.find((f) => f.well === one.fields[0]!.well)!;
    expect(same(field.labels.data, one.fields[0]!.labels.data)).toBe(true);
  });

  it('gives label images whose objects are the table rows (areas, centroids, edges)', () => {
    const { fields } = syntheticExperiment2D({ ...small, seed: 1 });
    for (const field of fields) {
      const [h, w] = field.labels.shape;
      const stats = new Map<number, { n: number; sx: number; sy: number; edge: boolean }>();
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const v = field.labels.data[y * w + x]!;
          if (v === 0) continue;
          const s = stats.get(v) ?? { n: 0, sx: 0, sy: 0, edge: false };
          s.n++;
          s.sx += x;
          s.sy += y;
          s.edge ||= x === 0 || y === 0 || x === w - 1 || y === h - 1;
          stats.set(v, s);
        }
      expect([...stats.keys()].sort((p, q) => p - q)).toEqual(
        field.cells.map((c) => c.objectNumber),
      );
      for (const cell of field.cells) {
        const s = stats.get(cell.objectNumber)!;
        expect(cell.area).toBe(s.n);
        expect(cell.x).toBeCloseTo(s.sx / s.n, 9);
        expect(cell.y).toBeCloseTo(s.sy / s.n, 9);
        expect(cell.edge).toBe(s.edge);
        expect([cell.well, cell.treatment, cell.imageNumber]).toEqual([
          field.well,
          field.treatment,
          field.imageNumber,
        ]);
      }
      // All interior cells fit in a 128² field at this density; the border ones are cut off.
      expect(field.cells.filter((c) => !c.edge).length).toBe(8);
      expect(field.cells.filter((c) => c.edge).length).toBeGreaterThan(0);
    }
  });

  it('shifts the family mix with the treatment', () => {
    const { cells } = syntheticExperiment2D({
      seed: 0,
      size: 160,
      radius: 8,
      cellsPerField: 20,
      edgeCells: 0,
      wellsPerTreatment: 2,
      fieldsPerWell: 1,
      imageNoise: 0,
    });
    const share = (treatment: string, families: string[]): number => {
      const of = cells.filter((c) => c.treatment === treatment);
      return of.filter((c) => families.includes(c.family)).length / of.length;
    };
    // Expected shares under the default weights: 0.6, 0.8 and 0.8.
    expect(share('control', ['round'])).toBeGreaterThan(0.4);
    expect(share('migratory', ['elongated', 'protrusive'])).toBeGreaterThan(0.6);
    expect(share('stressed', ['blebbed', 'lobed'])).toBeGreaterThan(0.6);
  });

  it('renders phase (1 channel) and fluorescence (2 channels, nuclei inside cells)', () => {
    const phase = syntheticExperiment2D({ ...small, seed: 5 }).fields[0]!;
    expect(phase.image.shape).toEqual([128, 128, 1]);
    const fluo = syntheticExperiment2D({ ...small, seed: 5, modality: 'fluorescence' }).fields[0]!;
    expect(fluo.image.shape).toEqual([128, 128, 2]);
    expect(same(fluo.labels.data, phase.labels.data)).toBe(true);
    // Cells are brighter than the background in both fluorescence channels at their centroids.
    let [inside, outside, n] = [0, 0, 0];
    for (let i = 0; i < 128 * 128; i++) {
      if (fluo.labels.data[i] === 0) outside += fluo.image.data[i * 2 + 1]!;
      else n++;
    }
    for (const c of fluo.cells) {
      const i = Math.round(c.y) * 128 + Math.round(c.x);
      inside += fluo.image.data[i * 2 + 1]! / fluo.cells.length;
    }
    expect(inside).toBeGreaterThan(3 * (outside / (128 * 128 - n)));
  });

  it('blurs the out-of-focus fields', () => {
    const { fields } = syntheticExperiment2D({
      ...small,
      seed: 0,
      wellsPerTreatment: 3,
      outOfFocus: 0.5,
      imageNoise: 0,
    });
    const blurred = fields.filter((f) => f.outOfFocus);
    const sharp = fields.filter((f) => !f.outOfFocus);
    expect(blurred.length).toBeGreaterThan(0);
    expect(sharp.length).toBeGreaterThan(0);
    const worstSharp = Math.min(...sharp.map((f) => sharpness(f.image.data, 128, 1)));
    const bestBlurred = Math.max(...blurred.map((f) => sharpness(f.image.data, 128, 1)));
    expect(bestBlurred).toBeLessThan(worstSharp);
  });

  it('writes a CellProfiler-style object table', () => {
    const experiment = syntheticExperiment2D({ ...small, seed: 1 });
    const table = parseCsv(centroidTableCsv(experiment));
    expect(table.header).toEqual([...CENTROID_TABLE_COLUMNS]);
    const records = csvRecords(table);
    expect(records.length).toBe(experiment.cells.length);
    expect(records[0]).toMatchObject({
      ImageNumber: '1',
      ObjectNumber: '1',
      FileName_Image: 'A01_s1.tif',
      Metadata_Treatment: 'control',
      Metadata_Well: 'A01',
    });
    expect(Number(records[0]!.Location_Center_X)).toBeCloseTo(experiment.cells[0]!.x, 3);
  });

  it('names wells as a plate does', () => {
    expect([0, 11, 12, 95].map(wellName)).toEqual(['A01', 'A12', 'B01', 'H12']);
  });

  it('refuses bad options with typed errors', () => {
    expect(() => syntheticExperiment2D({ modality: 'brightfield' as 'phase' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => syntheticExperiment2D({ size: 64, radius: 12 })).toThrow(/'radius'/);
    expect(() => syntheticExperiment2D({ treatments: [] })).toThrow(/'treatments'/);
    expect(() =>
      syntheticExperiment2D({ treatments: [{ name: 'a', weights: { cube: 1 } as never }] }),
    ).toThrow(/weights/);
    expect(() =>
      syntheticExperiment2D({ treatments: [{ name: 'a', weights: { round: 0 } }] }),
    ).toThrow(/positive total/);
    expect(() => syntheticExperiment2D({ cellsPerField: -1 })).toThrow(/'cellsPerField'/);
  });
});
