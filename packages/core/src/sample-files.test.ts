import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemError, FormatError, InvalidArgumentError } from './errors.js';
import { joinMetadata, listSampleFiles, sampleFileIds } from './sample-files.js';

const root = mkdtempSync(join(tmpdir(), 'cellshape-sample-files-'));
const dir = join(root, 'data');
beforeAll(() => {
  for (const rel of [
    'Plate1/DMSO/cell_001.ply',
    'Plate1/DMSO/cell_002.PLY',
    'Plate2/Blebb/cell_001.ply',
    'Plate2/Blebb/cell_003.ply',
    'Plate2/Blebb/crop_7.tiff',
    'Plate2/Blebb/crop_8.tif',
    'notes.txt',
  ]) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), '');
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('listSampleFiles', () => {
  it('lists the files with the extensions recursively, sorted, with relative ids', async () => {
    const files = await listSampleFiles(dir, { extensions: ['.ply'] });
    expect(files.files).toEqual([
      { id: 'Plate1/DMSO/cell_001', path: join(dir, 'Plate1/DMSO/cell_001.ply') },
      { id: 'Plate1/DMSO/cell_002', path: join(dir, 'Plate1/DMSO/cell_002.PLY') },
      { id: 'Plate2/Blebb/cell_001', path: join(dir, 'Plate2/Blebb/cell_001.ply') },
      { id: 'Plate2/Blebb/cell_003', path: join(dir, 'Plate2/Blebb/cell_003.ply') },
    ]);
    const tiffs = await listSampleFiles(dir, { extensions: ['.tif', '.TIFF'] });
    expect(tiffs.files.map((f) => f.id)).toEqual(['Plate2/Blebb/crop_7', 'Plate2/Blebb/crop_8']);
    expect(tiffs.extensions).toEqual(['.tif', '.tiff']);
  });

  it('orders a folder walked one sub-folder at a time as sorting the full paths would', async () => {
    const tricky = join(root, 'tricky');
    const rels = ['a/z.ply', 'a-c.ply', 'a.ply', 'a0/b.ply', 'A.ply', 'b/a/c.ply', 'b/a.ply'];
    for (const rel of rels) {
      mkdirSync(join(tricky, rel, '..'), { recursive: true });
      writeFileSync(join(tricky, rel), '');
    }
    const files = await listSampleFiles(tricky, { extensions: ['.ply'] });
    const sorted = rels.map((rel) => join(tricky, rel)).sort();
    expect(files.files.map((f) => f.path)).toEqual(sorted);
    expect(files.count).toBe(rels.length);
    expect(Array.from({ length: files.count }, (_, i) => files.pathAt(i))).toEqual(sorted);
    expect(files.idAt(0)).toBe('A');
  });

  it('looks a file up by relative id, else by a unique name', async () => {
    const files = await listSampleFiles(dir, { extensions: ['.ply'] });
    expect(files.pathOf('Plate2/Blebb/cell_001')).toBe(join(dir, 'Plate2/Blebb/cell_001.ply'));
    expect(files.pathOf(' Plate2\\Blebb\\cell_001.ply ')).toBe(
      join(dir, 'Plate2/Blebb/cell_001.ply'),
    );
    expect(files.pathOf('cell_003')).toBe(join(dir, 'Plate2/Blebb/cell_003.ply'));
    expect(files.pathOf('cell_001')).toBeUndefined();
    expect(files.candidates('cell_001')).toHaveLength(2);
    expect(files.pathOf('cell_999')).toBeUndefined();
  });

  it('follows links to files, not links to folders, and lists dangling links for the reader to report', async () => {
    const linked = join(root, 'linked');
    mkdirSync(join(linked, 'sub'), { recursive: true });
    symlinkSync(join(dir, 'Plate1/DMSO/cell_001.ply'), join(linked, 'a.ply'));
    symlinkSync(join(root, 'missing.ply'), join(linked, 'dangling.ply'));
    symlinkSync(linked, join(linked, 'sub', 'loop.ply')); // a folder link with a matching name
    symlinkSync(join(dir, 'Plate2'), join(linked, 'plate2')); // not followed
    execFileSync('mkfifo', [join(root, 'pipe')]);
    symlinkSync(join(root, 'pipe'), join(linked, 'pipe.ply')); // a FIFO: reading it would block
    const files = await listSampleFiles(linked, { extensions: ['.ply'] });
    // The dangling link stays a sample: the reader that opens it reports it (a batch's bad file).
    expect(files.files).toEqual([
      { id: 'a', path: join(linked, 'a.ply') },
      { id: 'dangling', path: join(linked, 'dangling.ply') },
    ]);
  });

  it('names the folder when it is missing, not a folder or without such files', async () => {
    const options = { extensions: ['.ply'], caller: 'Data.fromFolder' };
    await expect(listSampleFiles(join(root, 'nope'), options)).rejects.toThrow(FileSystemError);
    await expect(listSampleFiles(join(dir, 'notes.txt'), options)).rejects.toThrow(
      /Data.fromFolder: 'dir' must be a folder/,
    );
    await expect(listSampleFiles(dir, { extensions: ['.png', '.jpg'] })).rejects.toThrow(
      /listSampleFiles: the folder ".*" holds no .png or .jpg files/,
    );
    await expect(listSampleFiles(dir, { extensions: ['ply'] })).rejects.toThrow(
      /'options.extensions'/,
    );
    await expect(listSampleFiles('', options)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('joinMetadata', () => {
  it('joins rows to files in row order and reports what it leaves out', async () => {
    const files = await listSampleFiles(dir, { extensions: ['.ply'] });
    const csv = join(root, 'cells.csv');
    writeFileSync(
      csv,
      [
        'serialNumber,Treatment',
        'cell_002,DMSO',
        'Plate2/Blebb/cell_001.ply,Blebb',
        'cell_001,DMSO',
        'cell_003,"Blebb, 10uM"',
        'Plate2/Blebb/cell_003,again',
        'cell_999,DMSO',
      ].join('\n'),
    );
    const { samples, warnings } = await joinMetadata(files, {
      metadata: csv,
      idColumn: 'serialNumber',
    });
    expect(samples).toEqual([
      {
        id: 'cell_002',
        path: join(dir, 'Plate1/DMSO/cell_002.PLY'),
        metadata: { serialNumber: 'cell_002', Treatment: 'DMSO' },
      },
      {
        id: 'Plate2/Blebb/cell_001',
        path: join(dir, 'Plate2/Blebb/cell_001.ply'),
        metadata: { serialNumber: 'Plate2/Blebb/cell_001.ply', Treatment: 'Blebb' },
      },
      {
        id: 'cell_003',
        path: join(dir, 'Plate2/Blebb/cell_003.ply'),
        metadata: { serialNumber: 'cell_003', Treatment: 'Blebb, 10uM' },
      },
    ]);
    expect(warnings).toEqual([
      {
        id: 'cell_001',
        reason: 'metadata id matches 2 files by name; use the relative path as id',
      },
      {
        id: 'Plate2/Blebb/cell_003',
        path: join(dir, 'Plate2/Blebb/cell_003.ply'),
        reason: 'a second metadata row for the same file',
      },
      { id: 'cell_999', reason: 'no .ply file for this metadata id' },
      {
        id: 'Plate1/DMSO/cell_001',
        path: join(dir, 'Plate1/DMSO/cell_001.ply'),
        reason: 'no metadata row',
      },
    ]);
  });

  it('joins no row to files that differ only in extension, and says why', async () => {
    // `cell.tif` and `cell.tiff` share the id `cell`: the row went to the last one silently and
    // the other was reported as without a row.
    const dup = join(root, 'dup');
    mkdirSync(dup, { recursive: true });
    for (const name of ['cell.tif', 'cell.tiff', 'other.tif']) writeFileSync(join(dup, name), '');
    const files = await listSampleFiles(dup, { extensions: ['.tif', '.tiff'] });
    expect(files.candidates('cell.tif')).toEqual([join(dup, 'cell.tif'), join(dup, 'cell.tiff')]);
    expect(files.pathOf('cell')).toBeUndefined();
    const rows = [
      { id: 'cell', g: '1' },
      { id: 'other', g: '2' },
    ];
    const { samples, warnings } = await joinMetadata(files, { metadata: rows, idColumn: 'id' });
    expect(samples.map((s) => s.path)).toEqual([join(dup, 'other.tif')]);
    expect(warnings).toEqual([
      {
        id: 'cell',
        reason:
          'metadata id names 2 files that differ only in extension (cell.tif, cell.tiff); keep one',
      },
      { id: 'cell', path: join(dup, 'cell.tif'), reason: 'no metadata row' },
      { id: 'cell', path: join(dup, 'cell.tiff'), reason: 'no metadata row' },
    ]);
  });

  it('takes parsed rows and names the caller in errors', async () => {
    const files = await listSampleFiles(dir, { extensions: ['.ply'] });
    const rows = [{ cell: 'Plate1/DMSO/cell_001', group: 'a' }];
    const { samples } = await joinMetadata(files, { metadata: rows, idColumn: 'cell' });
    expect(samples.map((s) => s.id)).toEqual(['Plate1/DMSO/cell_001']);
    expect(samples[0]!.metadata).not.toBe(rows[0]);
    const caller = 'Data.fromFolder';
    await expect(joinMetadata(files, { metadata: rows, idColumn: 'id', caller })).rejects.toThrow(
      /Data.fromFolder: 'options.idColumn' must be a column of the metadata \(cell, group\)/,
    );
    await expect(
      joinMetadata(files, { metadata: join(root, 'missing.csv'), idColumn: 'id', caller }),
    ).rejects.toThrow(FileSystemError);
    const bad = join(root, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2,3\n');
    await expect(joinMetadata(files, { metadata: bad, idColumn: 'a', caller })).rejects.toThrow(
      FormatError,
    );
    await expect(
      joinMetadata(files, { metadata: 3 as unknown as string, idColumn: 'a' }),
    ).rejects.toThrow(/joinMetadata: 'options.metadata' must be a CSV path or an array of rows/);
  });
});

describe('sampleFileIds', () => {
  it('uses file names, or the paths when names clash', () => {
    expect(sampleFileIds(['a/x.ply', 'b/y.csv'])).toEqual(['x', 'y']);
    expect(sampleFileIds([join('a', 'x.ply'), join('b', 'x.npy')])).toEqual(['a/x', 'b/x']);
  });
});
