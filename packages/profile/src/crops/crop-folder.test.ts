import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { csvRecords, parseCsv } from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readImage2D } from '../image/read-image.js';
import { writeImage2D } from '../image/write-image.js';
import type { Image2D } from '../types.js';
import { cropFolder } from './crop-folder.js';

const root = mkdtempSync(join(tmpdir(), 'cellshape-crop-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A 30×30 uint16 image whose pixel (y, x) is `base + y * 30 + x`. */
function image(base: number): Image2D<Uint16Array> {
  return { data: new Uint16Array(900).map((_, i) => base + i), shape: [30, 30, 1] };
}

/** Labels: cell 1 a 3×3 square around (10, 10), cell 2 around (20, 20). */
function labels(): Image2D<Uint8Array> {
  const data = new Uint8Array(900);
  for (let d = -1; d <= 1; d++)
    for (let e = -1; e <= 1; e++) {
      data[(10 + d) * 30 + 10 + e] = 1;
      data[(20 + d) * 30 + 20 + e] = 2;
    }
  return { data, shape: [30, 30, 1] };
}

async function makeFolder(name: string): Promise<{ images: string; masks: string }> {
  const images = join(root, name, 'images');
  const masks = join(root, name, 'masks');
  await writeImage2D(join(images, 'a.tif'), image(0));
  await writeImage2D(join(images, 'b.png'), image(1000));
  mkdirSync(images, { recursive: true });
  writeFileSync(join(images, 'c.tif'), 'not a TIFF at all'); // a bad file
  for (const stem of ['a', 'b', 'c']) await writeImage2D(join(masks, `${stem}.png`), labels());
  return { images, masks };
}

// CellProfiler per-object rows: ImageNumber 1, 2, 3 = a.tif, b.png, c.tif in sorted order.
const CELLPROFILER = [
  'ImageNumber,ObjectNumber,Location_Center_X,Location_Center_Y,Metadata_Well',
  '1,1,10,10,A01',
  '1,2,20.4,19.6,A01',
  '1,3,1,1,A01',
  '2,1,10,10,B02',
  '3,1,10,10,C03',
].join('\n');

describe('cropFolder', () => {
  it('crops every image, keeps every column, reports the bad file and resumes', async () => {
    const { images, masks } = await makeFolder('cp');
    const table = join(root, 'cp', 'Nuclei.csv');
    writeFileSync(table, CELLPROFILER);
    const out = join(root, 'cp', 'out');
    const events: number[] = [];
    const result = await cropFolder(images, out, {
      table,
      labels: masks,
      crop: { size: 8 },
      workers: 0,
      onProgress: (e) => events.push(e.done),
    });
    expect(result.images.map((i) => [i.status, i.crops, i.skipped])).toEqual([
      ['done', 2, 1],
      ['done', 1, 0],
      ['failed', 0, 0],
    ]);
    expect(result.images[2]!.error).toMatch(/c\.tif.*neither a TIFF nor a PNG/);
    expect(events).toEqual([1, 2, 3]);
    const index = csvRecords(parseCsv(readFileSync(result.index, 'utf8')));
    expect(
      index.map((r) => [r.image, r.cell_id, r.centre_x, r.centre_y, r.label, r.Metadata_Well]),
    ).toEqual([
      ['a.tif', '1', '10', '10', '1', 'A01'],
      ['a.tif', '2', '20', '20', '2', 'A01'],
      ['b.png', '1', '10', '10', '1', 'B02'],
    ]);
    expect(index[0]!.ImageNumber).toBe('1');
    // The crop file holds the pixels around the centre: crop index (4, 4) = image pixel (10, 10).
    const crop = readImage2D(join(out, index[2]!.crop!));
    expect(crop.shape).toEqual([8, 8, 1]);
    expect(crop.data[4 * 8 + 4]).toBe(1000 + 10 * 30 + 10);
    expect(
      Array.from(readImage2D(join(out, index[2]!.mask!)).data).reduce((s, v) => s + v, 0),
    ).toBe(9);
    const skipped = csvRecords(parseCsv(readFileSync(result.skipped, 'utf8')));
    expect(skipped.map((r) => [r.image, r.cell_id, r.reason])).toEqual([
      ['a.tif', '3', 'no-label'],
    ]);
    expect(readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual(
      [],
    );

    // A rerun resumes: the images done are not redone, the bad one is retried (and fails again).
    const before = statSync(join(out, index[0]!.crop!)).mtimeMs;
    const again = await cropFolder(images, out, {
      table,
      labels: masks,
      crop: { size: 8 },
      workers: 0,
    });
    expect(again.images.map((i) => i.status)).toEqual(['resumed', 'resumed', 'failed']);
    expect(again.crops).toBe(3);
    expect(statSync(join(out, index[0]!.crop!)).mtimeMs).toBe(before);

    // A rerun with another crop size, or another row for an image, redoes what changed (resumed,
    // it kept the 8×8 crops and the old centre).
    const larger = await cropFolder(images, out, {
      table,
      labels: masks,
      crop: { size: 12 },
      workers: 0,
    });
    expect(larger.images.map((i) => i.status)).toEqual(['done', 'done', 'failed']);
    expect(readImage2D(join(out, index[0]!.crop!)).shape).toEqual([12, 12, 1]);
    writeFileSync(table, CELLPROFILER.replace('2,1,10,10,B02', '2,1,11,10,B02'));
    const moved = await cropFolder(images, out, {
      table,
      labels: masks,
      crop: { size: 12 },
      workers: 0,
    });
    expect(moved.images.map((i) => i.status)).toEqual(['resumed', 'done', 'failed']);
    const b = csvRecords(parseCsv(readFileSync(moved.index, 'utf8'))).find(
      (r) => r.image === 'b.png',
    );
    expect(b!.centre_x).toBe('11');
    writeFileSync(table, CELLPROFILER);
  });

  it('runs in worker threads with the same output, and crops from labels alone', async () => {
    const { images, masks } = await makeFolder('workers');
    const out = join(root, 'workers', 'out');
    const result = await cropFolder(images, out, {
      labels: masks,
      crop: { size: 8 },
      workers: 1,
      format: 'png',
    });
    expect(result.images.map((i) => [i.status, i.crops])).toEqual([
      ['done', 2],
      ['done', 2],
      ['failed', 0],
    ]);
    const index = csvRecords(parseCsv(readFileSync(result.index, 'utf8')));
    expect(index.map((r) => [r.image, r.cell_id, r['centroid-1'], r.area])).toEqual([
      ['a.tif', '1', '10', '9'],
      ['a.tif', '2', '20', '9'],
      ['b.png', '1', '10', '9'],
      ['b.png', '2', '20', '9'],
    ]);
    expect(index[3]!.crop).toMatch(/\.png$/);
  });

  it('takes files and nested folders, matches FileName_ columns, names crops by image id, writes qc.csv', async () => {
    const base = join(root, 'nested');
    await writeImage2D(join(base, 'plate', 'w1', 'f1.tif'), image(0));
    await writeImage2D(join(base, 'plate', 'w2', 'f1.tif'), image(2000));
    await writeImage2D(join(base, 'single.png'), image(5000));
    for (const id of ['w1/f1', 'w2/f1', 'single'])
      await writeImage2D(join(base, 'labels', `${id}.png`), labels());
    // CellProfiler's ImageNumber order is not the listing order here: FileName_ columns decide.
    writeFileSync(
      join(base, 'cells.csv'),
      [
        'ImageNumber,ObjectNumber,Location_Center_X,Location_Center_Y,FileName_Phase,PathName_Phase',
        '3,1,10,10,f1.tif,w1',
        '2,1,20,20,f1.tif,C:\\data\\plate\\w2',
        '1,1,20,20,single.png,.',
      ].join('\n'),
    );
    const out = join(base, 'out');
    const result = await cropFolder([join(base, 'plate'), join(base, 'single.png')], out, {
      table: join(base, 'cells.csv'),
      labels: join(base, 'labels'),
      crop: { size: 8 },
      workers: 0,
      qc: true,
    });
    const index = csvRecords(parseCsv(readFileSync(result.index, 'utf8')));
    // Both f1.tif files carry the FileName_ value f1.tif: PathName_ tells them apart.
    expect(index.map((r) => [r.id, r.crop, r.mask])).toEqual([
      ['w1/f1/1', 'crops/w1/f1/1.tif', 'crops/masks/w1/f1/1.tif'],
      ['w2/f1/1', 'crops/w2/f1/1.tif', 'crops/masks/w2/f1/1.tif'],
      ['single/1', 'crops/single/1.tif', 'crops/masks/single/1.tif'],
    ]);
    expect(readImage2D(join(out, 'crops/w1/f1/1.tif')).data[4 * 8 + 4]).toBe(10 * 30 + 10);
    expect(readImage2D(join(out, 'crops/w2/f1/1.tif')).data[4 * 8 + 4]).toBe(2000 + 20 * 30 + 20);
    expect(readImage2D(join(out, 'crops/single/1.tif')).data[4 * 8 + 4]).toBe(5000 + 20 * 30 + 20);
    const qc = csvRecords(parseCsv(readFileSync(result.qc!, 'utf8')));
    expect(qc.map((r) => r.image)).toEqual(['w1/f1', 'w2/f1', 'single']);
    // A rerun without qc resumes every image; one asking for qc after a run without it redoes them.
    const plain = join(base, 'plain');
    const options = { table: join(base, 'cells.csv'), crop: { size: 8 }, workers: 0 };
    await cropFolder(join(base, 'plate'), plain, options);
    const again = await cropFolder(join(base, 'plate'), plain, { ...options, qc: true });
    expect(again.images.map((i) => i.status)).toEqual(['done', 'done']);
    expect(again.qc).toBe(join(plain, 'qc.csv'));
  });

  it("never gives images of the same name in two folders one another's rows, labels or table", async () => {
    // Matched by file name alone, Plate1/a.tif and Plate2/a.tif both took the rows naming a.tif,
    // the one labels/a.png and the one tables/a.csv.
    const base = join(root, 'samename');
    await writeImage2D(join(base, 'in', 'Plate1', 'a.tif'), image(0));
    await writeImage2D(join(base, 'in', 'Plate2', 'a.tif'), image(3000));
    const run = (out: string, options: Parameters<typeof cropFolder>[2]) =>
      cropFolder(join(base, 'in'), join(base, out), { crop: { size: 8 }, workers: 0, ...options });
    const statuses = (r: Awaited<ReturnType<typeof cropFolder>>) =>
      r.images.map((i) => [i.status, i.crops, i.error ?? '']);

    writeFileSync(
      join(base, 'named.csv'),
      'x,y,id,image\n10,10,1,Plate1/a.tif\n20,20,1,Plate2\\a\n',
    );
    const named = await run('named', { table: join(base, 'named.csv') });
    expect(statuses(named)).toEqual([
      ['done', 1, ''],
      ['done', 1, ''],
    ]);
    const index = csvRecords(parseCsv(readFileSync(named.index, 'utf8')));
    expect(index.map((r) => r.image)).toEqual(['Plate1/a.tif', 'Plate2/a.tif']);
    expect(readImage2D(join(base, 'named/crops/Plate2/a/1.tif')).data[4 * 8 + 4]).toBe(
      3000 + 20 * 30 + 20,
    );
    writeFileSync(join(base, 'byname.csv'), 'x,y,id,image\n10,10,1,a.tif\n');
    const byName = await run('byname', { table: join(base, 'byname.csv') });
    expect(byName.images.map((i) => i.status)).toEqual(['failed', 'failed']);
    expect(byName.images[0]!.error).toMatch(/"a\.tif", which 2 images share/);

    mkdirSync(join(base, 'tables', 'Plate2'), { recursive: true });
    writeFileSync(join(base, 'tables', 'a.csv'), 'x,y,id\n10,10,1\n');
    writeFileSync(join(base, 'tables', 'Plate2', 'a.csv'), 'x,y,id\n20,20,7\n');
    const tables = await run('tables', { table: join(base, 'tables') });
    expect(statuses(tables)).toEqual([
      ['failed', 0, expect.stringMatching(/Plate1\/a\.csv/)],
      ['done', 1, ''],
    ]);
    expect(readImage2D(join(base, 'tables/crops/Plate2/a/7.tif')).data[4 * 8 + 4]).toBe(
      3000 + 20 * 30 + 20,
    );

    await writeImage2D(join(base, 'labels', 'a.png'), labels());
    const flat = await run('flat', { labels: join(base, 'labels') });
    expect(flat.images.map((i) => i.status)).toEqual(['failed', 'failed']);
    expect(flat.images[0]!.error).toMatch(/looked for Plate1\/a\.tif/);
  });

  it('refuses ImageNumbers that name no image instead of dropping their rows', async () => {
    // Image set 3 of a CellProfiler table on a folder of two images: its cells vanished.
    const base = join(root, 'numbers');
    await writeImage2D(join(base, 'in', 'a.tif'), image(0));
    await writeImage2D(join(base, 'in', 'b.tif'), image(1000));
    writeFileSync(join(base, 'Nuclei.csv'), CELLPROFILER);
    await expect(
      cropFolder(join(base, 'in'), join(base, 'out'), {
        table: join(base, 'Nuclei.csv'),
        crop: { size: 8 },
        workers: 0,
      }),
    ).rejects.toThrow(/ImageNumbers are 1 … 2 .*, got "3"/);
  });

  it('gives a table column named like ours a free name in index.csv', async () => {
    // A table with `label` and `table_label` wrote the header `table_label` twice (pandas 1.5.3
    // read the second as `table_label.1`).
    const base = join(root, 'clash');
    await writeImage2D(join(base, 'in', 'a.tif'), image(0));
    writeFileSync(
      join(base, 'cells.csv'),
      'ImageNumber,ObjectNumber,Location_Center_X,Location_Center_Y,label,table_label\n1,1,10,10,L,T\n',
    );
    const result = await cropFolder(join(base, 'in'), join(base, 'out'), {
      table: join(base, 'cells.csv'),
      crop: { size: 8 },
      workers: 0,
    });
    const { header } = parseCsv(readFileSync(result.index, 'utf8'));
    expect(new Set(header).size).toBe(header.length);
    const [row] = csvRecords(parseCsv(readFileSync(result.index, 'utf8')));
    expect([row!.table_table_label, row!.table_label]).toEqual(['L', 'T']);
  });

  it("reads with the caller's maxPixels: larger images fail with the reason, the rest go on", async () => {
    const { images, masks } = await makeFolder('limit');
    await writeImage2D(join(images, 'd.png'), { data: new Uint8Array(400), shape: [20, 20, 1] });
    await writeImage2D(join(masks, 'd.png'), { data: new Uint8Array(400), shape: [20, 20, 1] });
    const out = join(root, 'limit', 'out');
    const options = { labels: masks, crop: { size: 8 }, workers: 1, maxPixels: 800 };
    const limited = await cropFolder(images, out, options);
    expect(limited.images.map((i) => i.status)).toEqual(['failed', 'failed', 'failed', 'done']);
    expect(limited.images[0]!.error).toMatch(
      /^a\.tif: .*30×30 = 900 pixels, more than maxPixels = 800 \(raise options\.maxPixels/,
    );
    expect(limited.images[1]!.error).toMatch(/^b\.png: .*30×30 pixels, more than maxPixels = 800/);
    const again = await cropFolder(images, out, { ...options, maxPixels: 900 });
    expect(again.images.map((i) => [i.status, i.crops])).toEqual([
      ['done', 2],
      ['done', 2],
      ['failed', 0],
      ['resumed', 0],
    ]);
    await expect(cropFolder(images, out, { ...options, maxPixels: 0.5 })).rejects.toThrow(
      /options\.maxPixels/,
    );
  });

  it('reports a link to a moved image as a failed image and crops the others', async () => {
    const { images, masks } = await makeFolder('links');
    symlinkSync(join(root, 'gone.tif'), join(images, 'moved.tif'));
    await writeImage2D(join(masks, 'moved.png'), labels());
    const result = await cropFolder(images, join(root, 'links', 'out'), {
      labels: masks,
      crop: { size: 8 },
      workers: 0,
    });
    expect(result.images.map((i) => [basename(i.image), i.status])).toEqual([
      ['a.tif', 'done'],
      ['b.png', 'done'],
      ['c.tif', 'failed'],
      ['moved.tif', 'failed'],
    ]);
    expect(result.images[3]!.error).toMatch(/^moved\.tif: .*ENOENT/);
  });

  it('refuses bad arguments naming them', async () => {
    await expect(
      cropFolder(join(root, 'nowhere'), join(root, 'x'), { labels: 'm' }),
    ).rejects.toThrow(/cropFolder: ".*nowhere" does not exist/);
    await expect(cropFolder([], join(root, 'x'), { labels: 'm' })).rejects.toThrow(/'images'/);
    await expect(cropFolder(root, join(root, 'x'))).rejects.toThrow(/'options\.table'/);
    await expect(
      cropFolder(root, join(root, 'x'), { table: join(root, 'none.csv') }),
    ).rejects.toThrow(/the table .*none\.csv" does not exist/);
    await expect(
      cropFolder(root, join(root, 'x'), { labels: 'm', format: 'jpg' as never }),
    ).rejects.toThrow(/options\.format/);
  });
});
