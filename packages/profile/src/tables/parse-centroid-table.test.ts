import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { haveImages2D, IMAGES_2D } from '../image/test-data.js';
import { parseCentroidTable, readCentroidTable } from './parse-centroid-table.js';
import { readUsiigaciParameters } from './usiigaci-parameters.js';

// Column layouts follow CellProfiler 4's ExportToSpreadsheet per-object files and TrackMate 7's
// "Spots" CSV export (three rows of names, short names and units under the header).
const CELLPROFILER = [
  'ImageNumber,ObjectNumber,AreaShape_Area,AreaShape_Center_X,AreaShape_Center_Y,Location_Center_X,Location_Center_Y,Metadata_Well',
  '1,1,250,10.4,20.6,10.5,20.5,A01',
  '1,2,300,40,41,40.25,41.75,A01',
  '2,1,120,5,6,5.5,6.5,B02',
].join('\n');

const TRACKMATE = [
  'LABEL,ID,TRACK_ID,QUALITY,POSITION_X,POSITION_Y,POSITION_Z,POSITION_T,FRAME,RADIUS',
  'Label,Spot ID,Track ID,Quality,X,Y,Z,T,Frame,Radius',
  'Label,Spot ID,Track ID,Quality,X,Y,Z,T,Frame,R',
  ',,,(quality),(micron),(micron),(micron),(sec),,(micron)',
  'ID1001,1001,0,12.5,8.7,17.4,0,0,0,5',
  'ID1002,1002,None,11,26.1,4.35,0,60,1,4',
].join('\n');

describe('parseCentroidTable', () => {
  it('reads CellProfiler per-object CSV: Location_Center first, ImageNumber, every column kept', () => {
    const table = parseCentroidTable(CELLPROFILER);
    expect(table.format).toBe('cellprofiler');
    expect(table.unit).toBe('pixel');
    expect(table.idsAreLabels).toBe(true);
    expect(table.used).toEqual({
      x: 'Location_Center_X',
      y: 'Location_Center_Y',
      id: 'ObjectNumber',
      image: 'ImageNumber',
    });
    expect(table.rows.map((r) => [r.x, r.y, r.id, r.image])).toEqual([
      [10.5, 20.5, 1, '1'],
      [40.25, 41.75, 2, '1'],
      [5.5, 6.5, 1, '2'],
    ]);
    expect(table.rows[2]!.metadata).toMatchObject({ Metadata_Well: 'B02', AreaShape_Area: '120' });
    expect(Object.keys(table.rows[0]!.metadata)).toEqual(table.columns);
  });

  it('falls back to AreaShape_Center and accepts object-name prefixes', () => {
    const text =
      'ImageNumber,Nuclei_ObjectNumber,Nuclei_AreaShape_Center_X,Nuclei_AreaShape_Center_Y\n1,7,3,4\n';
    const table = parseCentroidTable(text);
    expect(table.used).toMatchObject({ x: 'Nuclei_AreaShape_Center_X', id: 'Nuclei_ObjectNumber' });
    expect(table.rows[0]).toMatchObject({ x: 3, y: 4, id: 7 });
  });

  it('asks which object a CellProfiler table of several objects means (third review)', () => {
    // ExportToSpreadsheet's combined objects: Cells before Nuclei, each with its own numbers.
    // The first …_ObjectNumber and the first …_Location_Center_X were taken separately, so a
    // header ordered Cells_ObjectNumber, …, Nuclei_Location_Center_X paired them wrongly.
    const text = [
      'ImageNumber,Cells_ObjectNumber,Nuclei_ObjectNumber,Nuclei_Location_Center_X,Nuclei_Location_Center_Y,Cells_Location_Center_X,Cells_Location_Center_Y',
      '1,1,2,10,11,30,31',
      '1,2,1,20,21,40,41',
    ].join('\n');
    expect(() => parseCentroidTable(text)).toThrow(
      /holds the centres of several CellProfiler objects \(Nuclei, Cells\); pass options\.columns \{ x, y, id \}/,
    );
    expect(() =>
      parseCentroidTable(text, {
        columns: { x: 'Cells_Location_Center_X', y: 'Cells_Location_Center_Y' },
      }),
    ).toThrow(/several CellProfiler objects/);
    const cells = parseCentroidTable(text, {
      columns: {
        x: 'Cells_Location_Center_X',
        y: 'Cells_Location_Center_Y',
        id: 'Cells_ObjectNumber',
      },
    });
    expect(cells.used).toEqual({
      x: 'Cells_Location_Center_X',
      y: 'Cells_Location_Center_Y',
      id: 'Cells_ObjectNumber',
      image: 'ImageNumber',
    });
    expect(cells.rows.map((r) => [r.id, r.x, r.y])).toEqual([
      [1, 30, 31],
      [2, 40, 41],
    ]);
    // One object's centres with its own ObjectNumber, whatever comes first in the header.
    const one = parseCentroidTable(
      'ImageNumber,Cells_ObjectNumber,Nuclei_ObjectNumber,Nuclei_Location_Center_X,Nuclei_Location_Center_Y\n1,1,2,10,11\n',
    );
    expect(one.used).toMatchObject({ x: 'Nuclei_Location_Center_X', id: 'Nuclei_ObjectNumber' });
    expect(one.rows[0]).toMatchObject({ id: 2, x: 10, y: 11 });
  });

  it('reads TrackMate spots: skips the title rows, takes the unit from the units row', () => {
    const table = parseCentroidTable(TRACKMATE);
    expect(table.format).toBe('trackmate');
    expect(table.unit).toBe('µm');
    expect(table.idsAreLabels).toBe(false);
    expect(table.rows.map((r) => [r.x, r.y, r.id, r.frame])).toEqual([
      [8.7, 17.4, 1001, 0],
      [26.1, 4.35, 1002, 1],
    ]);
    expect(table.rows[1]!.metadata.TRACK_ID).toBe('None');
    // A TrackMate export without the title rows states no unit, and its positions are in the
    // image's calibrated unit: read as pixels, µm positions moved every crop (third review).
    const bareText = 'ID,POSITION_X,POSITION_Y,FRAME\n1,3,4,0\n';
    expect(() => parseCentroidTable(bareText)).toThrow(
      /is a TrackMate table without its units row .*pass options\.unit/,
    );
    const bare = parseCentroidTable(bareText, { unit: 'micron' });
    expect(bare.unit).toBe('µm');
    expect(bare.rows[0]).toMatchObject({ x: 3, y: 4, frame: 0 });
  });

  it('reads any CSV by common names or by options.columns, and forces a format', () => {
    const skimage = parseCentroidTable('label,centroid-0,centroid-1,area\n3,10,20,99\n');
    expect(skimage.format).toBe('columns');
    expect(skimage.rows[0]).toMatchObject({ x: 20, y: 10, id: 3 });
    // A 3D table's centroid-1 and centroid-0 are y and z (issue 17 text review): refused unless
    // options.columns says which columns are the centre.
    const skimage3d = 'label,centroid-0,centroid-1,centroid-2\n3,10,20,30\n';
    expect(() => parseCentroidTable(skimage3d)).toThrow(/is a 3D scikit-image table/);
    expect(() => parseCentroidTable(skimage3d, { columns: { x: 'centroid-2' } })).toThrow(
      /is a 3D scikit-image table/,
    );
    const projected = parseCentroidTable(skimage3d, {
      columns: { x: 'centroid-2', y: 'centroid-1' },
    });
    expect(projected.rows[0]).toMatchObject({ x: 30, y: 20, id: 3 });
    const named = parseCentroidTable('cell,cx_px,cy_px,well\n5,1.5,2.5,A1\n', {
      columns: { x: 'cx_px', y: 'cy_px', id: 'cell', image: 'well' },
    });
    expect(named.rows[0]).toMatchObject({ x: 1.5, y: 2.5, id: 5, image: 'A1' });
    // Without an id column, ids are row numbers and name no labels.
    const noIds = parseCentroidTable('x,y\n1,2\n3,4\n');
    expect(noIds.rows.map((r) => r.id)).toEqual([1, 2]);
    expect(noIds.idsAreLabels).toBe(false);
    expect(() => parseCentroidTable(CELLPROFILER, { format: 'trackmate' })).toThrow(
      /not a trackmate table/,
    );
  });

  it('names a missing column and lists the available ones', () => {
    let error: unknown;
    try {
      parseCentroidTable(CELLPROFILER, { columns: { x: 'Centroid_X' } });
    } catch (e) {
      error = e;
    }
    expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(
      /options\.columns\.x.*"Centroid_X".*"ImageNumber", "ObjectNumber"/,
    );
    expect(() => parseCentroidTable('a,b\n1,2\n')).toThrow(/options\.columns \{ x, y \}/);
  });

  it('names the row and column of a value that is not a number', () => {
    expect(() => parseCentroidTable('x,y,id\n1,2,3\n4,oops,5\n')).toThrow(
      /row 2: column "y" holds "oops"/,
    );
    expect(() => parseCentroidTable('x,y,id\n1,2,3.5\n')).toThrow(
      /"id" holds "3.5", expected an integer/,
    );
    expect(() => parseCentroidTable('x,y\n1,2,3\n')).toThrow(/fields/);
    expect(() => parseCentroidTable(CELLPROFILER, { format: 'csv' as never })).toThrow(
      /options\.format/,
    );
  });

  it('keeps a column named __proto__ in the metadata (issue 17, adversarial review)', () => {
    const table = parseCentroidTable('x,y,__proto__\n1,2,a\n', { columns: { image: '__proto__' } });
    const row = table.rows[0]!;
    expect(Object.keys(row.metadata)).toEqual(['x', 'y', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(row.metadata, '__proto__')?.value).toBe('a');
    expect(Object.getPrototypeOf(row.metadata)).toBe(Object.prototype);
    expect(row.image).toBe('a');
  });

  it('refuses a missing centre in the first rows instead of dropping it as a title (issue 17 second review)', () => {
    // "nan" in row 1 was dropped as a TrackMate title row, and read as the unit.
    for (const missing of ['nan', '', 'NaN', 'NA'])
      expect(() => parseCentroidTable(`x,y\n${missing},1\n2,3\n`)).toThrow(
        new RegExp(`row 1: column "x" holds "${missing}", expected a finite number`),
      );
    const titled = parseCentroidTable('x,y\nX,Y\n(micron),(micron)\n2,3\n');
    expect(titled.rows.map((r) => [r.x, r.y])).toEqual([[2, 3]]);
  });

  it('refuses an overflowing centre in the first rows instead of dropping it as a title (independent campaign)', () => {
    // "1e400" (pandas: inf) in row 1 was dropped as a title row, read as the unit, and the
    // table came back without it.
    for (const big of ['1e400', '-1E999', 'inf', '-Infinity'])
      expect(() => parseCentroidTable(`x,y\n${big},1\n2,3\n`)).toThrow(
        new RegExp(`row 1: column "x" holds "${big}", expected a finite number`),
      );
  });

  it('reads the first of repeated column names, as pandas does (independent campaign)', () => {
    // The last "x" replaced the first: the centre was read from the third column.
    const table = parseCentroidTable('x,y,x,x.1\n1,2,3,4\n');
    expect(table.rows.map((r) => [r.x, r.y])).toEqual([[1, 2]]);
    // pandas 1.5 names them x, y, x.2, x.1 (a generated name skips every name of the header).
    expect(table.rows[0]!.metadata).toEqual({ x: '1', y: '2', 'x.2': '3', 'x.1': '4' });
    expect(table.columns).toEqual(['x', 'y', 'x', 'x.1']);
  });

  it('takes a first row as a title only when both its x and y are text (independent campaign)', () => {
    // "0x10,25.05" (pandas refuses the file) was dropped as a title row, "0x10" read as the unit.
    for (const row of ['0x10,25.05', '1_0,3', 'e5,2'])
      expect(() => parseCentroidTable(`x,y\n${row}\n2,3\n`)).toThrow(
        new RegExp(`row 1: column "x" holds "${row.split(',')[0]}", expected a finite number`),
      );
    const titled = parseCentroidTable('id,x,y\nID,X,Y\n,(micron),(micron)\n1,2,3\n');
    expect([titled.rows.map((r) => [r.x, r.y]), titled.unit]).toEqual([[[2, 3]], 'µm']);
  });

  it('refuses a hexadecimal centre (issue 17 second review)', () => {
    // Number() read "0x10" as 16; pandas reads it as text.
    expect(() => parseCentroidTable('x,y\n1,2\n0x10,3\n')).toThrow(/column "x" holds "0x10"/);
  });

  it('reads a path that is a regular file only (issue 17, adversarial review)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellshape-centroids-'));
    try {
      const fifo = join(dir, 'cells.csv');
      execFileSync('mkfifo', [fifo]);
      expect(() => readCentroidTable(fifo)).toThrow(
        /^readCentroidTable: cannot read ".*cells\.csv" \(not a regular file/,
      );
      expect(() => readUsiigaciParameters(fifo)).toThrow(
        /^readUsiigaciParameters: cannot read ".*cells\.csv" \(not a regular file/,
      );
      // A parameter named __proto__ is an own key of `values` (it vanished).
      const parameters = join(dir, 'parameters.csv');
      writeFileSync(parameters, 'Parameter,Value\npixel_scale,0.5\n__proto__,x\n');
      const read = readUsiigaciParameters(parameters);
      expect(read.pixelSize).toBe(0.5);
      expect(Object.keys(read.values)).toEqual(['pixel_scale', '__proto__']);
      expect(Object.getPrototypeOf(read.values)).toBe(Object.prototype);
      // A hexadecimal pixel_scale read as 16 (issue 17 second review).
      writeFileSync(parameters, 'Parameter,Value\npixel_scale,0x10\n');
      expect(() => readUsiigaciParameters(parameters)).toThrow(/has no positive pixel_scale/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(
  haveImages2D(
    'Usiigaci tracks',
    'usiigaci_T98G_tracks.csv',
    'usiigaci_T98G_experiment_parameters.csv',
  ),
)('Usiigaci tracks.csv', () => {
  it('reads wtd_x/wtd_y as pixels, equal to x/y divided by pixel_scale', () => {
    const table = readCentroidTable(join(IMAGES_2D, 'usiigaci_T98G_tracks.csv'));
    const { pixelSize, unit } = readUsiigaciParameters(
      join(IMAGES_2D, 'usiigaci_T98G_experiment_parameters.csv'),
    );
    expect([pixelSize, unit]).toEqual([0.87, 'µm']);
    expect(table.format).toBe('usiigaci');
    expect(table.unit).toBe('pixel');
    // 2641 rows, 71 cells in frame 0 (pandas: len(df), (df.frame == 0).sum()).
    expect(table.rows).toHaveLength(2641);
    expect(table.rows.filter((r) => r.frame === 0)).toHaveLength(71);
    const first = table.rows[0]!;
    expect(first).toMatchObject({ id: 1, frame: 0, x: 177.601896, y: 180.264613 });
    for (const row of table.rows.slice(0, 200)) {
      expect(Number(row.metadata.x) / pixelSize).toBeCloseTo(row.x, 3);
      expect(Number(row.metadata.y) / pixelSize).toBeCloseTo(row.y, 3);
    }
  });
});
